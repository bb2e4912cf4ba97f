/**
 * CloudTrail trails with log file validation, made by the tests: hourly
 * digest files in the documented format and layout, chained by the previous
 * digest's signature and signed SHA256withRSA with a key pair made here (it
 * stands in for AWS's regional key; the loopback server's ListPublicKeys
 * serves its public half).
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { backgroundRecords, DEMO_ACCOUNT, trailKey } from '../../scripts/trailFixtures.mjs';
import type { ServedPublicKey } from './aws/cloudtrailKeys.js';
import type { TrailFile } from './trails.js';

export interface SigningKey {
  privateKey: KeyObject;
  /** DER PKCS #1 public key, as ListPublicKeys returns it. */
  der: Buffer;
  fingerprint: string;
}

export function makeSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'pkcs1', format: 'der' });
  return { privateKey, der, fingerprint: createHash('md5').update(der).digest('hex') };
}

export function servedKey(key: SigningKey, from = new Date('2020-01-01T00:00:00Z')): ServedPublicKey {
  return {
    fingerprint: key.fingerprint,
    der: key.der,
    validityStart: from,
    validityEnd: new Date('2030-01-01T00:00:00Z'),
  };
}

/** `aws cloudtrail list-public-keys` output for these keys. */
export function publicKeyFile(keys: SigningKey[]): string {
  return JSON.stringify({
    PublicKeyList: keys.map((k) => ({
      Value: k.der.toString('base64'),
      ValidityStartTime: '2020-01-01T00:00:00Z',
      ValidityEndTime: '2030-01-01T00:00:00Z',
      Fingerprint: k.fingerprint,
    })),
  });
}

export interface DigestTrailOptions {
  key: SigningKey;
  bucket: string;
  /** '' or ending in '/'. @default '' */
  prefix?: string;
  account?: string;
  regions: string[];
  /** Start of the first digest hour. */
  start: Date;
  hours: number;
  /** @default 'management-events' */
  trail?: string;
  /** @default 'us-east-1' */
  homeRegion?: string;
  /** Hours from this one on deliver no log file: their digests list none (CloudTrail still delivers them). @default hours */
  logHours?: number;
  /** Signs one digest with another key (a forged digest). */
  signer?: (region: string, hour: number) => SigningKey | undefined;
}

export interface DigestRecord {
  key: string;
  region: string;
  hour: number;
  json: Record<string, unknown>;
  signature: string;
  logKeys: string[];
}

export interface DigestTrail {
  logs: Map<string, Buffer>;
  digests: DigestRecord[];
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const stamp = (d: Date): string => iso(d).replaceAll('-', '').replaceAll(':', '');

/** The signature CloudTrail puts in x-amz-meta-signature. */
export function signDigest(json: Record<string, unknown>, text: string, key: SigningKey): string {
  const toSign = `${String(json.digestEndTime)}\n${String(json.digestS3Bucket)}/${String(json.digestS3Object)}\n${sha256(text)}\n${(json.previousDigestSignature as string | null) ?? 'null'}`;
  return sign('sha256', Buffer.from(toSign), key.privateKey).toString('hex');
}

export function digestKeyOf(o: {
  prefix: string;
  account: string;
  region: string;
  trail: string;
  home: string;
  end: Date;
}): string {
  const day = iso(o.end).slice(0, 10).replaceAll('-', '/');
  return `${o.prefix}AWSLogs/${o.account}/CloudTrail-Digest/${o.region}/${day}/${o.account}_CloudTrail-Digest_${o.region}_${o.trail}_${o.home}_${stamp(o.end)}.json.gz`;
}

/** One log file per region and hour (delivered 20 minutes in) and the hour's digest listing it. */
export function makeDigestTrail(options: DigestTrailOptions): DigestTrail {
  const prefix = options.prefix ?? '';
  const account = options.account ?? DEMO_ACCOUNT;
  const trail = options.trail ?? 'management-events';
  const home = options.homeRegion ?? 'us-east-1';
  const logs = new Map<string, Buffer>();
  const digests: DigestRecord[] = [];
  let seed = 1;
  for (const region of options.regions) {
    let previous: DigestRecord | undefined;
    let previousText = '';
    for (let h = 0; h < options.hours; h++) {
      const from = new Date(options.start.getTime() + h * 3_600_000);
      const end = new Date(from.getTime() + 3_600_000);
      const delivered = new Date(from.getTime() + 20 * 60_000);
      const logKey = `${prefix}${trailKey({ account, region, time: delivered, uniq: `log${h}` })}`;
      const text = JSON.stringify({
        Records: backgroundRecords(4, { start: from, end: delivered, region, seed: seed++ }),
      });
      const delivers = h < (options.logHours ?? options.hours);
      if (delivers) logs.set(logKey, gzipSync(text));
      const key = digestKeyOf({ prefix, account, region, trail, home, end });
      const signer = options.signer?.(region, h) ?? options.key;
      const json: Record<string, unknown> = {
        awsAccountId: account,
        digestStartTime: iso(from),
        digestEndTime: iso(end),
        digestS3Bucket: options.bucket,
        digestS3Object: key,
        digestPublicKeyFingerprint: signer.fingerprint,
        digestSignatureAlgorithm: 'SHA256withRSA',
        newestEventTime: iso(delivered),
        oldestEventTime: iso(from),
        previousDigestS3Bucket: previous ? options.bucket : null,
        previousDigestS3Object: previous ? previous.key : null,
        previousDigestHashValue: previous ? sha256(previousText) : null,
        previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
        previousDigestSignature: previous ? previous.signature : null,
        logFiles: delivers
          ? [
              {
                s3Bucket: options.bucket,
                s3Object: logKey,
                hashValue: sha256(text),
                hashAlgorithm: 'SHA-256',
                newestEventTime: iso(delivered),
                oldestEventTime: iso(from),
              },
            ]
          : [],
      };
      const digestText = JSON.stringify(json);
      const record: DigestRecord = {
        key,
        region,
        hour: h,
        json,
        signature: signDigest(json, digestText, signer),
        logKeys: delivers ? [logKey] : [],
      };
      digests.push(record);
      previous = record;
      previousText = digestText;
    }
  }
  return { logs, digests };
}

/** The trail as files to write locally or upload (digests carry their signature as S3 metadata). */
export function trailFiles(t: DigestTrail): TrailFile[] {
  return [
    ...[...t.logs].map(([key, raw]) => ({ key, raw })),
    ...t.digests.map((d) => ({
      key: d.key,
      raw: gzipSync(JSON.stringify(d.json)),
      metadata: { signature: d.signature, 'signature-algorithm': 'SHA256withRSA' },
    })),
  ];
}
