import { RiskLevel } from '../../constants.js';
import type { PermissionValidationResult } from '../../identity/validateAwsPermissions.js';
import type { PolicyAnalysisReport } from '../../policy/analysis/types.js';
import { ControlTopic } from '../../policy/controls.js';
import { FindingCode } from '../../report/findingCodes.js';
import type { EvidenceFinding, EvidenceSection } from './types.js';

export function permissionsEvidence(
  analysis: PolicyAnalysisReport | undefined,
  probes?: PermissionValidationResult,
  options: { collectionError?: string } = {},
): EvidenceSection {
  const findings: EvidenceFinding[] = [];
  if (analysis) {
    for (const group of analysis.writes) {
      const severity =
        group.rank === 'permissions-management' || group.rank === 'credential-minting'
          ? RiskLevel.HIGH
          : RiskLevel.MEDIUM;
      findings.push({
        code: FindingCode.POLICY_ALLOWS_WRITES,
        severity,
        title: `Policies allow ${group.actions.length} ${group.rank.replace(/-/g, ' ')} action(s) in ${group.service}`,
        description: `${group.actions
          .slice(0, 12)
          .map((a) => a.action)
          .join(
            ', ',
          )}${group.actions.length > 12 ? ` and ${group.actions.length - 12} more` : ''} (allowed by ${[...new Set(group.actions.flatMap((a) => a.allowedBy))].slice(0, 3).join(', ')}).`,
        recommendation:
          'Remove these actions from the role, or deny them explicitly: a read-only automation must not hold credentials that can write.',
        topics: [ControlTopic.ACCESS_RIGHTS, ControlTopic.READ_ONLY_ACCESS],
        evidence: { actions: group.actions.map((a) => a.action) },
      });
    }
    if (analysis.conditionalWrites.length) {
      const n = analysis.conditionalWrites.reduce((s, g) => s + g.actions.length, 0);
      findings.push({
        code: FindingCode.POLICY_CONDITIONAL_WRITES,
        severity: RiskLevel.LOW,
        title: `Policies allow ${n} write action(s) under conditions`,
        description: analysis.conditionalWrites.map((g) => `${g.service}: ${g.actions.length}`).join(', '),
        recommendation: 'Check that the conditions can never hold for the automation.',
        topics: [ControlTopic.ACCESS_RIGHTS],
      });
    }
    const secretReads = analysis.sensitiveReads.filter((r) => r.category !== 'data');
    if (secretReads.length) {
      findings.push({
        code: FindingCode.POLICY_SECRET_READS,
        severity: RiskLevel.MEDIUM,
        title: `Policies allow ${secretReads.length} read(s) of secrets or credentials`,
        description: secretReads
          .slice(0, 12)
          .map((r) => r.action)
          .join(', '),
        recommendation: 'Deny secret and credential reads the automation does not need.',
        topics: [ControlTopic.SENSITIVE_ACCESS],
      });
    }
  }
  if (options.collectionError)
    findings.push({
      code: FindingCode.POLICIES_NOT_COLLECTED,
      severity: RiskLevel.MEDIUM,
      title: 'Policies could not be collected',
      description: options.collectionError,
      recommendation:
        'Grant the read-only IAM calls in policies/inventag-readonly.json so the permissions can be checked.',
      topics: [ControlTopic.ACCESS_RIGHTS],
    });
  for (const check of probes?.permissionChecks ?? []) {
    if (check.status === 'PASSED') continue;
    findings.push({
      code: FindingCode.PROBE_FAILED,
      severity: check.status === 'BLOCKED' ? RiskLevel.HIGH : RiskLevel.LOW,
      title: `Permission probe ${check.service}:${check.operation} ${check.status}`,
      description: check.message,
      recommendation:
        check.status === 'BLOCKED'
          ? 'Remove the write from the configured probes.'
          : 'Grant the read permission the probe needs, or drop the probe.',
      topics: [ControlTopic.ACCESS_RIGHTS],
    });
  }
  const writeLike = analysis?.counts.writeLike ?? 0;
  return {
    key: 'permissions',
    source: 'permissions',
    section: {
      title: 'Permissions (identity policies)',
      status: !analysis ? 'NOT_EVALUATED' : analysis.readOnly ? 'PASS' : 'FAIL',
      summary: analysis
        ? `${analysis.policies.length} policy document(s) allow ${analysis.counts.total} action(s): ${writeLike} of them Write, Permissions management, Tagging or reads that change state${analysis.conditionalCounts.writeLike ? `, ${analysis.conditionalCounts.writeLike} more under conditions` : ''}. Not evaluated: ${analysis.notEvaluated.join(', ')}.`
        : `Policies were not analysed${options.collectionError ? `: ${options.collectionError}` : ''}.`,
      facts: analysis
        ? {
            policies: analysis.policies.length,
            allowedActions: analysis.counts.total,
            read: analysis.counts.Read,
            list: analysis.counts.List,
            write: analysis.counts.Write,
            permissionsManagement: analysis.counts['Permissions management'],
            tagging: analysis.counts.Tagging,
            conditionalWrites: analysis.conditionalCounts.writeLike,
            sensitiveReads: analysis.sensitiveReads.length,
            ...(probes ? { probes: probes.overallStatus } : {}),
          }
        : { ...(probes ? { probes: probes.overallStatus } : {}) },
      rows: analysis?.writes
        .flatMap((g) =>
          g.actions.slice(0, 25).map((a) => ({
            rank: g.rank,
            service: g.service,
            action: a.action,
            accessLevel: a.accessLevel,
            allowedBy: a.allowedBy.join(', '),
          })),
        )
        .slice(0, 150),
      detail: { analysis, probes },
    },
    findings,
    facts: { kind: 'permissions', analysed: analysis !== undefined, readOnly: analysis?.readOnly ?? false, writeLike },
    checks: analysis
      ? [
          {
            topic: ControlTopic.ACCESS_RIGHTS,
            passed: analysis.readOnly,
            evidence: analysis.readOnly
              ? 'The policies allow only Read and List actions.'
              : `The policies allow ${writeLike} write action(s).`,
          },
        ]
      : [],
  };
}
