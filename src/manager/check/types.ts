import type { AttemptsRead } from '../../audit/attemptsThread.js';
import type { AuditAttemptSummary, VerifyResult } from '../../audit/types.js';
import type { PrincipalAnalyzer } from '../../cloudtrail/PrincipalAnalyzer.js';
import type { PublicKeyRing } from '../../cloudtrail/PublicKeyRing.js';
import type { CallerIdentity } from '../../identity/types.js';
import type { AccountSession } from '../../sessions/AccountSession.js';
import type { ComprehensiveComplianceReport } from '../../report/types.js';
import type { ComplianceManager } from '../ComplianceManager.js';
import type { ComplianceConfiguration } from '../config.js';
import type { CloudtrailScanFacts } from '../evidence/cloudtrailEvidence.js';
import type { EvidenceSection } from '../evidence/types.js';
import type { ProgressListener } from '../../util/progress.js';

export interface CheckRunOptions {
  config: ComplianceConfiguration;
  /** Read evidence from this directory instead of AWS (see EVIDENCE_LAYOUT). */
  evidenceDir?: string;
  /** Override the configured minimum compliance score. */
  minScore?: number;
  /** CloudTrail window; default: the last `cloudtrail.lookbackHours` (AWS), every file (evidence directory). */
  window?: { start: Date; end: Date };
  /** Progress for a human (stderr): each step's label, then its counts for steps that count. */
  onProgress?: ProgressListener;
  /**
   * CloudTrail's public keys for verifying trail files offline (`--public-keys`). Without them, an evidence
   * directory's digests cannot be checked, and against AWS they come from `cloudtrail:ListPublicKeys`.
   */
  publicKeys?: PublicKeyRing;
  /** Run in one account through a sanctioned session (`check --org`): its credentials, its audit attribution. */
  session?: AccountSession;
  /**
   * With `evidenceDir`: a worker's read of the directory's audit trail started before the configuration was
   * loaded (`startEarlyEvidenceAudit`, earlyAudit.ts); used when it read the same file with the configured key.
   */
  auditRead?: AttemptsRead;
}

export interface CheckRunResult {
  manager: ComplianceManager;
  report: ComprehensiveComplianceReport;
  identity: CallerIdentity | undefined;
}

/**
 * What an evidence source (a directory of exported evidence, or AWS itself) gathered. Both sources end the
 * same way: {@link finishCheck} turns this into evidence sections, counts the audit trail and reads CloudTrail.
 */
export interface GatheredEvidence {
  mode: 'aws' | 'demo';
  manager: ComplianceManager;
  identity: CallerIdentity | undefined;
  permissions: EvidenceSection | undefined;
  /**
   * The audit trail read as evidence: its verification, its attempts in the window, the store's size; pending
   * while another thread still reads it.
   */
  audit?: GatheredAudit | Promise<GatheredAudit>;
  /**
   * Tells a pending {@link audit} read that this thread has nothing else to do until it ends: the read then
   * walks part of the trail here too (see `AuditStore.verifyWithAttemptColumnsAsync`).
   */
  auditIdle?: () => void;
  /** Reads CloudTrail for the principal into the analyzer, when a trail is available. */
  cloudtrail?: (
    analyzer: PrincipalAnalyzer,
    principal: string,
    window?: { start: Date; end: Date },
  ) => Promise<CloudtrailScanFacts>;
  regions?: string[];
}

/** An evidence directory's audit trail being read (see `startEvidenceAudit`). */
export interface EvidenceAuditRead {
  result: Promise<GatheredAudit>;
  /** This thread has nothing else to do until the result is in. */
  idle: () => void;
}

/** The audit trail as {@link GatheredEvidence} holds it. */
export interface GatheredAudit {
  path: string;
  verify: VerifyResult;
  /** Iterable more than once. */
  entries: Iterable<AuditAttemptSummary>;
  stored: number;
  anchorsReport: boolean;
}
