import type { AuditAttemptSummary } from '../../audit/types.js';
import { PrincipalAnalyzer, type AuditRecordRef } from '../../cloudtrail/PrincipalAnalyzer.js';
import { auditEvidence } from '../evidence/auditEvidence.js';
import { cloudtrailEvidence } from '../evidence/cloudtrailEvidence.js';
import { identityEvidence } from '../evidence/identityEvidence.js';
import { isToolSession } from '../session/toolSession.js';
import type { CheckRunOptions, CheckRunResult, GatheredEvidence } from './types.js';

const auditRefs = (entries: readonly AuditAttemptSummary[]): AuditRecordRef[] =>
  entries
    .filter((e) => e.kind === 'attempt' && e.service && e.operation)
    .map((e) => ({
      timestamp: e.timestamp,
      service: e.service!,
      operation: e.operation!,
      iamAction: e.iamAction,
      decision: e.decision,
    }));

/**
 * The one ending of `inventag check`, whatever the evidence source: the audit trail (verified; the
 * automation's entries counted, the tool's own recorded but not scored), identity, permissions, CloudTrail
 * for the principal, then the report.
 */
export async function finishCheck(gathered: GatheredEvidence, options: CheckRunOptions): Promise<CheckRunResult> {
  const { config } = options;
  const { manager, identity } = gathered;
  if (gathered.audit) {
    const { verify, path, entries, stored, anchorsReport } = gathered.audit;
    manager.addEvidence(auditEvidence(verify, path, stored));
    if (anchorsReport) manager.setEvidenceChainHead(verify.head);
    manager.ingestAuditEntries(entries.filter((e) => !isToolSession(e.sessionId)));
    manager.noteToolCalls(entries.filter((e) => e.kind === 'attempt' && isToolSession(e.sessionId)).length);
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

  const principal = config.cloudtrail.principal ?? identity?.arn;
  if (gathered.cloudtrail && principal && config.enableCloudtrailIntegration) {
    const analyzer = new PrincipalAnalyzer(principal, {
      keepEventsForCorrelation: true,
      ...(options.session ? { sessionRoles: options.session.sanctioned } : {}),
    });
    const facts = await gathered.cloudtrail(analyzer, principal, options.window);
    manager.addEvidence(
      cloudtrailEvidence(analyzer.result({ audit: auditRefs(gathered.audit?.entries ?? []) }), facts),
    );
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
