/**
 * What kind of finding a finding is. Findings are merged, capped and looked up by code (never by their English
 * title), and a report's reader can filter on it.
 */
export const FindingCode = {
  // The read-only guard (validator): blocked and sensitive calls, one finding per action.
  MUTATING_ATTEMPT: 'mutating-attempt',
  UNCLASSIFIED_ATTEMPT: 'unclassified-attempt',
  DENIED_BY_RULE: 'denied-by-rule',
  SENSITIVE_READ: 'sensitive-read',
  WRITE_ALLOWED_BY_OVERRIDE: 'write-allowed-by-override',
  // The production monitor.
  CREDENTIAL_ERRORS: 'credential-errors',
  BLOCKED_ATTEMPTS: 'blocked-attempts',
  ACCESS_DENIED: 'access-denied',
  SECURITY_EVENTS: 'security-events',
  HIGH_ERROR_RATE: 'high-error-rate',
  HIGH_FAILURE_RATE: 'high-failure-rate',
  BREAKERS_OPEN: 'breakers-open',
  OFF_HOURS: 'off-hours',
  RESOURCE_THRESHOLDS: 'resource-thresholds',
  SLOW_OPERATIONS: 'slow-operations',
  HIGH_RISK: 'high-risk',
  // CloudTrail evidence.
  CLOUDTRAIL_WRITE: 'cloudtrail-write',
  CLOUDTRAIL_FINDING: 'cloudtrail-finding',
  EVIDENCE_INCOMPLETE: 'evidence-incomplete',
  /** Log file validation found a trail file modified, deleted or planted, or a digest missing or forged. */
  CLOUDTRAIL_TAMPERED: 'cloudtrail-tampered',
  /** The trail files read could not be verified: no digests, no public keys, or files no digest covers yet. */
  CLOUDTRAIL_UNVERIFIED: 'cloudtrail-unverified',
  // Identity and permissions.
  IDENTITY: 'identity',
  POLICY_ALLOWS_WRITES: 'policy-allows-writes',
  POLICY_CONDITIONAL_WRITES: 'policy-conditional-writes',
  POLICY_SECRET_READS: 'policy-secret-reads',
  POLICIES_NOT_COLLECTED: 'policies-not-collected',
  PROBE_FAILED: 'probe-failed',
  // The audit trail.
  AUDIT_TAMPERED: 'audit-tampered',
  AUDIT_WARNING: 'audit-warning',
} as const;
export type FindingCode = (typeof FindingCode)[keyof typeof FindingCode];

/**
 * Monitor findings the validator already reports per action (a blocked call is also a security event):
 * dropped from the monitor's side when merging, so one attempt is one finding.
 */
export const REPORTED_BY_VALIDATOR: ReadonlySet<FindingCode> = new Set([
  FindingCode.BLOCKED_ATTEMPTS,
  FindingCode.SECURITY_EVENTS,
]);

/**
 * Guard findings of attempts that were prevented: they count as HIGH at most (what actually happened, seen by
 * CloudTrail, can be CRITICAL).
 */
export const PREVENTED: ReadonlySet<FindingCode> = new Set([
  FindingCode.MUTATING_ATTEMPT,
  FindingCode.UNCLASSIFIED_ATTEMPT,
  FindingCode.DENIED_BY_RULE,
]);
