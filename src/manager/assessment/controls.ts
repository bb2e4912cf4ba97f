import { ComplianceStandard, RiskLevel } from '../../constants.js';
import { ControlTopic, controlsFor } from '../../policy/controls.js';
import type { ControlResult, ReportFinding } from '../../report/types.js';
import type { TopicCheck } from '../evidence/types.js';
import type { AssessmentInputs } from './inputs.js';
import { NO_EVIDENCE_REASON, hasEvidence } from './status.js';

/** The guard's own checks: what it decided, whether a durable trail records it, whether it was monitored. */
function guardChecks(inputs: AssessmentInputs): TopicCheck[] {
  const vr = inputs.validator;
  const checks: TopicCheck[] = [
    {
      topic: ControlTopic.READ_ONLY_ACCESS,
      passed: vr.allowedByOverride === 0,
      evidence: `Every operation was checked by the read-only guard before it ran (${vr.totalOperations} checked, ${vr.allowedByOverride} write(s) allowed by override).`,
    },
    {
      topic: ControlTopic.CHANGE_PREVENTED,
      passed: true,
      evidence: `${vr.mutatingOperationsBlocked + vr.unknownOperationsBlocked} non-read-only attempt(s) were blocked before reaching AWS.`,
    },
    {
      topic: ControlTopic.AUDIT_LOGGING,
      passed: inputs.auditTrail,
      evidence: inputs.auditTrail
        ? 'Every attempt is appended to the hash-chained audit trail before it runs.'
        : 'No durable audit trail configured.',
    },
  ];
  if (inputs.config.enableProductionMonitoring) {
    checks.push(
      {
        topic: ControlTopic.MONITORING,
        passed: true,
        evidence: 'Errors, circuit breakers and resource usage are monitored with threshold alerts.',
      },
      {
        topic: ControlTopic.INCIDENT_EVALUATION,
        passed: true,
        evidence:
          'Errors are classified by severity with recovery actions; blocked calls are recorded as security events.',
      },
    );
  }
  return checks;
}

/**
 * The control table of the configured standard: each control PASS, FAIL (with the HIGH and CRITICAL findings
 * behind it) or NOT_EVALUATED (no evidence, or evidence that could not be read completely: then the reason).
 */
export function controlTable(inputs: AssessmentInputs, findings: readonly ReportFinding[]): ControlResult[] {
  const std = inputs.config.complianceStandard;
  if (std === ComplianceStandard.GENERAL) return [];
  const custom = inputs.config.custom?.controlMappings;
  // Nothing seen and nothing read: every control is NOT_EVALUATED, none passes on an empty run.
  const evidenced = hasEvidence(inputs);
  const checks = evidenced ? [...guardChecks(inputs), ...inputs.evidence.flatMap((e) => e.checks)] : [];

  const byId = new Map<string, ControlResult>();
  for (const check of checks) {
    const controls = controlsFor(std, [check.topic], custom);
    const topicFindings = findings.filter(
      (f) =>
        controls.some((c) => f.controls.includes(c.id)) &&
        (f.severity === RiskLevel.CRITICAL || f.severity === RiskLevel.HIGH),
    );
    for (const control of controls) {
      const existing = byId.get(control.id);
      const passed = check.passed && (existing ? existing.status === 'PASS' : true);
      byId.set(control.id, {
        id: control.id,
        title: control.title,
        evidence: existing ? `${existing.evidence} ${check.evidence}` : check.evidence,
        status: passed ? 'PASS' : 'FAIL',
        findingIds: [
          ...new Set([...(existing?.findingIds ?? []), ...(check.passed ? [] : topicFindings.map((f) => f.id))]),
        ],
      });
    }
  }
  // Incomplete evidence: a control it bears on that did not fail on what was read is not evaluated.
  for (const ev of inputs.evidence) {
    if (!ev.incomplete) continue;
    for (const control of controlsFor(std, ev.incomplete.topics, custom)) {
      const existing = byId.get(control.id);
      if (existing?.status === 'FAIL') continue;
      byId.set(control.id, {
        id: control.id,
        title: control.title,
        evidence: `Not evaluated: ${ev.incomplete.reason}.`,
        status: 'NOT_EVALUATED',
        findingIds: findings.filter((f) => f.source === ev.source && f.controls.includes(control.id)).map((f) => f.id),
      });
    }
  }
  for (const topic of Object.values(ControlTopic)) {
    for (const control of controlsFor(std, [topic], custom)) {
      if (!byId.has(control.id))
        byId.set(control.id, {
          id: control.id,
          title: control.title,
          evidence: evidenced
            ? `No evidence collected for ${topic.replace(/_/g, ' ')} in this run.`
            : `Not evaluated: ${NO_EVIDENCE_REASON}`,
          status: 'NOT_EVALUATED',
          findingIds: [],
        });
    }
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}
