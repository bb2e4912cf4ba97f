import { RISK_ORDER, RiskLevel } from '../constants.js';
import { AccountVerdict, type AccountRow, type OrgVerdict } from './types.js';

const list = (rows: readonly AccountRow[]): string =>
  rows
    .slice(0, 20)
    .map((r) => r.accountId)
    .join(', ') + (rows.length > 20 ? `, and ${rows.length - 20} more` : '');

/**
 * The organization's verdict from its rows. Never COMPLIANT while an account
 * is NOT_EVALUATED, unless the caller accepts a partial result, and then the
 * reason says so. A HIGH or CRITICAL finding about the base principal (it may
 * assume roles that are not sanctioned) makes the organization NON_COMPLIANT.
 */
export function orgVerdict(input: {
  rows: readonly AccountRow[];
  allowPartial: boolean;
  baseFindings: readonly { severity: RiskLevel; title: string }[];
}): { verdict: OrgVerdict; reason: string } {
  const { rows, allowPartial } = input;
  const failing = rows.filter((r) => r.verdict === AccountVerdict.NON_COMPLIANT);
  const missing = rows.filter((r) => r.verdict === AccountVerdict.NOT_EVALUATED);
  const base = input.baseFindings.filter((f) => RISK_ORDER[f.severity] >= RISK_ORDER[RiskLevel.HIGH]);
  const parts: string[] = [];
  if (failing.length) parts.push(`${failing.length} account(s) non-compliant (${list(failing)})`);
  if (base.length) parts.push(`the base principal: ${base.map((f) => f.title).join('; ')}`);
  if (missing.length) parts.push(`${missing.length} account(s) not evaluated (${list(missing)})`);
  if (failing.length || base.length)
    return { verdict: AccountVerdict.NON_COMPLIANT, reason: `NON_COMPLIANT: ${parts.join('; ')}.` };
  if (rows.length === 0)
    return { verdict: AccountVerdict.NOT_EVALUATED, reason: 'NOT_EVALUATED: the run covered no account.' };
  if (missing.length === rows.length)
    return {
      verdict: AccountVerdict.NOT_EVALUATED,
      reason: `NOT_EVALUATED: no account could be evaluated (${list(missing)}).`,
    };
  if (missing.length && !allowPartial)
    return {
      verdict: AccountVerdict.NOT_EVALUATED,
      reason: `NOT_EVALUATED: ${parts.join('; ')}; the organization cannot be shown compliant while an account is not evaluated (--allow-partial accepts a partial result).`,
    };
  if (missing.length)
    return {
      verdict: AccountVerdict.COMPLIANT,
      reason: `COMPLIANT for the ${rows.length - missing.length} evaluated account(s) only (--allow-partial): ${parts.join('; ')}.`,
    };
  return {
    verdict: AccountVerdict.COMPLIANT,
    reason: `COMPLIANT: all ${rows.length} account(s) evaluated and compliant.`,
  };
}
