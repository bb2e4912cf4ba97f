import { ComplianceStandard } from '../constants.js';

/**
 * The controls each kind of evidence bears on, per standard. One table, used
 * by verdicts, findings and the control table at the end of every report.
 * GENERAL carries no control IDs.
 */
export const ControlTopic = {
  /** Production access limited to reading (least privilege). */
  READ_ONLY_ACCESS: 'read_only_access',
  /** A change was attempted and prevented. */
  CHANGE_PREVENTED: 'change_prevented',
  /** Every attempt is on record. */
  AUDIT_LOGGING: 'audit_logging',
  /** The record cannot be altered unnoticed. */
  AUDIT_INTEGRITY: 'audit_integrity',
  /** Errors, breakers and resources are watched. */
  MONITORING: 'monitoring',
  /** Security events are evaluated and acted on. */
  INCIDENT_EVALUATION: 'incident_evaluation',
  /** Credentials and secrets readable by the automation. */
  SENSITIVE_ACCESS: 'sensitive_access',
  /** What the principal's credentials could do. */
  ACCESS_RIGHTS: 'access_rights',
  /** Evidence collected from AWS itself. */
  EVIDENCE_COLLECTION: 'evidence_collection',
  /** Who the automation runs as. */
  IDENTITY: 'identity',
} as const;
export type ControlTopic = (typeof ControlTopic)[keyof typeof ControlTopic];

export interface ControlDefinition {
  readonly id: string;
  readonly title: string;
}

const SOC2: Record<ControlTopic, readonly ControlDefinition[]> = {
  read_only_access: [
    { id: 'CC6.1', title: 'Logical access security: access restricted to authorised, least-privilege operations' },
    { id: 'CC6.3', title: 'Access is authorised and limited to what the role requires' },
  ],
  change_prevented: [
    { id: 'CC8.1', title: 'Changes to infrastructure are authorised; unauthorised changes are prevented' },
  ],
  audit_logging: [{ id: 'CC7.2', title: 'System components are monitored and anomalies recorded' }],
  audit_integrity: [{ id: 'CC7.2', title: 'System components are monitored and anomalies recorded' }],
  monitoring: [{ id: 'CC7.2', title: 'System components are monitored and anomalies recorded' }],
  incident_evaluation: [
    { id: 'CC7.3', title: 'Security events are evaluated to determine whether they are incidents' },
  ],
  sensitive_access: [
    { id: 'CC6.1', title: 'Logical access security: access restricted to authorised, least-privilege operations' },
  ],
  access_rights: [
    { id: 'CC6.3', title: 'Access is authorised and limited to what the role requires' },
    { id: 'CC1.3', title: 'Structures, reporting lines and authorities are established' },
  ],
  evidence_collection: [{ id: 'CC7.2', title: 'System components are monitored and anomalies recorded' }],
  identity: [
    { id: 'CC6.1', title: 'Logical access security: access restricted to authorised, least-privilege operations' },
  ],
};

const ISO27001: Record<ControlTopic, readonly ControlDefinition[]> = {
  read_only_access: [
    { id: 'A.5.15', title: 'Access control' },
    { id: 'A.8.2', title: 'Privileged access rights' },
  ],
  change_prevented: [{ id: 'A.8.32', title: 'Change management' }],
  audit_logging: [{ id: 'A.8.15', title: 'Logging' }],
  audit_integrity: [{ id: 'A.8.15', title: 'Logging' }],
  monitoring: [{ id: 'A.8.16', title: 'Monitoring activities' }],
  incident_evaluation: [{ id: 'A.5.25', title: 'Assessment and decision on information security events' }],
  sensitive_access: [{ id: 'A.8.2', title: 'Privileged access rights' }],
  access_rights: [{ id: 'A.5.18', title: 'Access rights' }],
  evidence_collection: [{ id: 'A.5.28', title: 'Collection of evidence' }],
  identity: [{ id: 'A.5.16', title: 'Identity management' }],
};

/** Extra control mappings from a CUSTOM configuration: topic -> controls. */
export type CustomControlMappings = Partial<Record<ControlTopic, readonly ControlDefinition[]>>;

export function controlsFor(
  standard: ComplianceStandard,
  topics: readonly ControlTopic[],
  custom?: CustomControlMappings,
): ControlDefinition[] {
  const table =
    standard === ComplianceStandard.SOC2 ? SOC2 : standard === ComplianceStandard.ISO27001 ? ISO27001 : undefined;
  const out = new Map<string, ControlDefinition>();
  for (const topic of topics) {
    for (const c of table?.[topic] ?? []) out.set(c.id, c);
    if (standard === ComplianceStandard.CUSTOM) for (const c of custom?.[topic] ?? []) out.set(c.id, c);
  }
  return [...out.values()];
}

export function controlIdsFor(
  standard: ComplianceStandard,
  topics: readonly ControlTopic[],
  custom?: CustomControlMappings,
): string[] {
  return controlsFor(standard, topics, custom).map((c) => c.id);
}
