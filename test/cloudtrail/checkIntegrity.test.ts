import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IDENTITIES } from '../../scripts/trailFixtures.mjs';
import { cloudTrailPublicKeysHandler, cloudTrailTrailsHandler } from '../support/aws/cloudtrailKeys.js';
import { describeRegionsHandler } from '../support/aws/ec2.js';
import { iamHandler } from '../support/aws/iam.js';
import { startAwsServer, stsHandler, type AwsTestServer } from '../support/awsServer.js';
import { runCli } from '../support/cli.js';
import {
  makeDigestTrail,
  makeSigningKey,
  publicKeyFile,
  servedKey,
  trailFiles,
  type DigestTrail,
} from '../support/digests.js';
import { startS3rver, writeLocalTrail, type S3rverHandle, type TrailFile } from '../support/trails.js';

// `inventag check` on trail files with log file validation: the CloudTrail control (ISO 27001 A.5.28, collection
// of evidence) is PASS only when every file read verified, FAIL with a CRITICAL finding naming a modified file,
// NOT_EVALUATED with the reason when there are no digests. Reports are read as a user reads them: from disk.
const BUCKET = 'trail-bucket';
const principal = IDENTITIES.inventory;
const key = makeSigningKey();
const REGIONS = ['us-east-1', 'eu-west-1'];

interface Report {
  complianceStatus: { verdict: string; isCompliant: boolean; inconclusiveReasons?: string[] };
  sections: { cloudtrail: { status: string; summary: string; facts: Record<string, unknown> } };
  findings: { code: string; severity: string; title: string; description: string }[];
  controls: { id: string; status: string; evidence: string }[];
}

const readReport = (out: string): Report =>
  JSON.parse(readFileSync(join(out, 'inventag-report.json'), 'utf8')) as Report;
const control = (r: Report, id: string) => r.controls.find((c) => c.id === id)!;

/** The trail with one log file's content changed (a record removed): its digest still lists the old hash. */
function modified(t: DigestTrail, which: string): TrailFile[] {
  return trailFiles(t).map((f) => {
    if (f.key !== which) return f;
    const doc = JSON.parse(gunzipSync(f.raw!).toString('utf8')) as { Records: unknown[] };
    return { key: f.key, raw: gzipSync(JSON.stringify({ Records: doc.Records.slice(1) })) };
  });
}
const logsOnly = (t: DigestTrail): TrailFile[] => trailFiles(t).filter((f) => !f.key.includes('CloudTrail-Digest'));

