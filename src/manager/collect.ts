/**
 * Turns each module's result into an EvidenceSection: a report section, its
 * findings (with the control topics they bear on) and the control checks.
 */
import type { VerifyResult } from '../audit/types.js';
import type { PrincipalAnalysis } from '../cloudtrail/PrincipalAnalyzer.js';
import type { TrailScanSummary } from '../cloudtrail/TrailFileReader.js';
import { RiskLevel } from '../constants.js';
import type { CallerIdentity } from '../identity/types.js';
import type { PermissionValidationResult } from '../identity/validateAwsPermissions.js';
import type { PolicyAnalysisReport } from '../policy/analysis/types.js';
import { ControlTopic } from '../policy/controls.js';
import type { EvidenceFinding, EvidenceSection } from './evidence.js';

export interface CloudtrailScanFacts {
  source: string;
  window: { start: Date; end: Date };
  eventsRead: number;
  filesRead?: number;
  filesCorrupt?: number;
  corrupt?: readonly { file: string; reason: string }[];
  pages?: number;
}

export function cloudtrailEvidence(analysis: PrincipalAnalysis, facts: CloudtrailScanFacts): EvidenceSection {
  const findings: EvidenceFinding[] = analysis.findings.map((f) => ({
    severity: f.severity,
    // Name what happened in the title: it is what an executive summary shows.
    title: f.severity === RiskLevel.CRITICAL && f.events.length ? `${f.title}: ${namesOf(f.events)}` : f.title,
    description: f.description,
    recommendation: f.recommendation,
    topics:
      f.severity === RiskLevel.CRITICAL
        ? [ControlTopic.READ_ONLY_ACCESS, ControlTopic.CHANGE_PREVENTED, ControlTopic.INCIDENT_EVALUATION]
        : [ControlTopic.EVIDENCE_COLLECTION, ControlTopic.AUDIT_LOGGING],
    evidence: {
      events: f.events.slice(0, 20).map((e) => ({
        eventTime: e.eventTime,
        eventName: e.eventName,
        eventSource: e.eventSource,
        eventId: e.eventId,
        awsRegion: e.awsRegion ?? null,
      })),
      eventCount: f.events.length,
    },
  }));
  if ((facts.filesCorrupt ?? 0) > 0) {
    findings.push({
      severity: RiskLevel.MEDIUM,
      title: `${facts.filesCorrupt} trail file(s) could not be read`,
      description: (facts.corrupt ?? [])
        .slice(0, 10)
        .map((c) => `${c.file}: ${c.reason}`)
        .join('; '),
      recommendation: 'Check the trail bucket for damaged or foreign files; events in them were not analysed.',
      topics: [ControlTopic.EVIDENCE_COLLECTION],
    });
  }
  const held = analysis.readOnlyGuaranteeHeld;
  const unrecorded = analysis.correlation?.unrecorded.length;
  const writesFound = analysis.writes.length;
  return {
    key: 'cloudtrail',
    source: 'cloudtrail',
    section: {
      title: 'CloudTrail evidence',
      status: held ? ((facts.filesCorrupt ?? 0) > 0 ? 'WARN' : 'PASS') : 'FAIL',
      summary: held
        ? `${analysis.principalEvents} event(s) by ${analysis.principal} among ${analysis.eventsSeen} read from ${facts.source}: none changed anything.`
        : `${writesFound} write(s) by ${analysis.principal} among ${analysis.eventsSeen} event(s) read from ${facts.source}: the read-only guarantee is broken.`,
      facts: {
        source: facts.source,
        windowStart: facts.window.start.toISOString(),
        windowEnd: facts.window.end.toISOString(),
        principal: analysis.principal,
        eventsRead: facts.eventsRead,
        principalEvents: analysis.principalEvents,
        writesByPrincipal: writesFound,
        sessionsEstablished: analysis.sessions.length,
        readOnlyFlagDisagreements: analysis.disagreements.length,
        ...(facts.filesRead !== undefined ? { filesRead: facts.filesRead, filesCorrupt: facts.filesCorrupt ?? 0 } : {}),
        ...(unrecorded !== undefined ? { callsNotInAuditTrail: unrecorded } : {}),
      },
      rows: analysis.writes.slice(0, 100).map((e) => ({
        eventTime: e.eventTime,
        eventName: e.eventName,
        eventSource: e.eventSource,
        iamAction: e.iamAction ?? null,
        region: e.awsRegion ?? null,
        sourceIp: e.sourceIpAddress ?? null,
        errorCode: e.errorCode ?? null,
      })),
      detail: {
        eventsRead: facts.eventsRead,
        writesFound,
        writesByPrincipal: analysis.writes.slice(0, 200).map((e) => ({ ...e, principal: e.principalArn })),
        disagreements: analysis.disagreements,
        // AssumeRole into sanctioned roles: INFO, listed, never a write.
        sessions: analysis.sessions.slice(0, 200),
        correlation: analysis.correlation,
        corrupt: facts.corrupt ?? [],
      },
    },
    findings,
    checks: [
      {
        topic: ControlTopic.EVIDENCE_COLLECTION,
        passed: (facts.filesCorrupt ?? 0) === 0,
        evidence: `CloudTrail events for the principal were read from ${facts.source} (${facts.eventsRead} events).`,
      },
      {
        topic: ControlTopic.READ_ONLY_ACCESS,
        passed: held,
        evidence: held
          ? 'CloudTrail shows no write by the principal.'
          : `CloudTrail shows ${writesFound} write(s) by the principal.`,
      },
      {
        topic: ControlTopic.CHANGE_PREVENTED,
        passed: held,
        evidence: held ? 'No change by the principal reached AWS.' : 'Changes by the principal reached AWS.',
      },
      ...(unrecorded !== undefined
        ? [
            {
              topic: ControlTopic.AUDIT_LOGGING,
              passed: unrecorded === 0,
              evidence: `${unrecorded} call(s) AWS saw from the principal are missing from the audit trail.`,
            },
          ]
        : []),
    ],
  };
}

