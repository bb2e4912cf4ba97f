import type { ControlTopic } from '../policy/controls.js';
import type { FindingSource, ReportFinding, ReportSection } from '../report/types.js';

/** A finding before the manager gives it an id and the control IDs of the configured standard. */
export interface EvidenceFinding extends Omit<ReportFinding, 'id' | 'controls' | 'source'> {
  topics: ControlTopic[];
}

/** How one piece of evidence bears on a control topic. */
export interface TopicCheck {
  topic: ControlTopic;
  passed: boolean;
  /** What was checked, in one sentence. */
  evidence: string;
}

/**
 * One part of the evidence (CloudTrail, identity, permissions, the audit
 * trail): a report section, its findings and the control checks it supports.
 * Collectors in manager/collect*.ts turn each module's result into this shape.
 */
export interface EvidenceSection {
  key: string;
  source: FindingSource;
  section: ReportSection;
  findings: EvidenceFinding[];
  checks: TopicCheck[];
}
