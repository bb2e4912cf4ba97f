/** Public shapes of the audit trail: what goes in, what comes out, and the results of verify and cleanup. */
import type { ComplianceStandard, OperationType, RiskLevel } from '../constants.js';
import type { AuditAttempt, AuditOutcome, IdentityRef } from '../contracts.js';
import type { ChainHead } from './chain.js';

/**
 * `attempt`: an AWS operation the guard or validator saw (allowed or blocked).
 * `outcome`: the result of an attempt, chained as its own record because the
 * attempt's hash is already sealed. `checkpoint`: written by cleanup so the
 * chain still verifies after old entries are removed.
 */
export type AuditEntryKind = 'attempt' | 'outcome' | 'checkpoint';

/** What `append` takes: an attempt, with its outcome when already known (a blocked call, an import). */
export interface AuditEntryInput extends AuditAttempt {
  outcome?: AuditOutcome;
}

/** What an append returns once the entry is durable. */
export interface AuditReceipt {
  readonly auditId: string;
  readonly sequence: number;
  readonly hash: string;
  readonly timestamp: string;
}

/** Data of a checkpoint entry. */
export interface CheckpointData {
  /** Every entry up to and including this sequence was removed. */
  readonly prunedThroughSequence: number;
  /** The hash of that last removed entry: the `prevHash` of the first one kept. */
  readonly prunedThroughHash: string;
  readonly removedCount: number;
  readonly retentionDays: number | null;
  readonly maxEntries: number | null;
}

/** One entry as read back; attempts carry their outcome merged in. */
export interface AuditEntry {
  readonly sequence: number;
  readonly auditId: string;
  readonly kind: AuditEntryKind;
  readonly sessionId: string;
  readonly timestamp: string;
  readonly service?: string;
  readonly operation?: string;
  readonly iamAction?: string;
  readonly operationType?: OperationType;
  readonly decision?: 'allowed' | 'blocked';
  readonly riskLevel?: RiskLevel;
  readonly resourceArn?: string;
  readonly identity?: IdentityRef;
  /** Already redacted when it was written. */
  readonly requestParameters?: unknown;
  readonly complianceStandard?: ComplianceStandard;
  readonly validationMessage?: string;
  readonly outcome?: AuditOutcome;
  /** For an outcome record: the attempt it completes. */
  readonly refAuditId?: string;
  readonly checkpoint?: CheckpointData;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * An attempt as {@link AuditStore.attempts} reads it: what counting and correlating the operations of a trail
 * needs, its outcome merged; the fields `entries()` gives an attempt, without request parameters and hashes.
 */
export type AuditAttemptSummary = Pick<
  AuditEntry,
  | 'sequence'
  | 'kind'
  | 'sessionId'
  | 'timestamp'
  | 'service'
  | 'operation'
  | 'iamAction'
  | 'decision'
  | 'resourceArn'
  | 'identity'
  | 'validationMessage'
  | 'outcome'
>;

/** Why verification stopped at an entry. */
export type TamperReason =
  /** The entry's stored hash does not match its content: a field was changed. */
  | 'edited'
  /** One or more entries before this one are missing. */
  | 'deleted'
  /** The entry is valid but sits at another position than the one it was written at. */
  | 'reordered'
  /** The entry was added into the chain after the fact. */
  | 'inserted'
  /** Entries newer than the head are missing (detected against an anchor). */
  | 'truncated'
  /** The entry's `prevHash` names no entry of this chain. */
  | 'chain-broken';

export interface TamperFinding {
  /** Sequence number of the first bad entry (for `deleted`/`truncated`: of the first missing one). */
  readonly sequence: number;
  /** Audit id of the first bad entry; for `deleted`, of the first entry after the gap; absent when the entry is gone. */
  readonly auditId?: string;
  readonly reason: TamperReason;
  readonly message: string;
}

export interface VerifyOptions {
  /** A head published earlier; the chain must still contain it, unchanged. */
  anchor?: ChainHead;
  /**
   * Incremental verification: the `head` an earlier `verify()` of this store
   * returned. The entry it names must still be there with that hash; only the
   * entries after it are walked (and the file's page check is skipped).
   */
  after?: ChainHead;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Entries whose hash and link were checked. */
  readonly checked: number;
  /** The newest entry, or undefined for an empty store. */
  readonly head: ChainHead | undefined;
  /** Where the verified chain begins: sequence 1, or the first entry after a retention checkpoint. */
  readonly firstSequence: number | undefined;
  readonly firstBad?: TamperFinding;
  /** How the anchor was checked: `matched`, `pruned` (older than the retained entries) or absent. */
  readonly anchor?: 'matched' | 'pruned';
  /** Facts that are not tampering but an auditor should know (e.g. the append-only triggers were removed). */
  readonly warnings: readonly string[];
  /** For an incremental verify: the head it resumed from (`checked` counts the entries after it). */
  readonly from?: ChainHead;
}

export interface CleanupOptions {
  /** Remove entries older than this many days (the seed's `auditLogRetentionDays`). */
  retentionDays?: number;
  /** Keep at most this many entries, the new checkpoint included (the seed's `maxAuditEntries`). */
  maxEntries?: number;
}

export interface CleanupResult {
  readonly removed: number;
  /** The checkpoint written, when anything was removed. */
  readonly checkpoint?: { readonly sequence: number; readonly auditId: string; readonly data: CheckpointData };
  readonly head: ChainHead | undefined;
}

export type ExportFormat = 'jsonl' | 'csv';

export interface ExportOptions {
  format: ExportFormat;
  /** Only entries at or after this time. */
  since?: Date | string;
  /**
   * Export every stored row as it is (outcome records separate, all hashed
   * columns), for re-verification by other tools, instead of the merged view.
   * @default false
   */
  raw?: boolean;
}
