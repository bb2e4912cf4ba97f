import { AccessLevel } from '../../catalog/data.js';
import { NOT_SENSITIVE, SENSITIVE_READS } from '../../catalog/sensitiveReads.js';
import type { SensitiveRead } from '../../contracts.js';
import { defaultActionIndex, type ActionIndex } from './ActionIndex.js';
import { dangerRank } from './dangerRank.js';
import {
  DANGER_ORDER,
  type AccessLevelCounts,
  type ActionCounts,
  type ActionGroup,
  type AllowedActionEntry,
  DangerRank,
  type PolicyAnalysisReport,
  type PolicyDocument,
  type PolicyStatement,
  type SensitiveReadEntry,
  type SessionGrant,
  type UnrecognisedPattern,
} from './types.js';

/** Policy types that can narrow what identity policies allow; none of them is read by this analysis. */
export const NOT_EVALUATED: readonly string[] = [
  'permission boundaries',
  'service control policies (SCPs)',
  'resource control policies (RCPs)',
  'session policies',
  'resource-based policies',
  'condition values (statements with a Condition are listed apart, as allowed under conditions)',
];

export interface PolicyAnalyzerOptions {
  /**
   * The action catalog to expand patterns against.
   * @default the IAM action data packaged with inventag
   */
  index?: ActionIndex;
  /**
   * Policy types to name in the report as not evaluated.
   * @default NOT_EVALUATED
   */
  notEvaluated?: readonly string[];
  /**
   * How many allowing statements to name per action.
   * @default 3
   */
  maxAllowedBy?: number;
  /**
   * The sanctioned session roles (`sessions.assumeRoles`). `sts:AssumeRole`
   * allowed only on such roles is an expected session grant, not a write;
   * on `*` or any other role it stays a write.
   * @default none: sts:AssumeRole is a write like any other
   */
  sessionRoles?: { covers(resource: string): boolean };
}

const ASSUME_ROLE = 'sts:AssumeRole';

interface StatementMarks {
  readonly label: string;
  readonly statement: PolicyStatement;
  readonly marks: Uint8Array;
  /** Resource is `*` (or a list containing it). */
  readonly allResources: boolean;
}

const LEVELS = Object.values(AccessLevel);

/** Per index: the row of `SENSITIVE_READS` (1-based) that decides each action, 0 for none. */
const sensitiveTables = new WeakMap<ActionIndex, Uint16Array>();

/**
 * The sensitive-read row of every catalog action, computed once per index
 * by marking each table pattern (first match wins, as in `sensitiveRead()`):
 * a few set operations instead of dozens of regular expressions per action.
 */
function sensitiveTable(index: ActionIndex): Uint16Array {
  let rows = sensitiveTables.get(index);
  if (rows) return rows;
  // Marked last to first with the row number, so the first matching row is what stays.
  rows = new Uint16Array(index.size);
  for (let p = SENSITIVE_READS.length - 1; p >= 0; p--)
    index.mark((SENSITIVE_READS[p] as (typeof SENSITIVE_READS)[number])[0], rows, p + 1);
  for (const name of NOT_SENSITIVE) index.mark(name, rows, 0);
  sensitiveTables.set(index, rows);
  return rows;
}

const sensitiveOfRow = (row: number): SensitiveRead | undefined =>
  row === 0 ? undefined : SENSITIVE_READS[row - 1]?.[1];

/**
 * Works out, from identity policy documents alone, every action they allow:
 * `Action` and `NotAction` wildcards expanded against the IAM action catalog,
 * explicit `Deny` applied, statements with conditions kept apart, and the
 * result sorted by access level and danger.
 *
 * @example
 * ```ts
 * const report = new PolicyAnalyzer().analyze([parsePolicyText(text, 'policy.json')]);
 * if (!report.readOnly) console.log(report.writes.map((g) => `${g.rank} ${g.service}: ${g.actions.length}`));
 * ```
 */
export class PolicyAnalyzer {
  private readonly index: ActionIndex;
  private readonly notEvaluated: readonly string[];
  private readonly maxAllowedBy: number;
  private readonly sessionRoles: PolicyAnalyzerOptions['sessionRoles'];
  private readonly assumeRole: number;

