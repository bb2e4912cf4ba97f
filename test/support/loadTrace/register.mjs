// `node --import <this>`: records every module the process loads in INVENTAG_TEST_LOAD_LOG, one per line:
// ES modules through the module hooks, CommonJS files from require.cache when the process exits.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

register('./hooks.mjs', import.meta.url);
const require = createRequire(import.meta.url);
process.on('exit', () => {
  const log = process.env.INVENTAG_TEST_LOAD_LOG;
  if (log)
    appendFileSync(
      log,
      Object.keys(require.cache)
        .map((f) => `cjs:${f}\n`)
        .join(''),
    );
});
