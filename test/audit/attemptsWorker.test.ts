import { cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { decodeAttempts } from '../../src/audit/attemptColumns.js';
import { loadConfiguration } from '../../src/manager/config.js';
import { runCheck } from '../../src/manager/check/runCheck.js';
import { renderJson } from '../../src/report/renderJson.js';
import { ROOT, runCli } from '../support/cli.js';
import { attempt, copyWithDamagedIndex, sqlite, tempDir } from './helpers.js';

// A large audit trail in an evidence directory is verified and read on a worker thread while `inventag check`
// reads CloudTrail. The worker runs only from the build (dist/), so these tests load it from there and compare
// with the same read on the calling thread (from source).
const dist = (path: string): string => pathToFileURL(resolve(ROOT, 'dist', path)).href;
type Thread = typeof import('../../src/audit/attemptsThread.js');
type Store = typeof import('../../src/audit/AuditStore.js');

const DEMO = join(ROOT, 'examples', 'demo');
const KEY = 'k'.repeat(32);

/** Writes `n` guarded calls (attempt, then outcome) inside the demo's CloudTrail window, as the guard does. */
async function trail(path: string, n: number, key?: string): Promise<void> {
  let now = Date.parse('2026-11-20T00:00:00Z');
  const store = AuditStore.open({
    path,
    durability: 'normal',
    clock: () => new Date(now),
    ...(key ? { key } : {}),
  });
  for (let i = 0; i < n; i++) {
    const { auditId } = store.stageAttempt(attempt(i, { requestParameters: { Filler: 'p'.repeat(300), i } }));
    now += 400;
    if (i % 19 !== 0)
      store.stageOutcome(auditId, {
        success: i % 7 !== 0,
        ...(i % 7 === 0 ? { errorCode: 'ThrottlingException' } : {}),
        durationMs: 80 + (i % 40),
        httpStatus: i % 7 ? 200 : 400,
      });
    now += 600;
  }
  await store.close();
}

/** Strings that are ids or times compare equal; everything else must match, keys in order. */
function sameApartFromIdsAndTimes(a: unknown, b: unknown, path = ''): string[] {
  const id = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
  if (typeof a === 'string' && typeof b === 'string')
    return a === b || (id.test(a) && id.test(b)) || (time.test(a) && time.test(b)) ? [] : [path];
  if (Array.isArray(a) && Array.isArray(b))
    return a.length !== b.length ? [path] : a.flatMap((x, i) => sameApartFromIdsAndTimes(x, b[i], `${path}[${i}]`));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    if (ka.join() !== Object.keys(b).join()) return [`${path} (keys)`];
    return ka.flatMap((k) =>
      sameApartFromIdsAndTimes((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`),
    );
  }
  return Object.is(a, b) ? [] : [path];
}

describe('verifying and reading an audit trail on a worker thread', () => {
  let dir: string;
  let cleanup: () => void;
  let small: string;
  let keyed: string;
  let large: string;
  let thread: Thread;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    small = join(dir, 'small.db');
    keyed = join(dir, 'keyed.db');
    large = join(dir, 'large.db');
    await trail(small, 300);
    await trail(keyed, 300, KEY);
    await trail(large, 4000);
    thread = (await import(dist('audit/attemptsThread.js'))) as Thread;
  }, 120_000);
  afterAll(() => cleanup());

  /** The worker's read, its attempts decoded as the store's async read decodes them. */
  const inWorker = async (path: string, key?: Buffer, minBytes?: number) => {
    const read = await thread.verifyWithAttemptsInWorker(path, key, minBytes);
    return read && { verify: read.verify, attempts: decodeAttempts(read.columns), stored: read.stored };
  };

  const inline = (path: string, key?: string) => {
    const store = AuditStore.open({ path, readonly: true, ...(key ? { key } : {}) });
    try {
      return store.verifyWithAttempts();
    } finally {
      store.closeSync();
    }
  };

  it('gives what the same read on this thread gives, keyed stores too', async () => {
    expect(await inWorker(small, undefined, 0)).toStrictEqual(inline(small));
    const withKey = await inWorker(keyed, Buffer.from(KEY), 0);
    expect(withKey).toStrictEqual(inline(keyed, KEY));
    expect(withKey?.verify.ok).toBe(true);
    // Edited: verify's finding and every attempt after it, as on this thread.
    sqlite(
      small,
      `DROP TRIGGER audit_entries_no_update;
       UPDATE audit_entries SET body = json_set(body, '$.decision', 'blocked') WHERE seq = 101;`,
    );
    const edited = await inWorker(small, undefined, 0);
    expect(edited?.verify.firstBad?.reason).toBe('edited');
    expect(edited).toStrictEqual(inline(small));
  });

  it('gives no result when the worker cannot read the store (the caller then reads it and meets the error)', async () => {
    const notStore = join(dir, 'not-a-store.db');
    writeFileSync(notStore, 'x'.repeat(5000));
    expect(await thread.verifyWithAttemptsInWorker(notStore, undefined, 0)).toBeUndefined();
    // A keyed store given no key, or the wrong one.
    expect(await thread.verifyWithAttemptsInWorker(keyed, undefined, 0)).toBeUndefined();
    expect(await thread.verifyWithAttemptsInWorker(keyed, Buffer.from('x'.repeat(32)), 0)).toBeUndefined();
    expect(await thread.verifyWithAttemptsInWorker(join(dir, 'gone.db'), undefined, 0)).toBeUndefined();
  });

  it('starts a worker only for a file of at least 4 MiB; a read-only store reads through it with the same result', async () => {
    expect(statSync(small).size).toBeLessThan(thread.ATTEMPTS_WORKER_MIN_BYTES);
    expect(await thread.verifyWithAttemptsInWorker(small, undefined)).toBeUndefined();
    expect(statSync(large).size).toBeGreaterThanOrEqual(thread.ATTEMPTS_WORKER_MIN_BYTES);
    const expected = inline(large);
    expect(await inWorker(large)).toStrictEqual(expected);
    const { AuditStore: Built } = (await import(dist('audit/AuditStore.js'))) as Store;
    const store = Built.open({ path: large, readonly: true });
    expect(await store.verifyWithAttemptsAsync()).toStrictEqual(expected);
    store.closeSync();
  });
  it("checks the file's pages on the caller's thread while the worker walks: damage the walk does not read still fails the read", async () => {
    const damaged = join(dir, 'damaged-index.db');
    copyWithDamagedIndex(large, damaged);
    // The worker's walk alone finds nothing wrong ...
    expect((await thread.verifyWithAttemptsInWorker(damaged, undefined, 0))?.verify.ok).toBe(true);
    // ... and the read through it fails as the same read on one thread does, naming the damage.
    const { AuditStore: Built } = (await import(dist('audit/AuditStore.js'))) as Store;
    const store = Built.open({ path: damaged, readonly: true });
    try {
      const here = (() => {
        try {
          store.verifyWithAttempts();
          return undefined;
        } catch (err) {
          return (err as Error).message;
        }
      })();
      expect(here).toMatch(/the database file is damaged/);
      await expect(store.verifyWithAttemptsAsync()).rejects.toThrow(here);
    } finally {
      store.closeSync();
    }
  });

  it('a read started before the store is opened is taken when it read the same file with the same key, and cancelled otherwise', async () => {
    const { AuditStore: Built } = (await import(dist('audit/AuditStore.js'))) as Store;
    // A stand-in read whose result is another store's, so what the store returns shows whether it took it.
    const other = await thread.verifyWithAttemptsInWorker(small, undefined, 0);
    const standIn = (file: string, key: Buffer | undefined) => {
      const calls: string[] = [];
      return {
        calls,
        read: {
          file,
          key,
          take: () => (calls.push('take'), Promise.resolve(other)),
          cancel: () => void calls.push('cancel'),
        },
      };
    };
    const readWith = async (
      path: string,
      started: ReturnType<typeof standIn>,
      options: { key?: string; readonly?: boolean } = {},
    ) => {
      const store = Built.open({
        path,
        readonly: options.readonly ?? true,
        ...(options.key ? { key: options.key } : {}),
      });
      try {
        const { columns, ...rest } = await store.verifyWithAttemptColumnsAsync(started.read);
        return { ...rest, attempts: decodeAttempts(columns) };
      } finally {
        store.closeSync();
      }
    };
    const otherDecoded = other && {
      verify: other.verify,
      attempts: decodeAttempts(other.columns),
      stored: other.stored,
    };
    // The same file (named relatively or not), no key: taken.
    const same = standIn(relative(process.cwd(), large), undefined);
    expect(await readWith(large, same)).toStrictEqual(otherDecoded);
    expect(same.calls).toEqual(['take']);
    // A keyed store: taken with its key; read again, with its key, after a read without it or with another.
    const withKey = standIn(keyed, Buffer.from(KEY));
    expect(await readWith(keyed, withKey, { key: KEY })).toStrictEqual(otherDecoded);
    expect(withKey.calls).toEqual(['take']);
    for (const key of [undefined, Buffer.from('x'.repeat(32))]) {
      const wrong = standIn(keyed, key);
      expect(await readWith(keyed, wrong, { key: KEY })).toStrictEqual(inline(keyed, KEY));
      expect(wrong.calls).toEqual(['cancel']);
    }
    // Another file, or a store that is not read-only: cancelled.
    const elsewhere = standIn(small, undefined);
    expect(await readWith(large, elsewhere)).toStrictEqual(inline(large));
    expect(elsewhere.calls).toEqual(['cancel']);
    const writable = standIn(large, undefined);
    expect((await readWith(large, writable, { readonly: false })).verify.ok).toBe(true);
    expect(writable.calls).toEqual(['cancel']);
  });

  it("the bin's read begun for `check --evidence DIR` is taken for that directory only", async () => {
    type Early = typeof import('../../src/manager/check/earlyAudit.js');
    const early = (await import(dist('manager/check/earlyAudit.js'))) as Early;
    const evidence = join(dir, 'evidence');
    mkdirSync(evidence, { recursive: true });
    cpSync(large, join(evidence, 'audit.db'));
    const expected = inline(large);
    const decoded = async (read: ReturnType<Early['startEarlyEvidenceAudit']>) => {
      const got = await read?.take();
      return got && { verify: got.verify, attempts: decodeAttempts(got.columns), stored: got.stored };
    };
    // Begun by the bin, taken by the command for the same directory (named another way).
    early.prestartEvidenceAudit(evidence, {});
    const taken = early.startEarlyEvidenceAudit(join(evidence, '.'), {});
    expect(await decoded(taken)).toStrictEqual(expected);
    // Taken once: the next command run in this process begins its own.
    expect(early.startEarlyEvidenceAudit(evidence, {})).not.toBe(taken);
    // Begun for another directory: cancelled, and this one read.
    early.prestartEvidenceAudit(dir, {});
    expect(await decoded(early.startEarlyEvidenceAudit(evidence, {}))).toStrictEqual(expected);
  });

  it('a read started on a worker gives the same result once taken, and none once cancelled', async () => {
    const expected = inline(large);
    const started = thread.startAttemptsRead(large, undefined);
    expect(started).toBeDefined();
    const read = await started!.take();
    expect(read && { verify: read.verify, attempts: decodeAttempts(read.columns), stored: read.stored }).toStrictEqual(
      expected,
    );
    const cancelled = thread.startAttemptsRead(large, undefined)!;
    cancelled.cancel();
    expect(await cancelled.take()).toBeUndefined();
    expect(thread.startAttemptsRead(small, undefined)).toBeUndefined();
  });
});

describe('inventag check --evidence with a large audit trail (read on a worker thread)', () => {
  let dir: string;
  let cleanup: () => void;

  beforeAll(() => ({ dir, cleanup } = tempDir('inventag-check-large-audit-')));
  afterAll(() => cleanup());

  /** The demo evidence with a large audit trail of its own. */
  async function evidence(name: string): Promise<string> {
    const d = join(dir, name);
    cpSync(DEMO, d, { recursive: true, filter: (src) => !src.includes('audit.db') });
    await trail(join(d, 'audit.db'), 4000);
    expect(statSync(join(d, 'audit.db')).size).toBeGreaterThanOrEqual(4 * 2 ** 20);
    return d;
  }

  /** The CLI (worker thread) and the same assessment run here from source (no worker): the same report. */
  async function expectSameReport(d: string, evidence = ['--evidence', d]): Promise<Record<string, unknown>> {
    const data = join(d, 'data');
    mkdirSync(data, { recursive: true });
    const out = join(d, 'out');
    const r = await runCli(['check', ...evidence, '--quiet', '--format', 'json', '--out', out], {
      cwd: d,
      env: { INVENTAG_DATA_DIRECTORY: data },
    });
    const cli = JSON.parse(readFileSync(join(out, 'inventag-report.json'), 'utf8')) as Record<string, unknown>;
    const { config } = loadConfiguration({ cwd: d, env: { INVENTAG_DATA_DIRECTORY: data } });
    const here = await runCheck({ config, evidenceDir: d });
    await here.manager.close();
    expect(sameApartFromIdsAndTimes(JSON.parse(renderJson(here.report)), cli)).toEqual([]);
    expect(r.code, r.stderr).toBe(here.report.complianceStatus.isCompliant ? 0 : 1);
    return cli;
  }

  it('an intact trail: the report is the one the same check gives reading it on one thread', async () => {
    const d = await evidence('intact');
    // Given as --evidence=DIR: the form the bin reads too, to start the trail's worker before the program loads.
    const report = await expectSameReport(d, [`--evidence=${d}`]);
    const facts = (report.sections as Record<string, { facts: Record<string, unknown> }>).auditTrail!.facts;
    expect(facts).toMatchObject({
      intact: true,
      checked: 8000 - Math.ceil(4000 / 19),
      entries: 8000 - Math.ceil(4000 / 19),
    });
  }, 120_000);

  it('an edited trail: the same tampering finding, never COMPLIANT, exit 1', async () => {
    const d = await evidence('edited');
    sqlite(
      join(d, 'audit.db'),
      `DROP TRIGGER audit_entries_no_update;
       UPDATE audit_entries SET body = json_set(body, '$.decision', 'blocked') WHERE seq = 5001;`,
    );
    const report = await expectSameReport(d);
    const status = report.complianceStatus as { isCompliant: boolean; verdict: string };
    expect(status.isCompliant).toBe(false);
    expect(status.verdict).not.toBe('COMPLIANT');
    expect((report.findings as { title: string }[]).map((f) => f.title)).toContain(
      'Audit trail tampered: entry 5001 edited',
    );
  }, 120_000);

  it("a damaged trail fails the check with the store's error, before a bad identity file's", async () => {
    const d = await evidence('damaged');
    const path = join(d, 'audit.db');
    // Garbage over pages in the middle of the file, the header left intact.
    const bytes = readFileSync(path);
    bytes.fill(0xab, 2 * 2 ** 20, 2 * 2 ** 20 + 64 * 1024);
    writeFileSync(path, bytes);
    writeFileSync(join(d, 'identity.json'), '{ not json');
    const here = await runCheck({
      config: loadConfiguration({ cwd: d, env: { INVENTAG_DATA_DIRECTORY: join(d, 'data') } }).config,
      evidenceDir: d,
    }).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(here?.message).toMatch(/malformed|damaged/);
    const r = await runCli(['check', '--evidence', d, '--quiet', '--format', 'json', '--out', join(d, 'out')], {
      cwd: d,
      env: { INVENTAG_DATA_DIRECTORY: join(d, 'data') },
    });
    expect([0, 1]).not.toContain(r.code);
    expect(r.stderr).toContain(here!.message);
    expect(r.stderr).not.toContain('identity.json');
  }, 120_000);

  it('a keyed trail whose key comes from auditKeyFile: the read begun before the configuration is redone with that key', async () => {
    const d = join(dir, 'keyed');
    cpSync(DEMO, d, { recursive: true, filter: (src) => !src.includes('audit.db') });
    await trail(join(d, 'audit.db'), 4000, KEY);
    writeFileSync(join(d, 'audit.key'), KEY);
    writeFileSync(join(d, 'inventag.config.yaml'), 'auditKeyFile: audit.key\nauditKeyed: true\n');
    const report = await expectSameReport(d);
    const facts = (report.sections as Record<string, { facts: Record<string, unknown> }>).auditTrail!.facts;
    expect(facts).toMatchObject({ intact: true, checked: 8000 - Math.ceil(4000 / 19) });
  }, 120_000);

  it('a bad configuration beside a large trail: exit 2 naming the field, and the early read does not hold the process', async () => {
    const d = await evidence('bad-config');
    writeFileSync(join(d, 'inventag.config.yaml'), 'minComplianceScore: lots\n');
    const r = await runCli(['check', '--evidence', d, '--quiet', '--format', 'json', '--out', join(d, 'out')], {
      cwd: d,
      env: { INVENTAG_DATA_DIRECTORY: join(d, 'data') },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('minComplianceScore');
  }, 120_000);
});
