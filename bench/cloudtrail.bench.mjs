// CloudTrail trail-file scanning: MB/s of decompressed JSON (per CPU-second
// and wall clock), events/s and peak RSS over 1,000,000 generated events in
// 1,000 gzip trail files, plus peak RSS for 100 files, to show memory does not
// grow with the number of files. Each scan runs in a fresh child process so
// its peak RSS is its own; the parent only generates the files.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { backgroundRecords, trailKey } from '../scripts/trailFixtures.mjs';

export const name = 'cloudtrail';

const FILES = 1000;
const EVENTS_PER_FILE = 1000;
// Distinct file bodies; the 1,000 files reuse them under their own names (generating
// and compressing 1.2 GB of unique JSON would take longer than the scan being measured).
const DISTINCT = 40;
const DAYS = 10;
const REGIONS = ['us-east-1', 'eu-west-1'];
const here = dirname(fileURLToPath(import.meta.url));
const dist = pathToFileURL(join(here, '..', 'dist', 'cloudtrail', 'index.js')).href;

function generate(root) {
  const bodies = [];
  for (let i = 0; i < DISTINCT; i++) {
    const start = new Date(Date.UTC(2024, 4, 1, i % 24));
    const records = backgroundRecords(EVENTS_PER_FILE, {
      start,
      end: new Date(start.getTime() + 300_000),
      region: REGIONS[i % 2],
      seed: 1000 + i,
    });
    bodies.push(gzipSync(JSON.stringify({ Records: records })));
  }
  const perDayRegion = FILES / (DAYS * REGIONS.length);
  let n = 0;
  for (let d = 0; d < DAYS; d++) {
    for (const region of REGIONS) {
      for (let k = 0; k < perDayRegion; k++) {
        const time = new Date(Date.UTC(2024, 4, 1 + d, Math.floor((k * 24) / perDayRegion), 5));
        const path = join(root, ...trailKey({ region, time, uniq: `b${n}` }).split('/'));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, bodies[n % DISTINCT]);
        n++;
      }
    }
  }
  return { compressed: bodies.reduce((s, b) => s + b.length, 0) / DISTINCT };
}

// Runs one scan in a child and returns its figures. Event times in the files
// are in May 2024, so no time filter applies; the day folders select files.
function scanInChild(root, walk) {
  const script = `
    const ct = await import(${JSON.stringify(dist)});
    const analyzer = new ct.PrincipalAnalyzer('arn:aws:sts::123456789012:assumed-role/InventoryReadOnly/inventag', { keepEventsForCorrelation: false });
    const walk = ${JSON.stringify(walk)};
    for (const k of ['start', 'end']) if (walk[k]) walk[k] = new Date(walk[k]);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const s = await new ct.TrailFileReader(new ct.LocalTrailStore(${JSON.stringify(root)}), walk).scan((e) => analyzer.add(e));
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const a = analyzer.result();
    process.stdout.write(JSON.stringify({ files: s.filesRead, corrupt: s.filesCorrupt, events: s.events, bytes: s.bytes, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS, writes: a.writes.length }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out);
}

export async function run() {
  const root = mkdtempSync(join(tmpdir(), 'inventag-ct-bench-'));
  try {
    const { compressed } = generate(root);
    // Warm the page cache so the first measured scan does not pay for disk reads.
    scanInChild(root, { regions: ['us-east-1'], start: '2024-05-01T00:00:00Z', end: '2024-05-01T00:00:00Z' });
    const full = scanInChild(root, {});
    const small = scanInChild(root, {
      regions: ['us-east-1'],
      start: '2024-05-01T00:00:00Z',
      end: '2024-05-01T00:00:00Z',
    });
    const mb = full.bytes / 1e6;
    const ratio = (full.bytes / full.files / (compressed || 1)).toFixed(1);
    return [
      {
        figure: 'events scanned',
        value: full.events,
        unit: 'events',
        note: `${full.files} files, ${(mb / 1000).toFixed(2)} GB of JSON (gzip ${ratio}:1), 0 corrupt`,
      },
      {
        figure: 'scan throughput per CPU-second',
        value: mb / (full.cpuMs / 1000),
        unit: 'MB/s',
        goal: '>= 100 MB/s per core',
        note: 'gunzip + JSON.parse + event model + verdict + principal analysis; CPU time of the process, zlib threads included',
      },
      {
        figure: 'scan throughput, wall clock',
        value: mb / (full.wallMs / 1000),
        unit: 'MB/s',
        note: `${(full.wallMs / 1000).toFixed(1)} s on this machine`,
      },
      { figure: 'events per second, wall clock', value: full.events / (full.wallMs / 1000), unit: 'events/s' },
      { figure: `peak RSS, ${full.files} files`, value: full.maxRssKiB / 1024, unit: 'MiB' },
      {
        figure: `peak RSS, ${small.files} files`,
        value: small.maxRssKiB / 1024,
        unit: 'MiB',
        goal: 'flat: same as for 1,000 files',
      },
      {
        figure: 'peak RSS ratio, 1,000 / 100 files',
        value: full.maxRssKiB / small.maxRssKiB,
        unit: 'x',
        goal: '~1 (memory does not grow with files)',
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
