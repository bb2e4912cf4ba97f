import type { PrincipalAnalysis } from '../../cloudtrail/PrincipalAnalyzer.js';
import type { TrailScanSummary } from '../../cloudtrail/TrailFileReader.js';
import type { TrailIntegrity } from '../../cloudtrail/trailIntegrity.js';
import { RiskLevel } from '../../constants.js';
import { ControlTopic } from '../../policy/controls.js';
import { FindingCode } from '../../report/findingCodes.js';
import type { ReportSection } from '../../report/types.js';
import type {
  EvidenceFacts,
  EvidenceFinding,
  EvidenceIncompleteness,
  EvidenceProblem,
  EvidenceSection,
} from './types.js';

/** What a CloudTrail read covered: where from, which window, how much, and what could not be read. */
export interface CloudtrailScanFacts {
  source: string;
  window: { start: Date; end: Date };
  eventsRead: number;
  filesRead?: number;
  filesCorrupt?: number;
  corrupt?: readonly { file: string; reason: string }[];
  pages?: number;
  /**
   * Everything that kept the read from being complete (files unreadable, records malformed, pages missing).
   * The reader fills it; `corrupt` files are added to it. Any problem makes the CloudTrail evidence incomplete.
   */
  problems?: readonly EvidenceProblem[];
  /**
   * Whether the trail files read are the ones CloudTrail delivered (log file validation): set for trail files,
   * absent for LookupEvents (AWS's own answer, nothing to verify).
   */
  integrity?: TrailIntegrity;
}

/** The topics CloudTrail evidence decides: with an incomplete read, their controls are NOT_EVALUATED. */
export const CLOUDTRAIL_TOPICS: readonly ControlTopic[] = [
  ControlTopic.EVIDENCE_COLLECTION,
  ControlTopic.READ_ONLY_ACCESS,
  ControlTopic.CHANGE_PREVENTED,
];

/** Every problem of a read: the reader's own, and each corrupt file. */
export function problemsOf(facts: CloudtrailScanFacts): EvidenceProblem[] {
  const listed = [...(facts.problems ?? [])];
  const seen = new Set(listed.map((p) => p.location));
  for (const c of facts.corrupt ?? [])
    if (!seen.has(c.file)) listed.push({ location: c.file, reason: c.reason, kind: 'unreadable' });
  const unlisted = (facts.filesCorrupt ?? 0) - (facts.corrupt?.length ?? 0);
  if (unlisted > 0 && listed.length === 0)
    listed.push({ reason: `${unlisted} trail file(s) could not be read`, kind: 'unreadable' });
  return listed;
}

