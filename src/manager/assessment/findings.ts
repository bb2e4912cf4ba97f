import { RiskLevel } from '../../constants.js';
import { ControlTopic, controlsFor } from '../../policy/controls.js';
import { PREVENTED, REPORTED_BY_VALIDATOR, FindingCode } from '../../report/findingCodes.js';
import type { ReportFinding } from '../../report/types.js';
import type { AssessmentInputs } from './inputs.js';
import { bySeverity } from './scoring.js';

/**
 * Every finding of an assessment, with its code, id and the control IDs of the configured standard.
 * Findings are merged by code: the monitor's findings about blocked attempts are the validator's (one per
 * action) seen again, so they are dropped; a prevented attempt counts as HIGH at most.
 */
export function collectFindings(inputs: AssessmentInputs): ReportFinding[] {
  const std = inputs.config.complianceStandard;
  const custom = inputs.config.custom?.controlMappings;
  const out: ReportFinding[] = [];
  for (const f of inputs.validator.securityFindings) {
    out.push({
      id: '',
      code: f.code,
      severity: PREVENTED.has(f.code) && f.severity === RiskLevel.CRITICAL ? RiskLevel.HIGH : f.severity,
      source: 'validator',
      title: f.title,
      description: f.description,
      recommendation: f.recommendation,
      controls: f.controls,
      evidence: { count: f.count },
    });
  }
  for (const f of inputs.monitoring?.securityReport.securityFindings ?? []) {
    if (REPORTED_BY_VALIDATOR.has(f.code)) continue;
    out.push({
      id: '',
      code: f.code,
      severity: f.severity,
      source: 'monitor',
      title: f.title,
      description: f.description,
      recommendation: f.recommendation,
      controls: controlsFor(std, [ControlTopic.MONITORING, ControlTopic.INCIDENT_EVALUATION], custom).map((c) => c.id),
    });
  }
  const summary = inputs.monitoring?.summary;
  const failureRateReported = out.some((f) => f.code === FindingCode.HIGH_FAILURE_RATE);
  if (summary && !failureRateReported && summary.totalErrors > 0 && summary.errorRate > 10) {
    out.push({
      id: '',
      code: FindingCode.HIGH_ERROR_RATE,
      severity: RiskLevel.MEDIUM,
      source: 'monitor',
      title: `Error rate ${summary.errorRate.toFixed(1)}%`,
      description: `${summary.totalErrors} error(s) were reported for ${summary.totalOperations} operation(s) (through handleError or failed calls).`,
      recommendation: 'Look at the top error kinds in the errors log and fix the most frequent cause first.',
      controls: controlsFor(std, [ControlTopic.MONITORING, ControlTopic.INCIDENT_EVALUATION], custom).map((c) => c.id),
      evidence: { errors: summary.totalErrors, operations: summary.totalOperations },
    });
  }
  for (const ev of inputs.evidence) {
    for (const f of ev.findings) {
      out.push({
        id: '',
        code: f.code,
        severity: f.severity,
        source: ev.source,
        title: f.title,
        description: f.description,
        recommendation: f.recommendation,
        controls: controlsFor(std, f.topics, custom).map((c) => c.id),
        ...(f.evidence ? { evidence: f.evidence } : {}),
      });
    }
  }
  out.sort(bySeverity);
  out.forEach((f, i) => (f.id = `F-${String(i + 1).padStart(3, '0')}`));
  return out;
}