function namesOf(events: readonly { iamAction: string | undefined; eventSource: string; eventName: string }[]): string {
  const counts = new Map<string, number>();
  for (const e of events) {
    const name = e.iamAction ?? `${e.eventSource.replace('.amazonaws.com', '')}:${e.eventName}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const list = [...counts].map(([n, c]) => (c > 1 ? `${n} ×${c}` : n));
  return list.length > 6 ? `${list.slice(0, 6).join(', ')} and ${list.length - 6} more` : list.join(', ');
}

export function trailScanFacts(scan: TrailScanSummary, window: { start: Date; end: Date }): CloudtrailScanFacts {
  return {
    source: scan.location,
    window,
    eventsRead: scan.events,
    filesRead: scan.filesRead,
    filesCorrupt: scan.filesCorrupt,
    corrupt: scan.corrupt.map((c) => ({ file: c.file, reason: c.problem })),
  };
}

export function identityEvidence(identity: CallerIdentity): EvidenceSection {
  const findings: EvidenceFinding[] = identity.findings.map((f) => ({
    severity: f.severity,
    title: f.title,
    description: f.description,
    recommendation: f.recommendation,
    topics: [ControlTopic.IDENTITY, ControlTopic.ACCESS_RIGHTS],
  }));
  const bad = identity.findings.some((f) => f.severity === RiskLevel.HIGH || f.severity === RiskLevel.CRITICAL);
  return {
    key: 'identity',
    source: 'identity',
    section: {
      title: 'Identity',
      status: bad ? 'FAIL' : findings.length ? 'WARN' : 'PASS',
      summary: `Runs as ${identity.arn} (${identity.type}, ${identity.credentialKind} credentials).`,
      facts: {
        arn: identity.arn,
        account: identity.account ?? null,
        type: identity.type,
        roleName: identity.roleName ?? null,
        sessionName: identity.sessionName ?? null,
        credentialKind: identity.credentialKind,
        accessKeyId: identity.accessKeyId ?? null,
      },
      detail: identity,
    },
    findings,
    checks: [
      {
        topic: ControlTopic.IDENTITY,
        passed: !bad,
        evidence: `The principal is ${identity.type}${bad ? ' (see findings)' : ''}.`,
      },
    ],
  };
}

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
        ? `${analysis.policies.length} policy document(s) allow ${analysis.counts.total} action(s): ${writeLike} of them Write, Permissions management or Tagging${analysis.conditionalCounts.writeLike ? `, ${analysis.conditionalCounts.writeLike} more under conditions` : ''}. Not evaluated: ${analysis.notEvaluated.join(', ')}.`
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

export function auditEvidence(verify: VerifyResult, path: string): EvidenceSection {
  const findings: EvidenceFinding[] = [];
  if (!verify.ok && verify.firstBad) {
    findings.push({
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
        checked: verify.checked,
        intact: verify.ok,
        headSequence: verify.head?.sequence ?? null,
        headHash: verify.head?.hash ?? null,
      },
      detail: verify,
    },
    findings,
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
