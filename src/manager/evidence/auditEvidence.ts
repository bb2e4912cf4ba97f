import type { VerifyResult } from '../../audit/types.js';
import { RiskLevel } from '../../constants.js';
import { ControlTopic } from '../../policy/controls.js';
import { FindingCode } from '../../report/findingCodes.js';
import type { EvidenceFinding, EvidenceSection } from './types.js';

/** The audit trail as evidence: its verification, and (when known) how many entries the store holds. */
export function auditEvidence(verify: VerifyResult, path: string, entries?: number): EvidenceSection {
  const findings: EvidenceFinding[] = [];
  if (!verify.ok && verify.firstBad) {
    findings.push({
      code: FindingCode.AUDIT_TAMPERED,
      severity: RiskLevel.CRITICAL,
      title: `Audit trail tampered: entry ${verify.firstBad.sequence} ${verify.firstBad.reason}`,
      description: `${verify.firstBad.message} (${path})`,
      recommendation: 'Treat the trail as compromised: restore it from a copy and find out who changed it.',
      topics: [ControlTopic.AUDIT_INTEGRITY, ControlTopic.INCIDENT_EVALUATION],
      evidence: {
        sequence: verify.firstBad.sequence,
        auditId: verify.firstBad.auditId ?? null,
        reason: verify.firstBad.reason,
      },
    });
  }
  for (const w of verify.warnings)
    findings.push({
      code: FindingCode.AUDIT_WARNING,
      severity: RiskLevel.LOW,
      title: 'Audit trail warning',
      description: w,
      recommendation: 'Review the audit store.',
      topics: [ControlTopic.AUDIT_INTEGRITY],
    });
  return {
    key: 'auditTrail',
    source: 'audit',
    section: {
      title: 'Audit trail',
      status: verify.ok ? 'PASS' : 'FAIL',
      summary: verify.ok
        ? `${verify.checked} entr${verify.checked === 1 ? 'y' : 'ies'} verified: the hash chain is intact.`
        : `The hash chain is broken: ${verify.firstBad?.message ?? 'unknown reason'}.`,
      facts: {
        store: path,
        ...(entries !== undefined ? { entries } : {}),
        checked: verify.checked,
        intact: verify.ok,
        headSequence: verify.head?.sequence ?? null,
        headHash: verify.head?.hash ?? null,
      },
      detail: verify,
    },
    findings,
    facts: {
      kind: 'auditTrail',
      store: path,
      intact: verify.ok,
      checked: verify.checked,
      ...(entries !== undefined ? { entries } : {}),
      ...(verify.head ? { head: { sequence: verify.head.sequence, hash: verify.head.hash } } : {}),
    },
    checks: [
      {
        topic: ControlTopic.AUDIT_INTEGRITY,
        passed: verify.ok,
        evidence: `The audit trail's hash chain was verified (${verify.checked} entries).`,
      },
      {
        topic: ControlTopic.AUDIT_LOGGING,
        passed: verify.checked > 0,
        evidence: `${verify.checked} audit entries on record.`,
      },
    ],
  };
}
