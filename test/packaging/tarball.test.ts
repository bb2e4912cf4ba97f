import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { writeConsumerApp } from '../support/consumerLock.js';

// The package as a user gets it: `npm pack`, then `npm install <tgz>` into a fresh app, then every kind of consumer.
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, unknown>;
  bin: Record<string, string>;
};
const app = mkdtempSync(join(tmpdir(), 'inventag-consumer-'));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NODE_TYPES = join(ROOT, 'node_modules', '@types');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? app,
        // No npm_package_* of this repository: the consumer app's view only.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? app,
          NO_COLOR: '1',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...options.env,
        },
        maxBuffer: 32 * 1024 * 1024,
        timeout: 240_000,
      },
      (err, stdout, stderr) =>
        resolve({
          code: err ? Number((err as { code?: number }).code ?? 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

/** `tsc --noEmit --strict` of `files` in `dir` with `options`: no output and exit 0 when they type-check. */
async function typeCheck(dir: string, fileNames: string[], options: Record<string, unknown>): Promise<void> {
  const compilerOptions = {
    ...options,
    target: 'es2022',
    strict: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [NODE_TYPES],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: fileNames }));
  const r = await run(process.execPath, [TSC, '-p', dir]);
  expect(r.stdout + r.stderr).toBe('');
  expect(r.code).toBe(0);
}

let files: string[] = [];
let tarball = '';
beforeAll(async () => {
  // The tarball from the built dist/ (the suite builds first), then a consumer app that installs it once.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', app], { cwd: ROOT });
  expect(packed.code, packed.stderr).toBe(0);
  const info = JSON.parse(packed.stdout) as {
    filename: string;
    integrity: string;
    files: { path: string }[];
  }[];
  tarball = join(app, info[0]!.filename);
  files = info[0]!.files.map((f) => f.path);
  // The app's lock pins this repository's locked versions, so the install needs only the npm cache.
  writeConsumerApp(ROOT, app, info[0]!.filename, info[0]!.integrity);
  // --ignore-scripts: better-sqlite3 would compile from source (no prebuilt binaries are reachable here); the
  // addon this repository built for the same better-sqlite3 version and Node is copied in instead.
  const installed = await run('npm', [
    'install',
    tarball,
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--loglevel=error',
  ]);
  expect(installed.code, installed.stderr).toBe(0);
  const addon = join('node_modules', 'better-sqlite3', 'build', 'Release');
  mkdirSync(join(app, addon), { recursive: true });
  copyFileSync(join(ROOT, addon, 'better_sqlite3.node'), join(app, addon, 'better_sqlite3.node'));
}, 300_000);
afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('the tarball', () => {
  it('ships dist, docs, schemas and examples; no SQLite -wal/-shm leftovers, no source maps into an unshipped src/', () => {
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('dist/cli/inventag.cjs');
    expect(pkg.bin).toEqual({ inventag: './dist/cli/inventag.cjs' });
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(files).toContain('schemas/sarif-2.1.0-rtm.5.json');
    expect(files.filter((f) => f.startsWith('docs/')).length).toBeGreaterThan(3);
    expect(files.filter((f) => /-(wal|shm|journal)$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
    expect(files).not.toContain('scripts/build-catalog.mjs');
    // The subpaths of issue 14/15 ship with their declarations.
    for (const sub of ['wire', 'gateway', 'sessions', 'org']) {
      expect(pkg.exports, sub).toHaveProperty(`./${sub}`);
      expect(files).toContain(`dist/${sub}/index.js`);
      expect(files).toContain(`dist/${sub}/index.d.ts`);
    }
    // Every docs link of the README resolves inside the package.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const [, link] of readme.matchAll(/\]\((docs\/[^)#]+)/g)) expect(files, link).toContain(link);
  });
});

describe('a consumer app', () => {
  it('ESM: import of the root and of a subpath', async () => {
    const r = await run(process.execPath, [
      '--input-type=module',
      '-e',
      "const m = await import('inventag'); const c = await import('inventag/compliance'); console.log(typeof m.guardClient, typeof c.ComplianceManager);",
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function function');
  });

  it('ESM and CommonJS: the wire, gateway, sessions and org subpaths', async () => {
    const names =
      "[['wire','decodeRequest'],['gateway','GatewayServer'],['sessions','SanctionedRoles'],['org','runOrgCheck']]";
    const esm = await run(process.execPath, [
      '--input-type=module',
      '-e',
      `for (const [s, n] of ${names}) console.log(s, typeof (await import('inventag/' + s))[n]);`,
    ]);
    const cjs = await run(process.execPath, [
      '-e',
      `for (const [s, n] of ${names}) console.log(s, typeof require('inventag/' + s)[n]);`,
    ]);
    const expected = 'wire function\ngateway function\nsessions function\norg function';
    expect(esm.stderr).toBe('');
    expect(esm.stdout.trim()).toBe(expected);
    expect(cjs.stderr).toBe('');
    expect(cjs.stdout.trim()).toBe(expected);
  });

  it('CommonJS: require() of the root and of a subpath (Node 20.19+ loads the ES module)', async () => {
    const r = await run(process.execPath, [
      '-e',
      "const m = require('inventag'); const g = require('inventag/guard'); console.log(typeof m.guardClient, typeof g.guardClient, require('inventag/package.json').version);",
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`function function ${pkg.version}`);
  });

  const consumer = `import { guardClient, isOperationBlockedError } from 'inventag';
import { ComplianceManager } from 'inventag/compliance';
import type { ComprehensiveComplianceReport } from 'inventag/report';
import { GatewayServer, type GatewayOptions } from 'inventag/gateway';
import type { RouteTable } from 'inventag/wire';
import type { SessionsConfig } from 'inventag/sessions';
import type { OrgCheckOptions } from 'inventag/org';
const manager: ComplianceManager | undefined = undefined;
const report: ComprehensiveComplianceReport | undefined = undefined;
type Subpaths = [GatewayOptions, RouteTable, SessionsConfig, OrgCheckOptions];
const subpaths: Subpaths | undefined = undefined;
export const used = [guardClient, isOperationBlockedError, manager, report, GatewayServer, subpaths];
`;
  // Concurrently: each tsc is one process on one core, and a CI machine has two.
  describe.concurrent('type-checks against the installed package', () => {
    it.each([
      // Checking the package's own declarations too (skipLibCheck false) once: a type it names must resolve from its dependencies.
      ['node16', { module: 'node16', moduleResolution: 'node16', skipLibCheck: true }, 'consumer.mts'],
      [
        'nodenext (a CommonJS file)',
        { module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: false },
        'consumer.cts',
      ],
      ['bundler', { module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true }, 'consumer.ts'],
    ])('TypeScript %s: tsc --noEmit --strict passes', { timeout: 240_000 }, async (name, options, file) => {
      const dir = join(app, `ts-${name.split(' ')[0]}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, file), consumer);
      await typeCheck(dir, [file], options);
    });

    it(
      "the README's library examples type-check against the installed package (checkJs, strict)",
      { timeout: 240_000 },
      async () => {
        const dir = join(app, 'readme-examples');
        mkdirSync(dir, { recursive: true });
        const examples = ['validate.mjs', 'guard-a-client.mjs', 'ci-gate.mjs'];
        for (const f of examples) copyFileSync(join(ROOT, 'examples', 'library', f), join(dir, f));
        await typeCheck(dir, examples, {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          allowJs: true,
          checkJs: true,
          skipLibCheck: true,
        });
      },
    );
  });

  it(
    "npx --no-install inventag --version prints the package's version, not the app's",
    { timeout: 180_000 },
    async () => {
      const r = await run('npx', ['--no-install', 'inventag', '--version']);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    },
  );

  it('the installed bin validates from its one bundled file and blocks a write with exit 3', async () => {
    const ok = await run('npx', ['--no-install', 'inventag', 'validate', 'ec2', 'describe_instances', '--json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ isValid: true, iamAction: 'ec2:DescribeInstances' });
    const blocked = await run('npx', ['--no-install', 'inventag', 'validate', 's3', 'PutObject']);
    expect(blocked.code).toBe(3);
    expect(blocked.stdout).toContain('BLOCKED s3:PutObject');
  });

  it('inventag demo runs from the installed package and writes its reports', { timeout: 240_000 }, async () => {
    const out = join(app, 'reports');
    const r = await run('npx', ['--no-install', 'inventag', 'demo', '--out', out]);
    expect(r.stderr).toMatch(
      /^inventag: verifying the audit trail .*node_modules\/inventag\/examples\/demo\/audit\.db$/m,
    );
    r.stderr = r.stderr.replace(/^inventag: .*\n/gm, '');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/The demo ran to completion \(exit 0\)\. On this evidence the verdict is NON-COMPLIANT/);
    const report = JSON.parse(readFileSync(join(out, 'inventag-report.json'), 'utf8')) as { schemaVersion?: unknown };
    expect(report.schemaVersion).toBeDefined();
  });
});
