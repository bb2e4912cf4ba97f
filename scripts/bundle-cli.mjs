#!/usr/bin/env node
// Builds the package's bin, dist/cli/inventag.cjs, from the compiled dist/cli/main.js (run after tsc).
//
// The bin is one CommonJS file holding the command's entry and everything a plain
// `inventag validate SERVICE OPERATION` runs (src/cli/fastPath.ts, src/cli/commands/validateRun.ts and their
// static imports: the catalog, the verdict engine, the validator). Such a run reads and compiles that one file
// and never starts Node's ES module loader, whose resolving, reading and linking of about 27 modules was most
// of its start-up. It also holds the few modules that start `check --evidence`'s worker read of a large audit
// trail before the program loads (src/manager/check/earlyAudit.ts). Every other dynamic import stays what it
// is in dist/: the commander program, the other commands and every package load as ES modules from their own
// files, exactly as `node dist/cli/main.js` does.
//
// The build fails when the bundle would hold a package (those stay in node_modules), when a module's
// `import.meta` cannot be given its own file's URL, or when the result does not start with the shebang and
// "use strict" (ES modules are strict; so must their bundle be).
import { chmodSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const entry = join(dist, 'cli', 'main.js');
const outfile = join(dist, 'cli', 'inventag.cjs');
/**
 * Dynamic imports bundled in rather than left to the ES module loader: the validate start-up path, and the
 * start of `check --evidence`'s audit-trail read (before the program loads).
 */
const BUNDLED_DYNAMIC = new Set([
  join(dist, 'cli', 'commands', 'validateRun.js'),
  join(dist, 'manager', 'check', 'earlyAudit.js'),
]);

const posix = (p) => p.split(sep).join('/');
const fromBin = (file) => {
  const rel = posix(relative(dirname(outfile), file));
  return rel.startsWith('.') ? rel : `./${rel}`;
};

/** Dynamic imports stay imports of the files in dist/, rewritten relative to the bin; static ones are bundled. */
const keepDynamicImports = {
  name: 'keep-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      if (!args.path.startsWith('.')) return { path: args.path, external: true };
      const file = join(args.resolveDir, args.path);
      if (BUNDLED_DYNAMIC.has(file)) return undefined;
      return { path: fromBin(file), external: true };
    });
    // Each module keeps its own `import.meta.url` (the catalog finds the package root from it; the debug log
    // makes a require from it): the URL of its file in dist/, computed from the bin's own location.
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const contents = source.replaceAll(
        'import.meta.url',
        `require("node:url").pathToFileURL(require("node:path").join(__dirname, ${JSON.stringify(fromBin(args.path))})).href`,
      );
      return { contents, loader: 'js' };
    });
  },
};

const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.19',
  plugins: [keepDynamicImports],
  logOverride: { 'empty-import-meta': 'error' },
  metafile: true,
  logLevel: 'warning',
});

const inputs = Object.keys(result.metafile.inputs);
const foreign = inputs.filter((f) => !posix(join(root, f)).startsWith(`${posix(dist)}/`));
if (foreign.length > 0) {
  console.error(
    `bundle-cli: the bin would hold files outside dist/ (packages stay in node_modules): ${foreign.join(', ')}`,
  );
  process.exit(1);
}
const text = readFileSync(outfile, 'utf8');
if (!text.startsWith('#!/usr/bin/env node\n"use strict";\n')) {
  console.error(`bundle-cli: ${outfile} does not start with the #!/usr/bin/env node line and "use strict"`);
  process.exit(1);
}
chmodSync(outfile, 0o755);
