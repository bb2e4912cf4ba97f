import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cloudTrailPublicKeysHandler } from '../support/aws/cloudtrailKeys.js';
import { startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { runCli } from '../support/cli.js';
import { makeDigestTrail, makeSigningKey, publicKeyFile, servedKey, trailFiles } from '../support/digests.js';
import { startS3rver, writeLocalTrail, type S3rverHandle } from '../support/trails.js';

const BUCKET = 'trail-bucket';
const key = makeSigningKey();
const trail = makeDigestTrail({
  key,
  bucket: BUCKET,
  regions: ['us-east-1', 'eu-west-1'],
  start: new Date('2024-05-01T00:00:00Z'),
  hours: 6,
});
const WINDOW = ['--start', '2024-05-01T00:00:00Z', '--end', '2024-05-01T04:59:59Z'];

describe('inventag cloudtrail verify', () => {
  let dir: string;
  let keys: string;
  let s3: S3rverHandle;
  let server: AwsTestServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inventag-verify-cli-'));
    writeLocalTrail(join(dir, 'intact'), trailFiles(trail));
    keys = join(dir, 'keys.json');
    writeFileSync(keys, publicKeyFile([key]));
    const deleted = trail.digests[2]!.logKeys[0]!;
    s3 = await startS3rver(join(dir, 's3rver'));
    await s3.upload(
      BUCKET,
      trailFiles(trail)
        .filter((f) => f.key !== deleted)
        .map((f) => ({ ...f, key: `t/${f.key}` })),
    );
    server = await startAwsServer({
      handlers: [cloudTrailPublicKeysHandler({ keys: { 'us-east-1': [servedKey(key)] } })],
    });
  });
  afterAll(async () => {
    await s3?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an intact local copy verifies with --public-keys (exit 0)', async () => {
    const run = await runCli(['cloudtrail', 'verify', join(dir, 'intact'), ...WINDOW, '--public-keys', keys]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/10 of 10 digests verified; 10 log files verified/);
    expect(run.stdout).toMatch(/Result: VERIFIED/);
  });

  test('without a window, the newest digests of a local copy cannot be checked: named, exit 1', async () => {
    const run = await runCli(['cloudtrail', 'verify', join(dir, 'intact'), '--public-keys', keys]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(`unchecked .*${trail.digests[5]!.key.split('/').pop()!.replace('.', '\\.')}`),
    );
    expect(run.stdout).toMatch(/Result: NOT VERIFIED/);
  });

  test('in S3, keys from ListPublicKeys through the guard: a deleted log file exits 4, named in the JSON', async () => {
    const run = await runCli(['cloudtrail', 'verify', `s3://${BUCKET}/t`, '--path-style', '--json'], {
      env: {
        AWS_ENDPOINT_URL: server.url,
        AWS_ENDPOINT_URL_S3: s3.url,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_REGION: 'us-east-1',
      },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(4);
    const out = JSON.parse(run.stdout);
    expect(out.result).toBe('TAMPERED');
    expect(out.issues).toEqual([
      expect.objectContaining({
        code: 'LOG_DELETED',
        file: `s3://${BUCKET}/t/${trail.digests[2]!.logKeys[0]}`,
        digest: `s3://${BUCKET}/t/${trail.digests[2]!.key}`,
      }),
    ]);
    expect(out.digests).toEqual({ total: 12, verified: 12 });
    expect(server.count({ service: 'cloudtrail', operation: 'ListPublicKeys' })).toBe(1);
  });

  test('a digest that is not gzip, or not JSON, is named with what is wrong (exit 4)', async () => {
    const root = join(dir, 'broken');
    writeLocalTrail(root, trailFiles(trail));
    writeFileSync(join(root, ...trail.digests[1]!.key.split('/')), 'plain text');
    writeFileSync(join(root, ...trail.digests[7]!.key.split('/')), gzipSync('{"awsAccountId": '));
    const run = await runCli(['cloudtrail', 'verify', root, ...WINDOW, '--public-keys', keys]);
    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(
      new RegExp(
        `invalid digest .*${trail.digests[1]!.key.split('/').pop()!.replace('.', '\\.')}: not a valid gzip file`,
      ),
    );
    expect(run.stdout).toMatch(
      new RegExp(`invalid digest .*${trail.digests[7]!.key.split('/').pop()!.replace('.', '\\.')}: not valid JSON`),
    );
    expect(run.stdout).toMatch(/Result: TAMPERED/);
  });

  test('a window without digests, and a key file that does not parse, are bad input (exit 2)', async () => {
    const empty = await runCli([
      'cloudtrail',
      'verify',
      join(dir, 'intact'),
      '--start',
      '2023-01-01T00:00:00Z',
      '--end',
      '2023-01-02T00:00:00Z',
      '--public-keys',
      keys,
    ]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no digest files under .* for 2023-01-01T00:00:00.000Z .. 2023-01-02T00:00:00.000Z/);
    expect(empty.stderr).toMatch(/LogFileValidationEnabled/);

    const badKey = join(dir, 'bad-key.json');
    writeFileSync(badKey, JSON.stringify({ PublicKeyList: [{ Fingerprint: 'abcd', Value: 'bm90IGEga2V5' }] }));
    const unparsable = await runCli(['cloudtrail', 'verify', join(dir, 'intact'), '--public-keys', badKey]);
    expect(unparsable.code).toBe(2);
    expect(unparsable.stderr).toMatch(/bad-key\.json: PublicKeyList\[0\]\.Value \(fingerprint abcd\) does not parse/);

    const missing = await runCli([
      'cloudtrail',
      'verify',
      join(dir, 'intact'),
      '--public-keys',
      join(dir, 'nope.json'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the public key file .*nope\.json: ENOENT/);
  });
});
