import type { AuditAttemptSummary } from '../../audit/types.js';
import { PrincipalAnalyzer, type AuditRecordRef } from '../../cloudtrail/PrincipalAnalyzer.js';
import { auditEvidence } from '../evidence/auditEvidence.js';
import { cloudtrailEvidence } from '../evidence/cloudtrailEvidence.js';
import { identityEvidence } from '../evidence/identityEvidence.js';
import { isToolSession } from '../session/toolSession.js';
import type { CheckRunOptions, CheckRunResult, GatheredAudit, GatheredEvidence } from './types.js';

/** What correlating CloudTrail with the trail needs of an attempt, when it has a service and an operation. */
const auditRef = (e: AuditAttemptSummary): AuditRecordRef | undefined =>
  e.kind === 'attempt' && e.service && e.operation
    ? {
        timestamp: e.timestamp,
        service: e.service,
        operation: e.operation,
        iamAction: e.iamAction,
        decision: e.decision,
      }
    : undefined;

/**
 * The automation's entries (not the tool's own), counting the tool's attempts as they go by and, with `refs`,
 * gathering every attempt's {@link auditRef} in the same pass (the entries are built as they are read).
 */
function* automation(
  entries: Iterable<AuditAttemptSummary>,
  tool: { attempts: number },
  refs: AuditRecordRef[] | undefined,
): Generator<AuditAttemptSummary> {
  for (const e of entries) {
    if (refs !== undefined) {
      const ref = auditRef(e);
      if (ref !== undefined) refs.push(ref);
    }
    if (!isToolSession(e.sessionId)) yield e;
    else if (e.kind === 'attempt') tool.attempts++;
  }
}

/**
 * The one ending of `inventag check`, whatever the evidence source: the audit trail (verified; the
 * automation's entries counted, the tool's own recorded but not scored), identity, permissions, CloudTrail
 * for the principal, then the report.
 */
export async function finishCheck(gathered: GatheredEvidence, options: CheckRunOptions): Promise<CheckRunResult> {
  const { config } = options;
  const { manager, identity } = gathered;
  const principal = config.cloudtrail.principal ?? identity?.arn;
  const trail = gathered.cloudtrail;
  const readTrail =
    trail && principal && config.enableCloudtrailIntegration
      ? async () => {
          const analyzer = new PrincipalAnalyzer(principal, {
            keepEventsForCorrelation: true,
            ...(options.session ? { sessionRoles: options.session.sanctioned } : {}),
          });
          return { analyzer, facts: await trail(analyzer, principal, options.window) };
        }
      : undefined;
  // While another thread still reads the audit trail, read CloudTrail here (that touches only its analyzer, not
  // the manager); the trail's error, if any, still comes first.
  const early =
    gathered.audit instanceof Promise && readTrail
      ? readTrail().then(
          (read) => ({ read }),
          (error: unknown) => ({ error }),
        )
      : undefined;
  let audit: GatheredAudit | undefined;
  try {
    // This thread has nothing else to do until the trail is read: once CloudTrail is in, it walks part of the
    // trail itself.
    if (gathered.audit instanceof Promise) {
      await early;
      gathered.auditIdle?.();
    }
    audit = await gathered.audit;
  } catch (err) {
    await early;
    throw err;
  }
  // The trail's attempts for correlating CloudTrail with, gathered while they are counted.
  const refs: AuditRecordRef[] = [];
  if (audit) {
    const { verify, path, entries, stored, anchorsReport } = audit;
    manager.addEvidence(auditEvidence(verify, path, stored));
    if (anchorsReport) manager.setEvidenceChainHead(verify.head);
    const tool = { attempts: 0 };
    manager.ingestAuditEntries(automation(entries, tool, readTrail ? refs : undefined));
    manager.noteToolCalls(tool.attempts);
  }
  if (identity) {
    manager.addEvidence(identityEvidence(identity));
    manager.setIdentity({
      arn: identity.arn,
      ...(identity.account ? { account: identity.account } : {}),
      type: identity.type,
    });
  }
  if (gathered.permissions) manager.addEvidence(gathered.permissions);

  if (readTrail) {
    let read: Awaited<ReturnType<typeof readTrail>>;
    if (early) {
      const settled = await early;
      if ('error' in settled) throw settled.error;
      read = settled.read;
    } else read = await readTrail();
    const { analyzer, facts } = read;
    manager.addEvidence(cloudtrailEvidence(analyzer.result({ audit: refs }), facts));
    manager.setSubject({
      mode: gathered.mode,
      ...(identity?.account ? { account: identity.account } : {}),
      principal,
      ...(gathered.regions ? { regions: gathered.regions } : {}),
      window: { start: facts.window.start.toISOString(), end: facts.window.end.toISOString() },
    });
  }
  return {
    manager,
    report: manager.generateComprehensiveComplianceReport(
      options.minScore === undefined ? {} : { minComplianceScore: options.minScore },
    ),
    identity,
  };
}