  constructor(options: PolicyAnalyzerOptions = {}) {
    this.index = options.index ?? defaultActionIndex();
    this.notEvaluated = options.notEvaluated ?? NOT_EVALUATED;
    this.maxAllowedBy = options.maxAllowedBy ?? 3;
    this.sessionRoles = options.sessionRoles;
    const mask = new Uint8Array(this.index.size);
    this.index.mark(ASSUME_ROLE, mask);
    this.assumeRole = mask.indexOf(1);
  }

  /** Judges a statement's sts:AssumeRole against the session roles; an expected grant leaves the statement's marks. */
  private sessionGrant(label: string, statement: PolicyStatement, marks: Uint8Array): SessionGrant | undefined {
    if (!this.sessionRoles || this.assumeRole < 0 || !marks[this.assumeRole]) return undefined;
    const roles = statement.resources ?? [];
    const sessionRoles = this.sessionRoles;
    const expected =
      statement.resources !== undefined && roles.length > 0 && roles.every((r) => sessionRoles.covers(r));
    if (expected) marks[this.assumeRole] = 0;
    return {
      statement: label,
      roles: statement.resources ?? (statement.notResources ?? []).map((r) => `NotResource ${r}`),
      expected,
    };
  }

  analyze(documents: readonly PolicyDocument[]): PolicyAnalysisReport {
    const size = this.index.size;
    const allowed = new Uint8Array(size);
    const allowedConditional = new Uint8Array(size);
    const denied = new Uint8Array(size);
    const deniedPartly = new Uint8Array(size);
    const allowing: StatementMarks[] = [];
    const unrecognised: UnrecognisedPattern[] = [];
    const sessionGrants: SessionGrant[] = [];

    for (const doc of documents) {
      for (const statement of doc.statements) {
        const label = `${doc.source} Statement[${statement.index}]${statement.sid ? ` (${statement.sid})` : ''}`;
        const marks = this.expand(statement, label, unrecognised);
        const allResources = statement.resources?.includes('*') ?? false;
        if (statement.effect === 'Allow') {
          const grant = this.sessionGrant(label, statement, marks);
          if (grant) sessionGrants.push(grant);
          merge(statement.condition ? allowedConditional : allowed, marks);
          allowing.push({ label, statement, marks, allResources });
        } else if (!statement.condition && allResources) {
          merge(denied, marks);
        } else {
          // A conditional or resource-scoped Deny removes the action in some cases only.
          merge(deniedPartly, marks);
        }
      }
    }

    const counts = emptyCounts();
    const conditionalCounts = emptyCounts();
    const sideEffects = { n: 0 };
    const conditionalSideEffects = { n: 0 };
    const writes = new Map<string, AllowedActionEntry[]>();
    const conditionalWrites = new Map<string, AllowedActionEntry[]>();
    const sensitiveReads: SensitiveReadEntry[] = [];
    const sensitiveRows = sensitiveTable(this.index);

    for (let i = 0; i < size; i++) {
      if (denied[i] || !(allowed[i] || allowedConditional[i])) continue;
      const action = this.index.action(i);
      const conditional = !allowed[i];
      (conditional ? conditionalCounts : counts)[action.accessLevel]++;
      const sensitive = sensitiveOfRow(sensitiveRows[i] as number);
      const rank = dangerRank(action, sensitive ?? null);
      if (rank !== undefined) {
        if (rank === DangerRank.SIDE_EFFECT_READ) (conditional ? conditionalSideEffects : sideEffects).n++;
        const key = `${rank}\u0000${action.service}`;
        const target = conditional ? conditionalWrites : writes;
        let list = target.get(key);
        if (!list) target.set(key, (list = []));
        list.push(this.entry(i, conditional, allowing, deniedPartly));
      } else {
        if (sensitive)
          sensitiveReads.push({ ...this.entry(i, conditional, allowing, deniedPartly), ...sensitive, conditional });
      }
    }

    const finishCounts = (c: AccessLevelCounts, sideEffectReads: number): ActionCounts => {
      const writes = c[AccessLevel.WRITE] + c[AccessLevel.PERMISSIONS_MANAGEMENT] + c[AccessLevel.TAGGING];
      return {
        ...c,
        total: writes + c[AccessLevel.READ] + c[AccessLevel.LIST],
        writeLike: writes + sideEffectReads,
        sideEffectReads,
      };
    };
    const finalCounts = finishCounts(counts, sideEffects.n);
    const finalConditional = finishCounts(conditionalCounts, conditionalSideEffects.n);
    const categoryOrder = { credentials: 0, secret: 1, data: 2 } as const;
    sensitiveReads.sort(
      (a, b) =>
        Number(a.conditional) - Number(b.conditional) ||
        categoryOrder[a.category] - categoryOrder[b.category] ||
        a.action.localeCompare(b.action),
    );
    return {
      catalog: { source: this.index.source, version: this.index.version, actionCount: size },
      policies: documents.map((d) => ({ source: d.source, statements: d.statements.length })),
      readOnly: finalCounts.writeLike === 0 && finalConditional.writeLike === 0 && unrecognised.length === 0,
      counts: finalCounts,
      conditionalCounts: finalConditional,
      writes: groups(writes),
      conditionalWrites: groups(conditionalWrites),
      sensitiveReads,
      unrecognised,
      ...(this.sessionRoles ? { sessionGrants } : {}),
      notEvaluated: this.notEvaluated,
    };
  }

