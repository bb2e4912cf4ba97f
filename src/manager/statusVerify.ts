/**
 * Incremental verification for `inventag status`: the head of the last
 * verification that passed is kept in the data directory; the next `status`
 * checks that the entry at that sequence still has that hash and walks only
 * the entries after it. Anything else (no record, an unreadable one, one of
 * another store, or a head that no longer matches) is a full walk, anchored
 * at the recorded head when the record is this store's. `audit verify` always
 * walks the whole chain. docs/AUDIT.md says what this trusts.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuditStore } from '../audit/AuditStore.js';
import type { ChainHead } from '../audit/chain.js';
import type { VerifyResult } from '../audit/types.js';
import { writeFileAtomic } from '../util/atomicWrite.js';

/** The record's format; another value is not read. */
const RECORD_FORMAT = 'inventag-verified-head/1';

/** What `status` says about how it verified the chain. */
export interface StatusVerification {
  /** `incremental`: only the entries after `from`; `full`: the whole chain. */
  readonly kind: 'incremental' | 'full';
  /** The recorded head an incremental walk resumed from, or a full walk was anchored at (`sequence:hash`). */
  readonly from?: string;
  /** Why the walk was full. */
  readonly reason?: string;
  /**
   * Why the head this walk verified could not be recorded for the next
   * `status` (which will then walk in full): an unwritable or missing data
   * directory, a full disk. Absent when it was recorded, or when there was
   * nothing to record (an empty or failed chain).
   */
  readonly notRecorded?: string;
}

interface VerifiedHeadRecord {
  format: typeof RECORD_FORMAT;
  /** The store's id (`audit_meta.store_id`); null for a format-1 store that has none. */
  storeId: string | null;
  /** The store's path, resolved. */
  path: string;
  sequence: number;
  hash: string;
  verifiedAt: string;
  /** For a keyed store: HMAC-SHA-256 of the fields above with the store's key, so the record cannot be forged without it. */
  mac?: string;
}

const macOf = (r: Omit<VerifiedHeadRecord, 'mac'>, key: string): string =>
  createHmac('sha256', key)
    .update(JSON.stringify([r.format, r.storeId, r.path, r.sequence, r.hash, r.verifiedAt]))
    .digest('hex');

/** The recorded head for this store, or why it cannot be used. */
function recordedHead(
  recordPath: string,
  store: AuditStore,
  storePath: string,
  key: string | undefined,
): { head: ChainHead } | { reason: string } {
  let text: string;
  try {
    text = readFileSync(recordPath, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT'
      ? { reason: 'no verified head recorded yet' }
      : { reason: `the verified-head record ${recordPath} cannot be read (${(err as Error).message})` };
  }
  let r: Partial<VerifiedHeadRecord>;
  try {
    r = JSON.parse(text) as Partial<VerifiedHeadRecord>;
  } catch {
    return { reason: `the verified-head record ${recordPath} is not JSON` };
  }
  if (
    r === null ||
    typeof r !== 'object' ||
    r.format !== RECORD_FORMAT ||
    typeof r.path !== 'string' ||
    !Number.isSafeInteger(r.sequence) ||
    (r.sequence as number) < 1 ||
    typeof r.hash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(r.hash) ||
    typeof r.verifiedAt !== 'string' ||
    !(r.storeId === null || typeof r.storeId === 'string')
  )
    return { reason: `the verified-head record ${recordPath} is not one this version writes` };
  if (r.path !== storePath || r.storeId !== (store.storeId ?? null))
    return { reason: 'the verified-head record is of another store' };
  if (key !== undefined) {
    const { mac, ...fields } = r as VerifiedHeadRecord;
    if (mac !== macOf(fields, key)) return { reason: "the verified-head record does not carry this keyed store's MAC" };
  }
  return { head: { sequence: r.sequence as number, hash: r.hash } };
}

/**
 * Verifies `store` for `status`: incrementally from the recorded head when
 * there is a usable record, else (or when the recorded head does not match) a
 * full walk. A passing verification records its head for the next run; a
 * record that cannot be written costs the next run a full walk, and this
 * run's verification says why (`notRecorded`).
 */
export async function verifyForStatus(
  store: AuditStore,
  storePath: string,
  recordPath: string,
  key: string | undefined,
): Promise<{ result: VerifyResult; verification: StatusVerification }> {
  const recorded = recordedHead(recordPath, store, storePath, key);
  let result: VerifyResult;
  let verification: StatusVerification;
  if ('head' in recorded) {
    const from = `${recorded.head.sequence}:${recorded.head.hash}`;
    const walk = store.verifyFrom(recorded.head);
    result = walk.result;
    verification = walk.resumed
      ? { kind: 'incremental', from }
      : {
          kind: 'full',
          from,
          reason: `the walk from the recorded head failed (${walk.resumeProblem?.message ?? 'not verified'})`,
        };
  } else {
    result = store.verify();
    verification = { kind: 'full', reason: recorded.reason };
  }
  if (result.ok && result.head !== undefined) {
    const fields: Omit<VerifiedHeadRecord, 'mac'> = {
      format: RECORD_FORMAT,
      storeId: store.storeId ?? null,
      path: storePath,
      sequence: result.head.sequence,
      hash: result.head.hash,
      verifiedAt: new Date().toISOString(),
    };
    const record: VerifiedHeadRecord = key === undefined ? fields : { ...fields, mac: macOf(fields, key) };
    try {
      await writeFileAtomic(recordPath, `${JSON.stringify(record, null, 2)}\n`);
    } catch (err) {
      verification = { ...verification, notRecorded: `${recordPath} cannot be written (${(err as Error).message})` };
    }
  }
  return { result, verification };
}
