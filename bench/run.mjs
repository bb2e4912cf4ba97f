#!/usr/bin/env node
// Runs every bench/*.bench.mjs against the built package (dist/), prints one
// table and writes bench/results.json with the machine it ran on.
// `node bench/run.mjs NAME...` runs only the benches whose file names contain
// a NAME; that partial run is written to bench/out/results.partial.json, so
// the committed results.json always holds one whole run.
// A bench module exports `name` and `async function run()` returning rows
// { figure, value, unit, goal?, note? }.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  date: new Date().toISOString(),
};
const results = [];
for (const file of files) {
  const mod = await import(pathToFileURL(join(here, file)).href);
  process.stderr.write(`running ${mod.name ?? file} ...\n`);
  const rows = await mod.run();
  for (const row of rows) results.push({ bench: mod.name ?? file, ...row });
}

const fmt = (v) =>
  typeof v === 'number' ? (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(3)) : String(v);
console.log(
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`,
);
console.log('');
console.log('| bench | figure | value | unit | goal | note |');
console.log('| --- | --- | ---: | --- | --- | --- |');
for (const r of results)
  console.log(`| ${r.bench} | ${r.figure} | ${fmt(r.value)} | ${r.unit} | ${r.goal ?? ''} | ${r.note ?? ''} |`);
const out = only.length === 0 ? join(here, 'results.json') : join(here, 'out', 'results.partial.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ machine, only: only.length === 0 ? undefined : only, results }, null, 2)}\n`);
process.stderr.write(`wrote ${out}\n`);