  /** The catalog actions a statement names: its `Action` patterns, or everything but its `NotAction` patterns. */
  private expand(statement: PolicyStatement, label: string, unrecognised: UnrecognisedPattern[]): Uint8Array {
    const marks = new Uint8Array(this.index.size);
    if (statement.actions) {
      for (const pattern of statement.actions) {
        const matched = this.index.mark(pattern, marks);
        if (matched === 0 && statement.effect === 'Allow') {
          const service = pattern.slice(0, pattern.indexOf(':'));
          const reason =
            /[*?]/.test(service) || this.index.hasService(service) ? 'no-matching-action' : 'unknown-service';
          unrecognised.push({ pattern, statement: label, reason });
        }
      }
    } else {
      for (const pattern of statement.notActions ?? []) this.index.mark(pattern, marks);
      for (let i = 0; i < marks.length; i++) marks[i] = marks[i] ? 0 : 1;
    }
    return marks;
  }

  private entry(
    i: number,
    conditional: boolean,
    allowing: readonly StatementMarks[],
    deniedPartly: Uint8Array,
  ): AllowedActionEntry {
    const action = this.index.action(i);
    const allowedBy: string[] = [];
    let resourceScoped = true;
    for (const s of allowing) {
      if (!s.marks[i] || Boolean(s.statement.condition) !== conditional) continue;
      if (s.allResources) resourceScoped = false;
      if (allowedBy.length < this.maxAllowedBy) allowedBy.push(s.label);
    }
    return {
      action: action.iamAction,
      accessLevel: action.accessLevel,
      allowedBy,
      partiallyDenied: deniedPartly[i] === 1,
      resourceScoped,
    };
  }
}

function merge(target: Uint8Array, marks: Uint8Array): void {
  for (let i = 0; i < marks.length; i++) if (marks[i]) target[i] = 1;
}

function emptyCounts(): AccessLevelCounts {
  return Object.fromEntries(LEVELS.map((level) => [level, 0])) as AccessLevelCounts;
}

function groups(map: Map<string, AllowedActionEntry[]>): ActionGroup[] {
  const list: ActionGroup[] = [];
  for (const [key, actions] of map) {
    const [rank, service] = key.split('\u0000') as [DangerRank, string];
    actions.sort((a, b) => a.action.localeCompare(b.action));
    list.push({ rank, service, actions });
  }
  return list.sort(
    (a, b) => DANGER_ORDER.indexOf(a.rank) - DANGER_ORDER.indexOf(b.rank) || a.service.localeCompare(b.service),
  );
}

/**
 * Analyses identity policy documents with a shared {@link PolicyAnalyzer}.
 *
 * @example
 * ```ts
 * const report = analyzePolicies([parsePolicyText('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}', 'inline')]);
 * report.readOnly; // false: every ec2 Write action is listed in report.writes
 * ```
 */
export function analyzePolicies(
  documents: readonly PolicyDocument[],
  options?: PolicyAnalyzerOptions,
): PolicyAnalysisReport {
  return new PolicyAnalyzer(options).analyze(documents);
}
