import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ComplianceMetrics, isMetricsError, writeTextfile } from '../../src/metrics/index.js';
import { knownSnapshot, parsePrometheus, valueOf } from './fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'inventag-textfile-'));
  dirs.push(dir);
  return dir;
}

async function renderKnown(): Promise<string> {
  const metrics = new ComplianceMetrics();
  metrics.update(knownSnapshot());
  return metrics.render();
}

describe('writeTextfile', () => {
  it('writes the metrics for node_exporter and replaces an older file', async () => {
    const dir = tempDir();
    const file = join(dir, 'inventag.prom');
    writeFileSync(file, 'old_metric 1\n');

    await writeTextfile(file, await renderKnown());

    const families = parsePrometheus(readFileSync(file, 'utf8'));
    expect(valueOf(families, 'inventag_total_operations')).toBe(40);
    expect(families.some((f) => f.name === 'old_metric')).toBe(false);
    expect(readdirSync(dir)).toEqual(['inventag.prom']);
  });

  it('refuses a path in a missing directory without creating anything', async () => {
    const dir = tempDir();
    const file = join(dir, 'missing', 'inventag.prom');
    let caught: unknown;
    try {
      await writeTextfile(file, 'x 1\n');
    } catch (err) {
      caught = err;
    }
    expect(isMetricsError(caught) && caught.code).toBe('TEXTFILE_DIR_MISSING');
    expect((caught as Error).message).toBe(
      `cannot write ${file}: the directory ${join(dir, 'missing')} does not exist`,
    );
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves a complete file when the writer is killed mid-write', async () => {
    const dir = tempDir();
    const file = join(dir, 'inventag.prom');
    const text = await renderKnown();
    // Padding makes each write large enough that a kill can land inside one.
    const payload = `${text}${'# padding\n'.repeat(50_000)}`;
    const payloadFile = join(dir, 'payload.txt');
    writeFileSync(payloadFile, payload);
    // The writer runs from the build, as a user's process would (CI builds before testing).
    const moduleUrl = new URL('../../dist/metrics/textfile.js', import.meta.url).href;
    const script = `
      const { writeTextfile } = await import(${JSON.stringify(moduleUrl)});
      const { readFileSync } = await import('node:fs');
      const payload = readFileSync(${JSON.stringify(payloadFile)}, 'utf8');
      for (let i = 0; ; i++) {
        await writeTextfile(${JSON.stringify(file)}, payload);
        if (i === 0) process.stdout.write('first\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    });

    // Readers racing the writer only ever see a whole file.
    for (let i = 0; i < 40; i++) expect(readFileSync(file, 'utf8')).toBe(payload);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    expect(readFileSync(file, 'utf8')).toBe(payload);
    expect(valueOf(parsePrometheus(readFileSync(file, 'utf8')), 'inventag_total_operations')).toBe(40);
    // A temp file the kill left behind is never picked up by the textfile collector (*.prom only).
    expect(readdirSync(dir).filter((name) => name.endsWith('.prom'))).toEqual(['inventag.prom']);
  });
});
