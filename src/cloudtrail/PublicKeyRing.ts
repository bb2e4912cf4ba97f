import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { CloudTrailError, CloudTrailErrorKind } from './errors.js';

/** A CloudTrail public key as `ListPublicKeys` returns it: DER (PKCS #1 RSAPublicKey) bytes and a fingerprint. */
export interface PublicKeyRecord {
  readonly fingerprint: string;
  readonly value: Uint8Array;
  readonly validityStart?: Date | undefined;
  readonly validityEnd?: Date | undefined;
}

export type KeyLookup =
  | { readonly ok: true; readonly key: KeyObject }
  | { readonly ok: false; readonly reason: 'unknown' | 'unparsable'; readonly detail: string };

/**
 * The public keys digests are checked against, by fingerprint. A key that
 * does not parse is kept as such, so a digest naming it says why it could
 * not be checked instead of "unknown key".
 */
export class PublicKeyRing {
  readonly #keys = new Map<string, KeyObject | string>();
  /** Where the keys came from, for messages: `ListPublicKeys in us-east-1`, a file name. */
  readonly sources: string[] = [];

  get size(): number {
    return this.#keys.size;
  }

  /** Adds keys; returns the messages of keys that did not parse. */
  add(records: readonly PublicKeyRecord[], source: string): string[] {
    if (!this.sources.includes(source)) this.sources.push(source);
    const problems: string[] = [];
    for (const r of records) {
      const fp = r.fingerprint.toLowerCase();
      try {
        this.#keys.set(fp, createPublicKey({ key: Buffer.from(r.value), format: 'der', type: 'pkcs1' }));
      } catch (err) {
        const why = `the public key with fingerprint ${fp} from ${source} is not a DER PKCS #1 RSA public key (${(err as Error).message})`;
        // A good key under the same fingerprint stays.
        if (typeof this.#keys.get(fp) !== 'object') this.#keys.set(fp, why);
        problems.push(why);
      }
    }
    return problems;
  }

  has(fingerprint: string): boolean {
    return this.#keys.has(fingerprint.toLowerCase());
  }

  get(fingerprint: string): KeyLookup {
    const k = this.#keys.get(fingerprint.toLowerCase());
    if (k === undefined)
      return {
        ok: false,
        reason: 'unknown',
        detail: `no public key with fingerprint ${fingerprint} among ${this.#keys.size} key(s) from ${this.sources.join(', ') || 'nowhere'}: the digest was signed by another key (forged), or the key list is incomplete`,
      };
    if (typeof k === 'string') return { ok: false, reason: 'unparsable', detail: k };
    return { ok: true, key: k };
  }
}

const HEX_RE = /^[0-9a-f]+$/i;
const B64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Reads a key file for offline verification: the output of
 * `aws cloudtrail list-public-keys` (`{"PublicKeyList":[{"Fingerprint","Value"(base64 DER), ...}]}`)
 * or a bare array of such entries. Throws a usage error naming the entry and the field.
 */
export function parsePublicKeyFile(text: string, name: string): PublicKeyRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CloudTrailError(
      `${name} is not valid JSON (${(err as Error).message}); expected the output of "aws cloudtrail list-public-keys"`,
      CloudTrailErrorKind.USAGE,
    );
  }
  const list = Array.isArray(doc) ? doc : (doc as { PublicKeyList?: unknown } | null)?.PublicKeyList;
  if (!Array.isArray(list))
    throw new CloudTrailError(
      `${name}: expected {"PublicKeyList": [...]} (the output of "aws cloudtrail list-public-keys") or an array of keys`,
      CloudTrailErrorKind.USAGE,
    );
  const out: PublicKeyRecord[] = [];
  for (const [i, entry] of list.entries()) {
    const e = entry as Record<string, unknown> | null;
    const where = `${name}: PublicKeyList[${i}]`;
    if (typeof e !== 'object' || e === null)
      throw new CloudTrailError(`${where}: expected an object with Fingerprint and Value`, CloudTrailErrorKind.USAGE);
    if (typeof e.Fingerprint !== 'string' || !HEX_RE.test(e.Fingerprint))
      throw new CloudTrailError(`${where}.Fingerprint: expected a hex string`, CloudTrailErrorKind.USAGE);
    if (typeof e.Value !== 'string' || !B64_RE.test(e.Value.replace(/\s+/g, '')))
      throw new CloudTrailError(
        `${where}.Value: expected the base64 of a DER PKCS #1 RSA public key`,
        CloudTrailErrorKind.USAGE,
      );
    const value = Buffer.from(e.Value.replace(/\s+/g, ''), 'base64');
    try {
      createPublicKey({ key: value, format: 'der', type: 'pkcs1' });
    } catch (err) {
      throw new CloudTrailError(
        `${where}.Value (fingerprint ${e.Fingerprint}) does not parse as a DER PKCS #1 RSA public key: ${(err as Error).message}`,
        CloudTrailErrorKind.USAGE,
      );
    }
    const time = (v: unknown): Date | undefined =>
      typeof v === 'string' || typeof v === 'number' ? new Date(typeof v === 'number' ? v * 1000 : v) : undefined;
    out.push({
      fingerprint: e.Fingerprint,
      value,
      validityStart: time(e.ValidityStartTime),
      validityEnd: time(e.ValidityEndTime),
    });
  }
  return out;
}

/** Every public key CloudTrail used in [start, end], from `cloudtrail:ListPublicKeys` (all pages). */
export async function listPublicKeys(client: CloudTrailClient, start: Date, end: Date): Promise<PublicKeyRecord[]> {
  const { ListPublicKeysCommand } = await import('@aws-sdk/client-cloudtrail');
  const out: PublicKeyRecord[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListPublicKeysCommand({ StartTime: start, EndTime: end, NextToken: token }));
    for (const k of page.PublicKeyList ?? []) {
      if (!k.Fingerprint || !k.Value) continue;
      out.push({
        fingerprint: k.Fingerprint,
        value: k.Value,
        validityStart: k.ValidityStartTime,
        validityEnd: k.ValidityEndTime,
      });
    }
    token = page.NextToken;
    if (token !== undefined) {
      // A server that hands back a token it gave before would page forever.
      if (seen.has(token))
        throw new CloudTrailError(
          `cloudtrail:ListPublicKeys returned the same NextToken twice; stopping instead of looping`,
          CloudTrailErrorKind.AWS,
        );
      seen.add(token);
    }
  } while (token);
  return out;
}
