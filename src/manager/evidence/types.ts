import type { ControlTopic } from '../../policy/controls.js';
import type { FindingSource, ReportFinding, ReportSection } from '../../report/types.js';
import type { FindingCode } from '../../report/findingCodes.js';

/** A finding before the assessment gives it an id and the control IDs of the configured standard. */
export interface EvidenceFinding extends Omit<ReportFinding, 'id' | 'controls' | 'source' | 'code'> {
  /** What kind of finding this is; findings are merged and capped by code, never by title. */
  code: FindingCode;
  topics: ControlTopic[];
}

/** How one piece of evidence bears on a control topic. */
export interface TopicCheck {
  topic: ControlTopic;
  passed: boolean;
  /** What was checked, in one sentence. */
  evidence: string;
}

/** One thing that kept a piece of evidence from being read completely. */
export interface EvidenceProblem {
  /** The file (or page, or request) that could not be read, when there is one. */
  readonly location?: string;
  /** What went wrong, for a person. */
  readonly reason: string;
  /** What kind of problem: a file that could not be read at all, or records inside it that were malformed. */
  readonly kind: 'unreadable' | 'malformed-records' | 'truncated' | 'other';
  /** Records lost to this problem, when known. */
  readonly records?: number;
}

/**
 * Evidence that could not be read completely. The controls of `topics` are then NOT_EVALUATED with the reason,
 * and the verdict is never COMPLIANT: at best INCONCLUSIVE. Readers (CloudTrail files, LookupEvents) fill it.
 */
export interface EvidenceIncompleteness {
  readonly reason: string;
  readonly topics: readonly ControlTopic[];
  readonly problems: readonly EvidenceProblem[];
}

/** A write by the principal, as the dashboard and metrics show it. */
export interface CloudtrailWriteFact {
  readonly eventTime: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventId: string;
  readonly iamAction?: string;
  readonly awsRegion?: string;
  readonly principal?: string;
  readonly userAgent?: string;
  readonly sourceIpAddress?: string;
  readonly errorCode?: string;
}

/** Typed facts of each evidence source, read by the snapshot and the metrics (never `section.detail`). */
export type EvidenceFacts =
  | {
      readonly kind: 'cloudtrail';
      readonly source: string;
      readonly principal: string;
      readonly eventsRead: number;
      readonly writesFound: number;
      readonly writes: readonly CloudtrailWriteFact[];
    }
  | { readonly kind: 'identity'; readonly arn: string; readonly account?: string; readonly type: string }
  | { readonly kind: 'permissions'; readonly analysed: boolean; readonly readOnly: boolean; readonly writeLike: number }
  | {
      readonly kind: 'auditTrail';
      readonly store: string;
      readonly intact: boolean;
      readonly checked: number;
      /** Entries in the store (a broken chain is verified only up to its first bad entry). */
      readonly entries?: number;
      readonly head?: { readonly sequence: number; readonly hash: string };
    };

/**
 * One part of the evidence (CloudTrail, identity, permissions, the audit trail): a report section, its
 * findings, the control checks it supports, and its typed facts. The builders in manager/evidence/ turn each
 * module's result into this shape.
 */
export interface EvidenceSection {
  key: string;
  source: FindingSource;
  section: ReportSection;
  findings: EvidenceFinding[];
  checks: TopicCheck[];
  facts?: EvidenceFacts;
  /** Set when the evidence could not be read completely. */
  incomplete?: EvidenceIncompleteness;
}
