import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

// The library examples the README shows are these files; they must run as a user would run them.
const dir = join(ROOT, 'examples', 'library');
const run = (file: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(dir, file)],
      { cwd: ROOT, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

describe('library examples', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.mjs')))('%s runs and exits 0', async (file) => {
    const r = await run(file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('print what the README says they print', async () => {
    expect((await run('validate.mjs')).stdout).toMatch(/blocked lambda:InvokeFunction \(mutating, risk HIGH\)/);
    expect((await run('guard-a-client.mjs')).stdout).toMatch(/blocked: s3:DeleteBucket \(Write, risk HIGH\)/);
    expect((await run('ci-gate.mjs')).stdout).toMatch(/Compliance check passed: 100% compliant/);
  });

  it('are quoted in the README as they are', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const file of ['validate.mjs', 'guard-a-client.mjs', 'ci-gate.mjs']) {
      const body = readFileSync(join(dir, file), 'utf8').trim();
      expect(readme, file).toContain(body);
    }
  });
});