describe('check --evidence: CloudTrail files verified against their digests', () => {
  // Six hourly digests per region; the last hour delivered no log file, so the newest digest (whose signature a
  // local copy does not keep) lists none of the files read.
  const trail = makeDigestTrail({
    key,
    bucket: BUCKET,
    regions: REGIONS,
    start: new Date('2024-05-01T00:00:00Z'),
    hours: 6,
    logHours: 5,
  });
  const target = trail.digests[2]!.logKeys[0]!;
  let dir: string;
  let keys: string;

  const evidence = (name: string, files: TrailFile[]): string => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(
      join(d, 'identity.json'),
      JSON.stringify({ Arn: principal.arn, UserId: 'AROAEXAMPLE:inventag', Account: '123456789012' }),
    );
    writeLocalTrail(join(d, 'cloudtrail'), files);
    return d;
  };
  const check = (d: string, out: string, extra: string[] = []) =>
    runCli(['check', '--evidence', d, '--standard', 'iso27001', '--format', 'json', '--out', out, '--quiet', ...extra]);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'inventag-check-integrity-'));
    keys = join(dir, 'keys.json');
    writeFileSync(keys, publicKeyFile([key]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('intact digests: the files read are verified, A.5.28 PASS, COMPLIANT (exit 0)', async () => {
    const out = join(dir, 'r-intact');
    const run = await check(evidence('intact', trailFiles(trail)), out, ['--public-keys', keys]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const r = readReport(out);
    expect(r.complianceStatus.verdict).toBe('COMPLIANT');
    expect(r.sections.cloudtrail.status).toBe('PASS');
    expect(r.sections.cloudtrail.facts).toMatchObject({ integrity: 'VERIFIED', filesRead: 10, filesVerified: 10 });
    expect(r.sections.cloudtrail.summary).toMatch(/all 10 file\(s\) read verified against 10 signed digest\(s\)/);
    expect(control(r, 'A.5.28')).toMatchObject({ status: 'PASS' });
    expect(control(r, 'A.5.28').evidence).toMatch(/all 10 trail file\(s\) read verified/);
    expect(r.findings.filter((f) => /^cloudtrail-(tampered|unverified)$/.test(f.code))).toEqual([]);
  });

  test('one log file modified: A.5.28 FAIL, a CRITICAL finding naming the file, NON_COMPLIANT (exit 1)', async () => {
    const out = join(dir, 'r-modified');
    const run = await check(evidence('modified', modified(trail, target)), out, ['--public-keys', keys]);
    expect(run.code).toBe(1);
    const r = readReport(out);
    expect(r.complianceStatus.verdict).toBe('NON_COMPLIANT');
    expect(r.sections.cloudtrail.status).toBe('FAIL');
    expect(r.sections.cloudtrail.facts).toMatchObject({ integrity: 'TAMPERED', filesVerified: 9 });
    const tamper = r.findings.filter((f) => f.code === 'cloudtrail-tampered');
    expect(tamper).toHaveLength(1);
    expect(tamper[0]!.severity).toBe('CRITICAL');
    expect(tamper[0]!.title).toContain(`${basename(target)} modified`);
    expect(tamper[0]!.description).toContain(
      `LOG_MODIFIED ${join(dir, 'modified', 'cloudtrail', ...target.split('/'))}`,
    );
    expect(control(r, 'A.5.28').status).toBe('FAIL');
    // What tampered files show decides nothing: the controls they alone would pass are not evaluated.
    expect(control(r, 'A.8.32').status).toBe('NOT_EVALUATED');
  });

  test('no digests: A.5.28 NOT_EVALUATED with the reason, INCONCLUSIVE (exit 1), the same reason everywhere', async () => {
    const out = join(dir, 'r-none');
    const run = await check(evidence('none', logsOnly(trail)), out, ['--public-keys', keys]);
    expect(run.code).toBe(1);
    const r = readReport(out);
    expect(r.complianceStatus.verdict).toBe('INCONCLUSIVE');
    expect(r.complianceStatus.inconclusiveReasons).toEqual([
      expect.stringMatching(
        /the CloudTrail files read are not verified: no digest file under .*log file validation is not enabled/,
      ),
    ]);
    expect(r.sections.cloudtrail.status).toBe('NOT_EVALUATED');
    expect(r.sections.cloudtrail.facts).toMatchObject({ integrity: 'NOT_EVALUATED', digests: 0, filesVerified: 0 });
    expect(control(r, 'A.5.28').status).toBe('NOT_EVALUATED');
    expect(control(r, 'A.5.28').evidence).toMatch(/no digest file under/);
    // What the files show still counts: no write by the principal.
    expect(control(r, 'A.5.15').status).toBe('PASS');
    expect(r.findings.map((f) => `${f.code}:${f.severity}`)).toContain('cloudtrail-unverified:MEDIUM');
    // The dashboard and the metrics of the same evidence say the same.
    const metrics = await runCli(['metrics', 'write', '-', '--evidence', join(dir, 'none')]);
    expect(metrics.code, metrics.stderr).toBe(0);
    expect(metrics.stdout).toMatch(/^inventag_compliant 0$/m);
    expect(metrics.stdout).toMatch(/^inventag_findings\{severity="MEDIUM"\} 1$/m);
  });

  test('digests without public keys: NOT_EVALUATED, and the reason says how to give them', async () => {
    const out = join(dir, 'r-nokeys');
    const run = await check(evidence('nokeys', trailFiles(trail)), out);
    expect(run.code).toBe(1);
    const r = readReport(out);
    expect(r.complianceStatus.verdict).toBe('INCONCLUSIVE');
    expect(control(r, 'A.5.28').evidence).toMatch(
      /12 digest file\(s\) .*no CloudTrail public keys.*--public-keys FILE/,
    );
  });

  test('a --public-keys file that does not parse is bad input (exit 2)', async () => {
    const bad = join(dir, 'bad-keys.json');
    writeFileSync(bad, JSON.stringify({ PublicKeyList: [{ Fingerprint: 'abcd', Value: 'bm90IGEga2V5' }] }));
    const run = await check(join(dir, 'intact'), join(dir, 'r-bad'), ['--public-keys', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad-keys\.json: PublicKeyList\[0\]\.Value \(fingerprint abcd\) does not parse/);
  });
});

describe('check against AWS: trail files in S3, keys from ListPublicKeys, validation from DescribeTrails', () => {
  const hour = 3_600_000;
  // Recent hours, inside the default 24-hour window; every digest in S3 carries its signature.
  const start = new Date(Math.floor(Date.now() / hour) * hour - 6 * hour);
  const trail = makeDigestTrail({ key, bucket: BUCKET, regions: REGIONS, start, hours: 6 });
  const target = trail.digests[8]!.logKeys[0]!;
  let dir: string;
  let s3: S3rverHandle;
  let server: AwsTestServer;
  const readOnly = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*', 's3:Get*', 's3:List*', 'cloudtrail:*'], Resource: '*' }],
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inventag-check-integrity-s3-'));
    s3 = await startS3rver(join(dir, 's3rver'));
    const under = (prefix: string, files: TrailFile[]) => files.map((f) => ({ ...f, key: `${prefix}/${f.key}` }));
    await s3.upload(BUCKET, [
      ...under('intact', trailFiles(trail)),
      ...under('modified', modified(trail, target)),
      ...under('nodigests', logsOnly(trail)),
    ]);
    server = await startAwsServer({
      handlers: [
        stsHandler({ account: '123456789012', arn: String(principal.arn), userId: String(principal.principalId) }),
        iamHandler({
          policies: { 'arn:aws:iam::aws:policy/ReadOnlyLike': { document: readOnly } },
          roles: { InventoryReadOnly: { attached: ['arn:aws:iam::aws:policy/ReadOnlyLike'] } },
        }),
        describeRegionsHandler('us-east-1'),
        cloudTrailPublicKeysHandler({ keys: { 'us-east-1': [servedKey(key)] } }),
        cloudTrailTrailsHandler([
          {
            name: 'management-events',
            homeRegion: 'us-east-1',
            bucket: BUCKET,
            prefix: 'intact',
            logFileValidation: true,
          },
          { name: 'legacy', homeRegion: 'us-east-1', bucket: BUCKET, prefix: 'nodigests', logFileValidation: false },
        ]),
      ],
    });
  });
  afterAll(async () => {
    await s3?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const checkS3 = async (prefix: string): Promise<{ code: number | null; stderr: string; report: Report }> => {
    const cwd = join(dir, prefix);
    mkdirSync(cwd, { recursive: true });
    writeFileSync(
      join(cwd, 'inventag.config.json'),
      JSON.stringify({ complianceStandard: 'iso27001', cloudtrail: { trailSource: `s3://${BUCKET}/${prefix}` } }),
    );
    const run = await runCli(['check', '--out', join(cwd, 'reports'), '--format', 'json', '--quiet'], {
      cwd,
      env: {
        AWS_ENDPOINT_URL: server.url,
        AWS_ENDPOINT_URL_S3: s3.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_CONFIG_FILE: join(dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
        INVENTAG_DATA_DIRECTORY: join(cwd, 'data'),
      },
    });
    return { code: run.code, stderr: run.stderr, report: readReport(join(cwd, 'reports')) };
  };

  test('intact: verified with the keys ListPublicKeys serves (through the guard), A.5.28 PASS', async () => {
    const before = server.count({ service: 'cloudtrail', operation: 'ListPublicKeys' });
    const { code, stderr, report } = await checkS3('intact');
    expect(report.sections.cloudtrail.facts, stderr).toMatchObject({ integrity: 'VERIFIED', filesVerified: 12 });
    expect(control(report, 'A.5.28').status).toBe('PASS');
    expect(server.count({ service: 'cloudtrail', operation: 'ListPublicKeys' })).toBeGreaterThan(before);
    // The probes, policies and audit correlation decide the rest; validation adds no finding.
    expect(report.findings.filter((f) => /^cloudtrail-(tampered|unverified)$/.test(f.code))).toEqual([]);
    expect([0, 1]).toContain(code);
  });

  test('one log file modified in the bucket: FAIL and a CRITICAL finding naming the S3 object', async () => {
    const { code, report } = await checkS3('modified');
    expect(code).toBe(1);
    expect(report.complianceStatus.verdict).toBe('NON_COMPLIANT');
    const tamper = report.findings.find((f) => f.code === 'cloudtrail-tampered')!;
    expect(tamper.severity).toBe('CRITICAL');
    expect(tamper.title).toContain(`${basename(target)} modified`);
    expect(tamper.description).toContain(`s3://${BUCKET}/modified/${target}`);
    expect(control(report, 'A.5.28').status).toBe('FAIL');
  });

  test('no digests: NOT_EVALUATED, the reason from DescribeTrails (validation not enabled on the trail)', async () => {
    const { code, report } = await checkS3('nodigests');
    expect(code).toBe(1);
    expect(control(report, 'A.5.28').status).toBe('NOT_EVALUATED');
    expect(control(report, 'A.5.28').evidence).toMatch(
      /log file validation is not enabled on legacy \(cloudtrail:DescribeTrails: LogFileValidationEnabled false\)/,
    );
    expect(server.count({ service: 'cloudtrail', operation: 'DescribeTrails' })).toBeGreaterThan(0);
  });
});
