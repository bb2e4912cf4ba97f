/** Shapes of `check --org`: the accounts it covers, one row per account, and the org report. */
import type { RiskLevel } from '../constants.js';

/** Version of the org report's JSON (schemas/org-report.schema.json). */
export const ORG_REPORT_SCHEMA_VERSION = '1.0';

export const AccountVerdict = {
  COMPLIANT: 'COMPLIANT',
  NON_COMPLIANT: 'NON_COMPLIANT',
  /** The account could not be checked (AssumeRole denied, blocked, throttled, timed out); the reason says why. */
  NOT_EVALUATED: 'NOT_EVALUATED',
} as const;
export type AccountVerdict = (typeof AccountVerdict)[keyof typeof AccountVerdict];

/** A member account to check. */
export interface OrgAccount {
  readonly id: string;
  /** From ListAccounts; undefined when the accounts were given and could not be listed. */
  readonly name: string | undefined;
}

export type FindingCounts = Record<RiskLevel, number>;

/** One account's line of the org report. */
export interface AccountRow {
  readonly accountId: string;
  readonly name: string | null;
  readonly roleArn: string;
  readonly verdict: AccountVerdict;
  readonly evaluated: boolean;
  /** Why the account was not evaluated. */
  readonly reason: string | null;
  readonly complianceScore: number | null;
  /** Writes by the automation's session in the account's CloudTrail. */
  readonly writesFound: number | null;
  readonly findings: FindingCounts;
  /** Titles of the findings, most severe first (at most 10). */
  readonly findingTitles: readonly string[];
  /** The account's own reports, relative to the org report. */
  readonly reports: readonly string[];
  readonly durationMs: number;
}

export type OrgVerdict = AccountVerdict;

export interface OrgReport {
  readonly schemaVersion: typeof ORG_REPORT_SCHEMA_VERSION;
  readonly reportId: string;
  readonly generatedAt: string;
  readonly tool: { readonly name: 'inventag'; readonly version: string };
  readonly complianceStandard: string;
  readonly roleName: string;
  /** `organizations:ListAccounts` or `--accounts`. */
  readonly accountSource: 'organizations' | 'accounts-flag';
  readonly verdict: OrgVerdict;
  /** One sentence that says how the verdict was reached (and that it is partial, with --allow-partial). */
  readonly verdictReason: string;
  readonly allowPartial: boolean;
  readonly totals: {
    readonly accounts: number;
    readonly compliant: number;
    readonly nonCompliant: number;
    readonly notEvaluated: number;
    readonly writesFound: number;
    readonly findings: FindingCounts;
  };
  /** The principal that assumed the role in each account, and what its own policies allow for sessions. */
  readonly basePrincipal: {
    readonly arn: string | null;
    readonly account: string | null;
    /** Statements allowing sts:AssumeRole: expected on sanctioned roles, a finding otherwise. */
    readonly sessionGrants: ReadonlyArray<{ statement: string; roles: readonly string[]; expected: boolean }>;
    readonly findings: ReadonlyArray<{ severity: RiskLevel; title: string; description: string }>;
    readonly policiesChecked: boolean;
  };
  readonly accounts: readonly AccountRow[];
  /** The audit trail's head after the run. */
  readonly auditChainHead?: { readonly sequence: number; readonly hash: string };
}
