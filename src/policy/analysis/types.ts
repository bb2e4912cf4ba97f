import type { AccessLevel } from '../../catalog/data.js';
import type { SensitiveRead } from '../../contracts.js';

export type PolicyEffect = 'Allow' | 'Deny';

/** One validated statement of an identity policy. Single strings are normalised to arrays. */
export interface PolicyStatement {
  /** Zero-based position in the document's `Statement`. */
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: PolicyEffect;
  /** `Action` patterns; undefined when the statement uses `NotAction`. */
  readonly actions: readonly string[] | undefined;
  /** `NotAction` patterns; undefined when the statement uses `Action`. */
  readonly notActions: readonly string[] | undefined;
  readonly resources: readonly string[] | undefined;
  readonly notResources: readonly string[] | undefined;
  /** The `Condition` block, when present and not empty. */
  readonly condition: Readonly<Record<string, unknown>> | undefined;
}

/** A validated identity policy document and where it came from. */
export interface PolicyDocument {
  /** A file name or a label such as `managed:arn:aws:iam::aws:policy/ReadOnlyAccess@v3`. */
  readonly source: string;
  readonly version: string | undefined;
  readonly statements: readonly PolicyStatement[];
}

/** How dangerous an allowed non-read action is; the order of the report. */
export const DangerRank = {
  PERMISSIONS_MANAGEMENT: 'permissions-management',
  CREDENTIAL_MINTING: 'credential-minting',
  WRITE: 'write',
  /** IAM calls it Read or List, but the call changes state (the guard's deliberate overrides, with reasons). */
  SIDE_EFFECT_READ: 'side-effect-read',
  TAGGING: 'tagging',
} as const;
export type DangerRank = (typeof DangerRank)[keyof typeof DangerRank];
export const DANGER_ORDER: readonly DangerRank[] = [
  DangerRank.PERMISSIONS_MANAGEMENT,
  DangerRank.CREDENTIAL_MINTING,
  DangerRank.WRITE,
  DangerRank.SIDE_EFFECT_READ,
  DangerRank.TAGGING,
];

/** One allowed action in a report. */
export interface AllowedActionEntry {
  /** `service:Action` as IAM spells it. */
  readonly action: string;
  readonly accessLevel: AccessLevel;
  /** Statements that allow it, as `source Statement[i]` (at most three are kept). */
  readonly allowedBy: readonly string[];
  /** True when some `Deny` with a condition or a narrower resource also names it: it is denied in some cases only. */
  readonly partiallyDenied: boolean;
  /** True when every statement that allows it limits the resources (`Resource` other than `*`, or `NotResource`). */
  readonly resourceScoped: boolean;
}

/** Allowed non-read actions of one service at one danger rank. */
export interface ActionGroup {
  readonly rank: DangerRank;
  readonly service: string;
  readonly actions: readonly AllowedActionEntry[];
}

export interface SensitiveReadEntry extends AllowedActionEntry, SensitiveRead {
  /** True when only statements with a `Condition` allow it. */
  readonly conditional: boolean;
}

/** An `Action` pattern of an `Allow` statement that matches no action the catalog knows. */
export interface UnrecognisedPattern {
  readonly pattern: string;
  readonly statement: string;
  readonly reason: 'unknown-service' | 'no-matching-action';
}

export type AccessLevelCounts = Record<AccessLevel, number>;

/**
 * Counts by IAM access level, plus `sideEffectReads` (Read/List actions that change state, counted in their
 * level too) and `writeLike`: Write + Permissions management + Tagging + side-effect reads.
 */
export type ActionCounts = AccessLevelCounts & {
  readonly total: number;
  readonly writeLike: number;
  readonly sideEffectReads: number;
};

/** A statement that lets the principal assume roles, judged against the sanctioned session roles. */
export interface SessionGrant {
  readonly statement: string;
  /** The statement's `Resource` list (`NotResource` is never sanctioned). */
  readonly roles: readonly string[];
  /** True when every role is sanctioned: a session grant, expected and not counted as a write. */
  readonly expected: boolean;
}

/** The result of analysing a set of identity policies. JSON-ready. */
export interface PolicyAnalysisReport {
  /** The IAM action catalog the patterns were expanded against. */
  readonly catalog: { readonly source: string; readonly version: string; readonly actionCount: number };
  readonly policies: ReadonlyArray<{ readonly source: string; readonly statements: number }>;
  /**
   * True only when nothing outside Read and List is allowed, with or without
   * conditions, and every allowed pattern matched a known action: an unknown
   * action cannot be shown to only read.
   */
  readonly readOnly: boolean;
  /** Actions allowed without conditions, by access level. */
  readonly counts: ActionCounts;
  /** Actions allowed only under conditions, by access level. */
  readonly conditionalCounts: ActionCounts;
  /**
   * Write, Permissions management and Tagging actions allowed without conditions, and the Read/List actions
   * that change state (side-effect reads, which the guard blocks), most dangerous first.
   */
  readonly writes: readonly ActionGroup[];
  /** The same for actions allowed only under conditions: listed apart. */
  readonly conditionalWrites: readonly ActionGroup[];
  /** Read actions that return secrets, credentials or data. */
  readonly sensitiveReads: readonly SensitiveReadEntry[];
  readonly unrecognised: readonly UnrecognisedPattern[];
  /** With `sessionRoles`: every statement that allows sts:AssumeRole; the expected ones are not in `writes`. */
  readonly sessionGrants?: readonly SessionGrant[];
  /** Policy types that can further limit these permissions but were not part of this analysis. */
  readonly notEvaluated: readonly string[];
}