export function cloudtrailEvidence(analysis: PrincipalAnalysis, facts: CloudtrailScanFacts): EvidenceSection {
  const findings: EvidenceFinding[] = analysis.findings.map((f) => ({
    code:
      f.severity === RiskLevel.CRITICAL && f.events.length
        ? FindingCode.CLOUDTRAIL_WRITE
        : FindingCode.CLOUDTRAIL_FINDING,
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
  const problems = problemsOf(facts);
  const integrity = facts.integrity;
  const tampered = integrity?.status === 'TAMPERED';
  const unverified = integrity?.status === 'NOT_EVALUATED';
  const incomplete = incompletenessOf(
    problems.length
      ? {
          reason: `the CloudTrail evidence is incomplete: ${problems.length} problem(s) reading ${facts.source} (${problems
            .slice(0, 3)
            .map((p) => (p.location ? `${p.location}: ${p.reason}` : p.reason))
            .join('; ')}${problems.length > 3 ? '; ...' : ''})`,
          topics: CLOUDTRAIL_TOPICS,
          problems,
        }
      : undefined,
    integrity && (tampered || unverified)
      ? {
          reason: tampered
            ? `the CloudTrail files were tampered with, so what they show cannot be relied on (${integrity.reason})`
            : `the CloudTrail files read are not verified: ${integrity.reason}`,
          // Tampered: the collection control fails on its own; what the files show decides nothing.
          topics: tampered ? [ControlTopic.READ_ONLY_ACCESS, ControlTopic.CHANGE_PREVENTED] : INTEGRITY_TOPICS,
          problems: [],
        }
      : undefined,
  );
  if (integrity && tampered) findings.push(tamperFinding(integrity));
  if (integrity && unverified) findings.push(unverifiedFinding(integrity));
  if (problems.length) {
    findings.push({
      code: FindingCode.EVIDENCE_INCOMPLETE,
      severity: RiskLevel.HIGH,
      title: `CloudTrail evidence incomplete: ${problems.length} problem(s) reading the trail`,
      description: problems
        .slice(0, 10)
        .map((p) => (p.location ? `${p.location}: ${p.reason}` : p.reason))
        .join('; '),
      recommendation:
        'Repair or restore the damaged trail files and run the check again: events in them were not analysed, so the read-only guarantee cannot be shown.',
      topics: [ControlTopic.EVIDENCE_COLLECTION],
      evidence: { problems: problems.length },
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
      status: held && !tampered ? (incomplete ? 'NOT_EVALUATED' : 'PASS') : 'FAIL',
      summary: `${
        held
          ? problems.length
            ? `${analysis.principalEvents} event(s) by ${analysis.principal} among ${analysis.eventsSeen} read from ${facts.source} changed nothing, but ${incomplete!.reason.replace(/^the CloudTrail evidence is incomplete: /, '')}: the read-only guarantee cannot be shown.`
            : `${analysis.principalEvents} event(s) by ${analysis.principal} among ${analysis.eventsSeen} read from ${facts.source}: none changed anything.`
          : `${writesFound} write(s) by ${analysis.principal} among ${analysis.eventsSeen} event(s) read from ${facts.source}: the read-only guarantee is broken.`
      }${integrity ? ` ${integritySentence(integrity)}` : ''}`,
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
        ...(integrity
          ? {
              integrity: integrity.status,
              filesVerified: integrity.filesVerified,
              digests: integrity.digests.total,
              digestsVerified: integrity.digests.verified,
            }
          : {}),
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
        problems,
        ...(integrity ? { integrity } : {}),
      },
    },
    findings,
    facts: {
      kind: 'cloudtrail',
      source: facts.source,
      principal: analysis.principal,
      eventsRead: facts.eventsRead,
      writesFound,
      writes: analysis.writes.slice(0, 200).map((e) => ({
        eventTime: e.eventTime,
        eventName: e.eventName,
        eventSource: e.eventSource,
        eventId: e.eventId,
        ...(e.iamAction ? { iamAction: e.iamAction } : {}),
        ...(e.awsRegion ? { awsRegion: e.awsRegion } : {}),
        ...(e.principalArn ? { principal: e.principalArn } : {}),
        ...(e.userAgent ? { userAgent: e.userAgent } : {}),
        ...(e.sourceIpAddress ? { sourceIpAddress: e.sourceIpAddress } : {}),
        ...(e.errorCode ? { errorCode: e.errorCode } : {}),
      })),
    },
    ...(incomplete ? { incomplete } : {}),
    checks: [
      // Incomplete evidence decides nothing about its collection: its controls are NOT_EVALUATED instead.
      ...(tampered
        ? [
            {
              topic: ControlTopic.EVIDENCE_COLLECTION,
              passed: false,
              evidence: `The CloudTrail files read from ${facts.source} are not as CloudTrail delivered them: ${integrity.reason}.`,
            },
          ]
        : incomplete?.topics.includes(ControlTopic.EVIDENCE_COLLECTION)
          ? []
          : [
              {
                topic: ControlTopic.EVIDENCE_COLLECTION,
                passed: true,
                evidence: `CloudTrail events for the principal were read from ${facts.source} (${facts.eventsRead} events)${integrity ? `; ${integrity.reason}` : ''}.`,
              },
            ]),
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

/** The topic log file validation decides: the CloudTrail evidence is what CloudTrail delivered. */
const INTEGRITY_TOPICS: readonly ControlTopic[] = [ControlTopic.EVIDENCE_COLLECTION];

/** One incompleteness from several causes: reasons joined, topics and problems merged. */
function incompletenessOf(...parts: (EvidenceIncompleteness | undefined)[]): EvidenceIncompleteness | undefined {
  const given = parts.filter((p): p is EvidenceIncompleteness => p !== undefined);
  if (given.length <= 1) return given[0];
  return {
    reason: given.map((p) => p.reason).join('; '),
    topics: [...new Set(given.flatMap((p) => p.topics))],
    problems: given.flatMap((p) => p.problems),
  };
}

const baseName = (file: string): string => file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);

const ISSUE_WORDS: Record<string, string> = {
  LOG_MODIFIED: 'modified',
  LOG_DELETED: 'deleted',
  LOG_NOT_COVERED: 'not covered by any digest',
  CHAIN_GAP: 'digest missing from the chain',
  DIGEST_BAD_SIGNATURE: 'digest fails its signature',
  DIGEST_UNKNOWN_KEY: 'digest signed by an unknown key',
  DIGEST_INVALID: 'invalid digest',
};

function integritySentence(integrity: TrailIntegrity): string {
  switch (integrity.status) {
    case 'VERIFIED':
      return `Log file validation: all ${integrity.filesRead} file(s) read verified against ${integrity.digests.verified} signed digest(s).`;
    case 'TAMPERED':
      return `Log file validation: TAMPERED, ${integrity.tampered.length} problem(s) (${integrity.tampered
        .slice(0, 3)
        .map((i) => `${baseName(i.file)} ${ISSUE_WORDS[i.code] ?? i.code}`)
        .join('; ')}${integrity.tampered.length > 3 ? '; ...' : ''}).`;
    default:
      return `Log file validation: not evaluated, ${integrity.reason}.`;
  }
}

function tamperFinding(integrity: TrailIntegrity): EvidenceFinding {
  const list = integrity.tampered;
  const named = list
    .slice(0, 3)
    .map((i) => `${baseName(i.file)} ${ISSUE_WORDS[i.code] ?? i.code}`)
    .join(', ');
  return {
    code: FindingCode.CLOUDTRAIL_TAMPERED,
    severity: RiskLevel.CRITICAL,
    title: `CloudTrail log files tampered with: ${named}${list.length > 3 ? ` and ${list.length - 3} more` : ''}`,
    description: list
      .slice(0, 10)
      .map((i) => `${i.code} ${i.file}: ${i.detail}`)
      .join('; '),
    recommendation:
      'Treat the trail bucket as compromised: find who could write to it (bucket policy, S3 server access logs, CloudTrail data events), restore the files from a copy you trust, and run inventag cloudtrail verify on them before relying on them.',
    topics: [ControlTopic.EVIDENCE_COLLECTION, ControlTopic.INCIDENT_EVALUATION],
    evidence: {
      issues: list.slice(0, 50).map((i) => ({ code: i.code, file: i.file, ...(i.digest ? { digest: i.digest } : {}) })),
      issueCount: list.length,
    },
  };
}

function unverifiedFinding(integrity: TrailIntegrity): EvidenceFinding {
  const noDigests = integrity.digests.total === 0;
  return {
    code: FindingCode.CLOUDTRAIL_UNVERIFIED,
    severity: RiskLevel.MEDIUM,
    title: noDigests
      ? 'CloudTrail log files not verified: no digest files'
      : `CloudTrail log files not verified: ${integrity.unverifiedCount} of ${integrity.filesRead} file(s)`,
    description: integrity.reason,
    recommendation: noDigests
      ? 'Enable log file validation on the trail (aws cloudtrail update-trail --name <trail> --enable-log-file-validation) and keep the CloudTrail-Digest files with the log files, so each file can be shown to be the one CloudTrail delivered.'
      : 'Verify against the S3 location (a local copy loses the newest digest signature), give CloudTrail public keys (--public-keys FILE offline), or end the window before the newest digest.',
    topics: [ControlTopic.EVIDENCE_COLLECTION],
    evidence: {
      digests: integrity.digests.total,
      filesRead: integrity.filesRead,
      filesVerified: integrity.filesVerified,
      unverified: integrity.unverified.slice(0, 20).map((u) => u.file),
    },
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
    // The reader's own account of what it could not read completely (cut short, malformed records).
    problems: scan.problems.map((p) => ({ location: p.location, reason: p.reason, kind: p.kind })),
  };
}

/**
 * The CloudTrail facts of a saved report's section (`inventag check` keeps its last report): what the dashboard
 * and metrics of the local history show until the next check. Fields that are missing or of another type are
 * left out, never guessed.
 */
export function cloudtrailFactsFromSection(section: ReportSection): EvidenceFacts {
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const detail = (section.detail ?? {}) as { writesByPrincipal?: unknown };
  const writes = Array.isArray(detail.writesByPrincipal) ? (detail.writesByPrincipal as Record<string, unknown>[]) : [];
  return {
    kind: 'cloudtrail',
    source: str(section.facts.source) ?? 'last check',
    principal: str(section.facts.principal) ?? '',
    eventsRead: num(section.facts.eventsRead),
    writesFound: num(section.facts.writesByPrincipal),
    writes: writes.flatMap((w) => {
      const eventTime = str(w.eventTime);
      const eventName = str(w.eventName);
      const eventSource = str(w.eventSource);
      if (!eventTime || !eventName || !eventSource) return [];
      const optional = (k: string, v: unknown) => (str(v) ? { [k]: str(v) } : {});
      return [
        {
          eventTime,
          eventName,
          eventSource,
          eventId: str(w.eventId) ?? '',
          ...optional('iamAction', w.iamAction),
          ...optional('awsRegion', w.awsRegion),
          ...optional('principal', w.principal ?? w.principalArn),
          ...optional('userAgent', w.userAgent),
          ...optional('sourceIpAddress', w.sourceIpAddress),
          ...optional('errorCode', w.errorCode),
        },
      ];
    }),
  };
}
