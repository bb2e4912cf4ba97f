import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { trailKey } from '../../scripts/trailFixtures.mjs';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  DigestVerifier,
  IntegrityCode,
  type IntegrityReport,
  listPublicKeys,
  LocalTrailStore,
  parsePublicKeyFile,
  PublicKeyRing,
  S3TrailStore,
  type TrailStore,
} from '../../src/cloudtrail/index.js';
import { guardClient } from '../../src/guard/plugin.js';
import { cloudTrailPublicKeysHandler } from '../support/aws/cloudtrailKeys.js';
import { startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import {
  makeDigestTrail,
  makeSigningKey,
  publicKeyFile,
  servedKey,
  trailFiles,
  type DigestTrail,
  type SigningKey,
} from '../support/digests.js';
import { startS3rver, writeLocalTrail, type S3rverHandle, type TrailFile } from '../support/trails.js';

const BUCKET = 'trail-bucket';
const REGIONS = ['us-east-1', 'eu-west-1'];
const START = new Date('2024-05-01T00:00:00Z');
// Three days of hourly digests in two regions, and two hours more: the digest after the window
// carries the previous signature a local copy has no metadata for.
const HOURS = 74;
const WINDOW = { start: START, end: new Date('2024-05-03T23:59:59Z') };
const IN_WINDOW = 72;

const key: SigningKey = makeSigningKey();
const forger: SigningKey = makeSigningKey();

function ring(keys: SigningKey[] = [key]): PublicKeyRing {
  const r = new PublicKeyRing();
  r.add(parsePublicKeyFile(publicKeyFile(keys), 'keys.json'), 'keys.json');
  return r;
}

const log = (t: DigestTrail, region: string, hour: number): string =>
  t.digests.find((d) => d.region === region && d.hour === hour)!.logKeys[0]!;
const digest = (t: DigestTrail, region: string, hour: number): string =>
  t.digests.find((d) => d.region === region && d.hour === hour)!.key;

/** The intact trail with one of each tampering. */
function tampered(): { trail: DigestTrail; files: TrailFile[]; planted: string } {
  const trail = makeDigestTrail({
    key,
    bucket: BUCKET,
    regions: REGIONS,
    start: START,
    hours: HOURS,
    signer: (region, hour) => (region === 'eu-west-1' && hour === 40 ? forger : undefined),
  });
  const modified = log(trail, 'us-east-1', 5);
  const deleted = log(trail, 'us-east-1', 10);
  const removedDigest = digest(trail, 'us-east-1', 20);
  const badSig = digest(trail, 'us-east-1', 30);
  const planted = trailKey({ region: 'us-east-1', time: new Date('2024-05-01T15:40:00Z'), uniq: 'planted' });
  const files = trailFiles(trail)
    .filter((f) => f.key !== deleted && f.key !== removedDigest)
    .map((f) => {
      if (f.key === modified) return { ...f, raw: gzipSync(JSON.stringify({ Records: [] })) };
      if (f.key === badSig) {
        const d = trail.digests.find((x) => x.key === badSig)!;
        // A field edited after signing: the signature (metadata, or the next digest's) no longer matches.
        return { ...f, raw: gzipSync(JSON.stringify({ ...d.json, newestEventTime: '2024-05-02T06:59:00Z' })) };
      }
      return f;
    });
  files.push({ key: planted, records: [] });
  return { trail, files, planted };
}

const issues = (r: IntegrityReport, root: string): Array<[string, string]> =>
  r.issues.map((i) => [i.code, i.file.slice(root.length).replace(/^\/+/, '')]);

describe('digest validation', () => {
  let dir: string;
  let s3: S3rverHandle;
  let intact: DigestTrail;
  let bad: ReturnType<typeof tampered>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inventag-digest-'));
    intact = makeDigestTrail({ key, bucket: BUCKET, regions: REGIONS, start: START, hours: HOURS });
    writeLocalTrail(join(dir, 'intact'), trailFiles(intact));
    bad = tampered();
    writeLocalTrail(join(dir, 'tampered'), bad.files);
    s3 = await startS3rver(join(dir, 's3rver'));
    await s3.upload(
      BUCKET,
      trailFiles(intact).map((f) => ({ ...f, key: `intact/${f.key}` })),
    );
    await s3.upload(
      BUCKET,
      bad.files.map((f) => ({ ...f, key: `tampered/${f.key}` })),
    );
  });
  afterAll(async () => {
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const verify = (store: TrailStore, options: Partial<ConstructorParameters<typeof DigestVerifier>[1]> = {}) =>
    new DigestVerifier(store, { publicKeys: ring(), ...WINDOW, ...options }).verify();

  test('an intact chain over 3 days and 2 regions verifies, locally and in S3', async () => {
    for (const store of [
      new LocalTrailStore(join(dir, 'intact')),
      new S3TrailStore(BUCKET, 'intact/', { client: s3.client }),
    ]) {
      const r = await verify(store);
      expect(r.issues).toEqual([]);
      expect(r.result).toBe('VERIFIED');
      expect(r.digests).toEqual({ total: 2 * IN_WINDOW, verified: 2 * IN_WINDOW });
      expect(r.logFiles.verified).toBe(2 * IN_WINDOW);
      expect(r.verifiedLogFiles).toHaveLength(2 * IN_WINDOW);
      expect(r.chains.map((c) => [c.region, c.trail, c.digests])).toEqual([
        ['eu-west-1', 'management-events', IN_WINDOW],
        ['us-east-1', 'management-events', IN_WINDOW],
      ]);
    }
  });

  test('a local copy says which digests could not be checked: the newest of each chain', async () => {
    const r = await verify(new LocalTrailStore(join(dir, 'intact')), { start: undefined, end: undefined });
    expect(r.result).toBe('NOT_VERIFIED');
    expect(issues(r, join(dir, 'intact'))).toEqual(
      [
        [IntegrityCode.DIGEST_UNCHECKED, digest(intact, 'eu-west-1', HOURS - 1)],
        [IntegrityCode.LOG_UNVERIFIED, log(intact, 'eu-west-1', HOURS - 1)],
        [IntegrityCode.DIGEST_UNCHECKED, digest(intact, 'us-east-1', HOURS - 1)],
        [IntegrityCode.LOG_UNVERIFIED, log(intact, 'us-east-1', HOURS - 1)],
      ].sort((a, b) => (a[1]! < b[1]! ? -1 : 1)),
    );
    // The same files in S3 carry their signatures: everything verifies.
    const s = await verify(new S3TrailStore(BUCKET, 'intact/', { client: s3.client }), {
      start: undefined,
      end: undefined,
    });
    expect(s.result).toBe('VERIFIED');
    expect(s.digests.verified).toBe(2 * HOURS);
  });

  test('each tampering is reported with its class and file; the rest verifies (local copy)', async () => {
    const root = join(dir, 'tampered');
    const r = await verify(new LocalTrailStore(root));
    expect(r.result).toBe('TAMPERED');
    const t = bad.trail;
    expect(issues(r, root)).toEqual(
      [
        [IntegrityCode.LOG_MODIFIED, log(t, 'us-east-1', 5)],
        [IntegrityCode.LOG_DELETED, log(t, 'us-east-1', 10)],
        [IntegrityCode.LOG_NOT_COVERED, bad.planted],
        [IntegrityCode.CHAIN_GAP, digest(t, 'us-east-1', 20)],
        // Its log file is no longer listed by any digest present.
        [IntegrityCode.LOG_NOT_COVERED, log(t, 'us-east-1', 20)],
        // Locally, the digest before the missing one has nobody left to vouch for its signature.
        [IntegrityCode.DIGEST_UNCHECKED, digest(t, 'us-east-1', 19)],
        [IntegrityCode.LOG_UNVERIFIED, log(t, 'us-east-1', 19)],
        [IntegrityCode.DIGEST_BAD_SIGNATURE, digest(t, 'us-east-1', 30)],
        [IntegrityCode.LOG_UNVERIFIED, log(t, 'us-east-1', 30)],
        [IntegrityCode.DIGEST_UNKNOWN_KEY, digest(t, 'eu-west-1', 40)],
        [IntegrityCode.LOG_UNVERIFIED, log(t, 'eu-west-1', 40)],
      ].sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : a[0]! < b[0]! ? -1 : 1)),
    );
    const gap = r.issues.find((i) => i.code === IntegrityCode.CHAIN_GAP)!;
    expect(gap.digest).toBe(join(root, digest(t, 'us-east-1', 21)));
    expect(r.digests).toEqual({ total: 2 * IN_WINDOW - 1, verified: 2 * IN_WINDOW - 4 });
    expect(r.logFiles.verified).toBe(2 * IN_WINDOW - 6);
  });

  test('the same tampering in S3 (signatures from x-amz-meta-signature), keys from ListPublicKeys through the guard', async () => {
    const server: AwsTestServer = await startAwsServer({
      handlers: [cloudTrailPublicKeysHandler({ keys: { 'us-east-1': [servedKey(key)] } })],
    });
    const client = guardClient(
      new CloudTrailClient({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
      }),
    );
    try {
      const r = await verify(new S3TrailStore(BUCKET, 'tampered/', { client: s3.client }), {
        publicKeys: (home, from, to) => {
          expect(home).toBe('us-east-1');
          return listPublicKeys(client, from, to);
        },
      });
      expect(server.count({ service: 'cloudtrail', operation: 'ListPublicKeys' })).toBe(1);
      const t = bad.trail;
      const root = `s3://${BUCKET}/tampered/`;
      expect(issues(r, root)).toEqual(
        [
          [IntegrityCode.LOG_MODIFIED, log(t, 'us-east-1', 5)],
          [IntegrityCode.LOG_DELETED, log(t, 'us-east-1', 10)],
          [IntegrityCode.LOG_NOT_COVERED, bad.planted],
          [IntegrityCode.CHAIN_GAP, digest(t, 'us-east-1', 20)],
          [IntegrityCode.LOG_NOT_COVERED, log(t, 'us-east-1', 20)],
          [IntegrityCode.DIGEST_BAD_SIGNATURE, digest(t, 'us-east-1', 30)],
          [IntegrityCode.LOG_UNVERIFIED, log(t, 'us-east-1', 30)],
          [IntegrityCode.DIGEST_UNKNOWN_KEY, digest(t, 'eu-west-1', 40)],
          [IntegrityCode.LOG_UNVERIFIED, log(t, 'eu-west-1', 40)],
        ].sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : a[0]! < b[0]! ? -1 : 1)),
      );
      expect(r.digests).toEqual({ total: 2 * IN_WINDOW - 1, verified: 2 * IN_WINDOW - 3 });
      expect(r.logFiles.verified).toBe(2 * IN_WINDOW - 5);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  test('same results with one file at a time and with many', async () => {
    const root = join(dir, 'tampered');
    const one = await verify(new LocalTrailStore(root), { concurrency: 1 });
    const many = await verify(new LocalTrailStore(root), { concurrency: 16 });
    expect(many.issues).toEqual(one.issues);
    expect(many.verifiedLogFiles).toEqual(one.verifiedLogFiles);
  });

  test('a key file that does not parse is refused with the entry and field named', () => {
    expect(() => parsePublicKeyFile('{', 'k.json')).toThrow(/k\.json is not valid JSON/);
    expect(() => parsePublicKeyFile('{"keys":[]}', 'k.json')).toThrow(/expected \{"PublicKeyList"/);
    expect(() => parsePublicKeyFile('{"PublicKeyList":[{"Fingerprint":"ab","Value":"AAAA"}]}', 'k.json')).toThrow(
      /PublicKeyList\[0\]\.Value \(fingerprint ab\) does not parse as a DER PKCS #1 RSA public key/,
    );
    expect(() => parsePublicKeyFile('{"PublicKeyList":[{"Value":"AAAA"}]}', 'k.json')).toThrow(
      /PublicKeyList\[0\]\.Fingerprint: expected a hex string/,
    );
  });
});
