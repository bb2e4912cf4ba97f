import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { knownSnapshot, parsePrometheus, valueOf } from './fixtures.js';
import { CLI } from '../support/cli.js';

const ENTRY = CLI;
const TOKEN = 'cli-token-0123456789abcdef';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function workDir(): { dir: string; snapshot: string } {
  const dir = mkdtempSync(join(tmpdir(), 'inventag-metrics-cli-'));
  dirs.push(dir);
  const snapshot = join(dir, 'snapshot.json');
  writeFileSync(snapshot, JSON.stringify(knownSnapshot()));
  return { dir, snapshot };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args], { env: { ...process.env, ...env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts a long-running command and resolves with the first stdout line (where it says it listens). */
function startServing(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    children.push(child);
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, line });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening: ${err}`)));
  });
}

describe('inventag metrics write', () => {
  it('writes a complete textfile from a snapshot', async () => {
    const { dir, snapshot } = workDir();
    const file = join(dir, 'inventag.prom');

    const result = await run(['metrics', 'write', file, '--snapshot', snapshot]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const families = parsePrometheus(readFileSync(file, 'utf8'));
    expect(valueOf(families, 'inventag_compliance_score')).toBe(87.5);
    expect(valueOf(families, 'inventag_blocked_operations')).toBe(4);
  });

  it('prints to stdout with "-"', async () => {
    const { snapshot } = workDir();
    const result = await run(['metrics', 'write', '-', '--snapshot', snapshot]);
    expect(result.code).toBe(0);
    expect(valueOf(parsePrometheus(result.stdout), 'inventag_total_operations')).toBe(40);
  });

  it('exits 2 naming a missing directory, and creates nothing', async () => {
    const { dir, snapshot } = workDir();
    const file = join(dir, 'nope', 'inventag.prom');
    const result = await run(['metrics', 'write', file, '--snapshot', snapshot]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`inventag: cannot write ${file}: the directory ${join(dir, 'nope')} does not exist\n`);
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });

  it('exits 2 naming the field of a bad snapshot file', async () => {
    const { dir } = workDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ ...knownSnapshot(), dashboard: { ...knownSnapshot().dashboard, complianceScore: 'high' } }),
    );
    const result = await run(['metrics', 'write', '-', '--snapshot', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${bad} is not a compliance snapshot: dashboard.complianceScore:`);
    expect(result.stdout).toBe('');
  });

  it('pushes to a Pushgateway; an unreachable one exits 6 and still leaves the textfile written', async () => {
    const { dir, snapshot } = workDir();
    const bodies: string[] = [];
    const gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.url}\n${body}`);
        res.end();
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const { port } = gateway.address() as AddressInfo;
    try {
      const pushed = await run([
        'metrics',
        'write',
        '--snapshot',
        snapshot,
        '--pushgateway',
        `http://127.0.0.1:${port}`,
        '--group',
        'instance=ci',
      ]);
      expect(pushed).toMatchObject({ code: 0, stderr: '' });
      expect(bodies[0]).toMatch(/^PUT \/metrics\/job\/inventag\/instance\/ci\n/);
      expect(bodies[0]).toContain('inventag_risk_score 42\n');
    } finally {
      await new Promise((resolve) => gateway.close(resolve));
    }

    const file = join(dir, 'inventag.prom');
    const failed = await run([
      'metrics',
      'write',
      file,
      '--snapshot',
      snapshot,
      '--pushgateway',
      `http://127.0.0.1:${port}`,
    ]);
    expect(failed.code).toBe(6);
    expect(failed.stderr).toBe(`inventag: cannot reach the Pushgateway at http://127.0.0.1:${port}/: ECONNREFUSED\n`);
    expect(valueOf(parsePrometheus(readFileSync(file, 'utf8')), 'inventag_total_operations')).toBe(40);
    expect(readdirSync(dir).sort()).toEqual(['inventag.prom', 'snapshot.json']);
  });
});

describe('inventag metrics serve and inventag dashboard', () => {
  it('serves /metrics until stopped, and exits 0 on SIGTERM', async () => {
    const { snapshot } = workDir();
    const { child, line } = await startServing(['metrics', 'serve', '--port', '0', '--snapshot', snapshot]);
    const url = /^serving metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)$/.exec(line)?.[1];
    expect(url).toBeDefined();

    const families = parsePrometheus(await (await fetch(url!)).text());
    expect(valueOf(families, 'inventag_success_rate')).toBe(80);

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start on a non-loopback address without a token (exit 2)', async () => {
    const { snapshot } = workDir();
    for (const command of [['dashboard'], ['metrics', 'serve']]) {
      const result = await run([...command, '--host', '0.0.0.0', '--port', '0', '--snapshot', snapshot], {
        INVENTAG_TOKEN: '',
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('refusing to listen on 0.0.0.0: it is not a loopback address');
    }
  });

  it('exits 2 when the port is in use, leaving the other server running', async () => {
    const { snapshot } = workDir();
    const { line } = await startServing(['dashboard', '--port', '0', '--snapshot', snapshot]);
    const port = Number(/:(\d+)\//.exec(line)?.[1]);

    const result = await run(['dashboard', '--port', String(port), '--snapshot', snapshot]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`inventag: port ${port} on 127.0.0.1 is already in use; choose another with --port\n`);
    expect((await fetch(`http://127.0.0.1:${port}/api/dashboard`)).status).toBe(200);
  });

  it('with a token from the environment: 401 without it, data with it, and the token is not printed', async () => {
    const { snapshot } = workDir();
    const child = spawn(
      process.execPath,
      [ENTRY, 'dashboard', '--host', '0.0.0.0', '--port', '0', '--snapshot', snapshot],
      {
        env: { ...process.env, INVENTAG_TOKEN: TOKEN },
      },
    );
    children.push(child);
    const line = await new Promise<string>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
    );
    expect(line).toMatch(/^dashboard at http:\/\/0\.0\.0\.0:\d+\/\?token=<your token>$/);
    const port = Number(/:(\d+)\//.exec(line)?.[1]);

    expect((await fetch(`http://127.0.0.1:${port}/api/dashboard`)).status).toBe(401);
    const ok = await fetch(`http://127.0.0.1:${port}/api/dashboard`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(((await ok.json()) as { complianceScore: number }).complianceScore).toBe(87.5);
  });

  it('rejects a bad port with exit 2', async () => {
    const result = await run(['dashboard', '--port', '70000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port must be a whole number from 0 to 65535, got "70000"');
  });
});
