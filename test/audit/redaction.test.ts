import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, DEFAULT_REDACTED_KEYS, REDACTED, createRedactor, redact } from '../../src/audit/index.js';
import { createLogFiles } from '../../src/logging/index.js';
import { attempt, runAuditCli, tempDir } from './helpers.js';
import { CORPUS, KEPT_MARKERS, SECRET_MARKERS } from './redactionCorpus.js';

/** Every file in a directory tree, as one string of raw bytes. */
function allBytes(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
    .join('\n');
}

describe('redaction', () => {
  it('replaces every secret of the corpus and keeps everything else', () => {
    const out = JSON.stringify(redact(CORPUS));
    for (const marker of SECRET_MARKERS) expect(out, marker).not.toContain(marker);
    for (const marker of KEPT_MARKERS) expect(out, marker).toContain(marker);
    const r = redact(CORPUS) as Record<string, Record<string, unknown>>;
    expect(r.assumeRoleResponse?.Credentials).toBe(REDACTED);
    expect(r.putSecretValueRequest?.SecretBinary).toBe(REDACTED);
    expect(r.createAccessKeyResponse?.AccessKey).toMatchObject({
      AccessKeyId: 'KEEP-access-key-id',
      SecretAccessKey: REDACTED,
    });
    expect(r.pemInAnyString?.description).toBe(`rotated key: ${REDACTED}`);
  });

  it('does not modify its input, and handles cycles, binary, dates and bigints', () => {
    const input: Record<string, unknown> = {
      Password: 'p',
      when: new Date('2026-01-01T00:00:00Z'),
      body: Buffer.from('abc'),
      n: 10n,
    };
    input.self = input;
    const out = redact(input) as Record<string, unknown>;
    expect(input.Password).toBe('p');
    expect(out).toEqual({
      Password: REDACTED,
      when: '2026-01-01T00:00:00.000Z',
      body: { binaryBytes: 3 },
      n: '10',
      self: '[Circular]',
    });
  });

  it('is extended by extra keys, matched case-insensitively', () => {
    expect(redact({ 'X-Internal-Signature': 'x', other: 1 }, ['x_internal_signature'])).toEqual({
      'X-Internal-Signature': REDACTED,
      other: 1,
    });
    expect(createRedactor({ replaceDefaults: true, extraKeys: ['pin'] })({ password: 'kept', PIN: '1234' })).toEqual({
      password: 'kept',
      PIN: REDACTED,
    });
    expect(DEFAULT_REDACTED_KEYS).toEqual(
      expect.arrayContaining([
        'password',
        'secret',
        'token',
        'SecretString',
        'SecretBinary',
        'SessionToken',
        'SecretAccessKey',
        'PrivateKey',
        'credentials',
      ]),
    );
  });

  describe('no secret value reaches the store, the log files or a saved report', () => {
    let dir: string;
    let cleanup: () => void;
    beforeEach(() => ({ dir, cleanup } = tempDir()));
    afterEach(() => cleanup());

    it('scans every byte written', async () => {
      const logs = createLogFiles({ directory: join(dir, 'logs') });
      const storePath = join(dir, 'data', 'audit.db');
      const store = AuditStore.open({ path: storePath, loggers: logs });
      for (const [operation, params] of Object.entries(CORPUS)) {
        const { auditId } = store.recordAttempt(attempt(0, { operation, requestParameters: params }));
        store.recordOutcome(auditId, { success: true, durationMs: 1 });
        logs.production.info({ operation, params }, 'operation finished');
        logs.errors.error(
          { operation, err: Object.assign(new Error('failed'), { request: params }) },
          'operation failed',
        );
        logs.metrics.info({ operation, response: params }, 'metrics');
        logs.security.warn({ operation, request: params }, 'security event');
      }
      await store.close();
      await logs.close();

      const report = join(dir, 'reports', 'trail.jsonl');
      const cli = await runAuditCli(['audit', 'export', '--store', storePath, '--format', 'jsonl', '--out', report]);
      expect(cli.code, cli.stderr).toBe(0);
      const csv = await runAuditCli(['audit', 'export', '--store', storePath, '--format', 'csv']);
      const verified = await runAuditCli(['audit', 'verify', '--store', storePath, '--json']);

      const written = [
        allBytes(join(dir, 'data')),
        allBytes(join(dir, 'logs')),
        readFileSync(report, 'latin1'),
        csv.stdout,
        verified.stdout,
      ].join('\n');
      for (const marker of SECRET_MARKERS) expect(written.includes(marker), `${marker} was written`).toBe(false);
      for (const marker of KEPT_MARKERS) expect(written.includes(marker), `${marker} is missing`).toBe(true);
      expect(readFileSync(report, 'utf8')).toContain(REDACTED);
    });
  });
});

describe('canonical output for the store', () => {
  it('sortKeys gives the same text as canonical JSON, whatever order the caller built the object in', async () => {
    const { canonicalJson } = await import('../../src/audit/index.js');
    const sorted = createRedactor({ sortKeys: true });
    const a = {
      b: 1,
      a: {
        d: [{ z: 1, y: 2 }],
        c: new Map([
          ['k2', 1],
          ['k1', 2],
        ]),
      },
      token: 't',
    };
    const b = {
      token: 'u',
      a: {
        c: new Map([
          ['k1', 2],
          ['k2', 1],
        ]),
        d: [{ y: 2, z: 1 }],
      },
      b: 1,
    };
    expect(JSON.stringify(sorted(a))).toBe(JSON.stringify(sorted(b)));
    expect(JSON.stringify(sorted(a))).toBe(canonicalJson(redact(a)));
    expect(sorted(new Error('boom'))).toMatchObject({ message: 'boom', name: 'Error' });
  });
});
