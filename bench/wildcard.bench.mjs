// The IAM wildcard matcher on adversarial patterns: the linear-time matcher
// (catalog/wildcard.ts) against the regular expression the code used before
// (`*` -> `.*`), which backtracks. Run alone: node bench/wildcard.bench.mjs
import { compileWildcard } from '../dist/catalog/wildcard.js';
import { ActionIndex } from '../dist/policy/analysis/index.js';

export const name = 'wildcard';

const regexOf = (pattern) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );

const time = (fn) => {
  const start = performance.now();
  fn();
  return performance.now() - start;
};

export async function run() {
  // Small enough that the backtracking regex finishes: 6 stars over a 40-character name without the final x.
  const pattern = 'ec2:******x';
  const value = `ec2:${'a'.repeat(40)}`;
  const re = regexOf(pattern);
  const matcher = compileWildcard(pattern);
  const regexMs = time(() => re.test(value));
  const linearMs = time(() => {
    for (let i = 0; i < 1000; i++) matcher.test(value);
  });
  // The pattern from the report (8 stars) on a 100,000-character name: only the linear matcher is run.
  const long = `ec2:${'a'.repeat(100_000)}`;
  const eight = compileWildcard('ec2:********x');
  const longMs = time(() => eight.test(long));
  // The policy analysis expanding ec2:********x against the whole catalog (what `policy check` does).
  const index = new ActionIndex();
  const marks = new Uint8Array(index.size);
  const expandMs = time(() => index.mark('ec2:********x', marks));
  return [
    { figure: 'regex ec2:******x on a 40-char name (old matcher)', value: regexMs, unit: 'ms' },
    { figure: 'linear ec2:******x on a 40-char name', value: linearMs / 1000, unit: 'ms' },
    { figure: 'linear ec2:********x on a 100,000-char name', value: longMs, unit: 'ms' },
    { figure: 'expand ec2:********x against the catalog', value: expandMs, unit: 'ms', goal: '< 20,000 ms (issue 12)' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value.toFixed(3)} ${row.unit}`);
}
