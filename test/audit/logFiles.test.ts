import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LOG_FILE_NAMES,
  createLogFiles,
  createMemoryLogFiles,
  createNoopLogFiles,
  isLogFilesError,
} from '../../src/logging/index.js';
import { tempDir } from './helpers.js';

const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];

describe('the four log files', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('writes JSON lines to the seed file names; production errors are copied to the errors log', async () => {
    const logs = createLogFiles({ directory: join(dir, 'logs') });
    logs.production.info({ service: 's3' }, 'started');
    logs.production.error({ service: 's3', errorCode: 'AccessDenied' }, 'call failed');
    logs.errors.error({ severity: 'HIGH' }, 'classified');
    logs.metrics.info({ cpuPercent: 12.5 }, 'sample');
    logs.security.warn({ operation: 'TerminateInstances' }, 'operation blocked');
    await logs.close();
    expect(Object.values(LOG_FILE_NAMES)).toEqual([
      'inventag_production.log',
      'inventag_errors.log',
      'inventag_metrics.log',
      'inventag_security_audit.log',
    ]);
    const read = (name: string) => lines(join(dir, 'logs', name));
    expect(read('inventag_production.log').map((l) => l.msg)).toEqual(['started', 'call failed']);
    expect(read('inventag_errors.log').map((l) => l.msg)).toEqual(['call failed', 'classified']);
    expect(read('inventag_metrics.log')[0]).toMatchObject({
      level: 'info',
      log: 'metrics',
      cpuPercent: 12.5,
      msg: 'sample',
    });
    const [security] = read('inventag_security_audit.log');
    expect(security).toMatchObject({ level: 'warn', log: 'security', operation: 'TerminateInstances' });
    expect(typeof security?.time).toBe('string');
    expect(statSync(join(dir, 'logs', 'inventag_security_audit.log')).mode & 0o777).toBe(0o600);
  });

  it('rotates by size, keeping maxFiles old files, newest lines in the live file', async () => {
    const logs = createLogFiles({ directory: dir, maxBytes: 2048, maxFiles: 2 });
    for (let i = 0; i < 200; i += 1) logs.metrics.info({ i, pad: 'x'.repeat(40) }, 'tick');
    await logs.close();
    const base = join(dir, 'inventag_metrics.log');
    for (const f of [base, `${base}.1`, `${base}.2`]) expect(statSync(f).size).toBeLessThanOrEqual(2048);
    expect(existsSync(`${base}.3`)).toBe(false);
    const kept = [...lines(`${base}.2`), ...lines(`${base}.1`), ...lines(base)].map((l) => l.i as number);
    expect(kept.at(-1)).toBe(199);
    // Consecutive and in order across the rotated files: nothing lost or reordered among what is kept.
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => 200 - kept.length + k));
  });

  it('redacts secrets in logged objects and child bindings', async () => {
    const logs = createMemoryLogFiles({ redactKeys: ['x-internal'] });
    logs.security
      .child({ sessionToken: 'tok-1' })
      .info({ request: { Password: 'pw-1', 'X-Internal': 'int-1', Bucket: 'b' } }, 'call');
    const text = logs.lines.security.join('\n');
    expect(text).not.toMatch(/tok-1|pw-1|int-1/);
    expect(JSON.parse(logs.lines.security[0] ?? '{}')).toMatchObject({
      request: { Bucket: 'b', Password: '[REDACTED]' },
      sessionToken: '[REDACTED]',
    });
  });

  it('offers no-op loggers, and drops writes after close', async () => {
    const noop = createNoopLogFiles();
    noop.errors.error('nothing happens');
    await noop.close();
    const logs = createLogFiles({ directory: dir });
    await logs.close();
    expect(() => logs.production.info('after close')).not.toThrow();
    expect(readFileSync(join(dir, 'inventag_production.log'), 'utf8')).toBe('');
  });

  it('fails with a clear error when the directory cannot be used', () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    let caught: unknown;
    try {
      createLogFiles({ directory: join(file, 'logs') });
    } catch (err) {
      caught = err;
    }
    expect(isLogFilesError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/not-a-dir\/logs: cannot open the log files \(ENOTDIR\)/);
    expect(() => createLogFiles({ directory: dir, maxBytes: 10 })).toThrow(/maxBytes must be a whole number >= 1024/);
  });
});

describe('a log file that cannot be written', () => {
  it.skipIf(process.platform !== 'linux')(
    'counts the dropped lines instead of throwing into the caller (/dev/full)',
    async () => {
      const { RotatingFileDestination } = await import('../../src/logging/index.js');
      const dest = new RotatingFileDestination({ file: '/dev/full' });
      const stderr = process.stderr.write.bind(process.stderr);
      const warnings: string[] = [];
      process.stderr.write = (text: string) => warnings.push(String(text)) > 0;
      try {
        expect(() => dest.write('{"msg":"one"}\n')).not.toThrow();
        dest.write('{"msg":"two"}\n');
      } finally {
        process.stderr.write = stderr;
        dest.close();
      }
      expect(dest.droppedLines).toBe(2);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/cannot write \/dev\/full: ENOSPC/);
    },
  );
});
