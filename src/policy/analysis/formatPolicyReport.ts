import { AccessLevel } from '../../catalog/data.js';
import { DangerRank, type ActionGroup, type PolicyAnalysisReport } from './types.js';

/** Text styling hooks, so a terminal can colour the report and a file stays plain. */
export interface ReportStyle {
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
}

const plain = (text: string): string => text;
const PLAIN: ReportStyle = { bold: plain, red: plain, yellow: plain, green: plain, dim: plain };

const RANK_TITLE: Record<DangerRank, string> = {
  [DangerRank.PERMISSIONS_MANAGEMENT]: 'Permissions management',
  [DangerRank.CREDENTIAL_MINTING]: 'Credential-minting',
  [DangerRank.WRITE]: 'Write',
  [DangerRank.SIDE_EFFECT_READ]: 'Read with side effects (the guard blocks it)',
  [DangerRank.TAGGING]: 'Tagging',
};

const n = (value: number): string => value.toLocaleString('en-US');

function groupLines(groups: readonly ActionGroup[], style: ReportStyle): string[] {
  const lines: string[] = [];
  let rank: DangerRank | undefined;
  for (const group of groups) {
    if (group.rank !== rank) {
      rank = group.rank;
      const total = groups.filter((g) => g.rank === rank).reduce((sum, g) => sum + g.actions.length, 0);
      lines.push(`  ${style.bold(`${RANK_TITLE[rank]} (${n(total)})`)}`);
    }
    const names = group.actions.map(
      (a) =>
        a.action.slice(group.service.length + 1) +
        (a.resourceScoped ? '[scoped]' : '') +
        (a.partiallyDenied ? '[partly denied]' : ''),
    );
    lines.push(`    ${group.service} (${names.length}): ${names.join(', ')}`);
  }
  return lines;
}

/**
 * Renders a {@link PolicyAnalysisReport} as the text `inventag policy check`
 * prints: the verdict, counts by access level, the non-read actions grouped
 * by danger and service, the sensitive reads, and what was not evaluated.
 */
export function formatPolicyReport(report: PolicyAnalysisReport, style: ReportStyle = PLAIN): string {
  const lines: string[] = [];
  const sources = report.policies.map((p) => `${p.source} (${p.statements} statement${p.statements === 1 ? '' : 's'})`);
  lines.push(`Policies: ${sources.join(', ')}`);
  const c = report.counts;
  lines.push(
    `Allowed actions: ${n(c.total)} (Read ${n(c[AccessLevel.READ])}, List ${n(c[AccessLevel.LIST])}, Write ${n(c[AccessLevel.WRITE])}, ` +
      `Permissions management ${n(c[AccessLevel.PERMISSIONS_MANAGEMENT])}, Tagging ${n(c[AccessLevel.TAGGING])})` +
      (c.sideEffectReads ? `; ${n(c.sideEffectReads)} of the reads change state` : ''),
  );
  const cc = report.conditionalCounts;
  if (cc.total > 0) {
    lines.push(
      `Allowed under conditions: ${n(cc.total)} more (Read ${n(cc[AccessLevel.READ])}, List ${n(cc[AccessLevel.LIST])}, Write ${n(cc[AccessLevel.WRITE])}, ` +
        `Permissions management ${n(cc[AccessLevel.PERMISSIONS_MANAGEMENT])}, Tagging ${n(cc[AccessLevel.TAGGING])})`,
    );
  }
  if (report.readOnly) {
    lines.push(style.green('Result: READ-ONLY: nothing outside Read and List is allowed'));
  } else {
    const reasons: string[] = [];
    if (c.writeLike > 0)
      reasons.push(
        `${n(c.writeLike)} write action${c.writeLike === 1 ? '' : 's'} allowed` +
          (c.sideEffectReads ? ` (${n(c.sideEffectReads)} of them reads that change state)` : ''),
      );
    if (cc.writeLike > 0) reasons.push(`${n(cc.writeLike)} more under conditions`);
    if (report.unrecognised.length > 0)
      reasons.push(`${report.unrecognised.length} allowed pattern(s) match no known action`);
    lines.push(style.red(`Result: WRITES ALLOWED: ${reasons.join('; ')}`));
  }
  if (report.writes.length > 0) {
    lines.push('', style.bold('Non-read actions allowed, most dangerous first:'), ...groupLines(report.writes, style));
  }
  if (report.conditionalWrites.length > 0) {
    lines.push(
      '',
      style.bold('Non-read actions allowed only under conditions (check the conditions):'),
      ...groupLines(report.conditionalWrites, style),
    );
  }
  if (report.unrecognised.length > 0) {
    lines.push(
      '',
      style.bold(
        `Allowed patterns matching no action in the catalog (${report.catalog.source} ${report.catalog.version}):`,
      ),
    );
    for (const u of report.unrecognised)
      lines.push(
        `  ${u.pattern}  ${style.dim(`${u.reason === 'unknown-service' ? 'unknown service' : 'no such action'}; ${u.statement}`)}`,
      );
  }
  if (report.sensitiveReads.length > 0) {
    lines.push(
      '',
      style.bold(
        `Sensitive reads (${n(report.sensitiveReads.length)}): they change nothing but return secrets, credentials or data`,
      ),
    );
    for (const r of report.sensitiveReads) {
      const scope = [r.conditional ? 'under conditions' : '', r.resourceScoped ? 'on some resources only' : '']
        .filter(Boolean)
        .join(', ');
      lines.push(`  ${r.action}  ${style.yellow(r.category)}${scope ? ` (${scope})` : ''}  ${style.dim(r.reason)}`);
    }
  }
  if (report.writes.length > 0 || report.conditionalWrites.length > 0) {
    lines.push(
      '',
      style.dim(
        '[scoped]: allowed on some resources only; [partly denied]: a Deny with a condition or narrower resources also names it.',
      ),
    );
  }
  lines.push('', style.dim(`Not evaluated: ${report.notEvaluated.join('; ')}.`));
  return lines.join('\n');
}
