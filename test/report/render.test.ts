import { describe, expect, it } from 'vitest';
import {
  REPORT_HTML_CSP,
  escapeHtml,
  escapeMarkdown,
  renderHtml,
  renderMarkdown,
  renderSummaryText,
} from '../../src/report/index.js';
import { CHAIN_HASH, HOSTILE, buildGeneralReport, buildIsoReport, buildReport } from './fixtures.js';

/** The cells of the Markdown table row that contains `needle`, split on unescaped pipes. */
function markdownRow(md: string, needle: string): string[] {
  // A needle starting with `| ` must be the row's first cell.
  const line = md
    .split('\n')
    .find((l) => (needle.startsWith('| ') ? l.startsWith(needle) : l.startsWith('|') && l.includes(needle)));
  if (line === undefined) throw new Error(`no table row contains ${needle}`);
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

describe('Markdown report', () => {
  const md = renderMarkdown(buildReport());

  it('has the sections in reading order', () => {
    const headings = md.split('\n').filter((l) => /^#{1,2} /.test(l));
    expect(headings).toEqual([
      '# InvenTag compliance report',
      '## Executive summary',
      '## Compliance status',
      '## How the scores are computed',
      '## Findings',
      '## Evidence',
      '## Controls',
      '## Audit chain head',
    ]);
    expect(md).toContain('**Overall compliance: NON-COMPLIANT**');
    expect(md).toContain('- Compliance score: **87.5%**');
    expect(md).toContain('- Risk score: **42/100** (HIGH)');
    expect(md).toContain('1. Remove write permissions from the inventory role');
    expect(md).toContain(`Sequence **40**, hash \`${CHAIN_HASH}\``);
  });

  it('writes the score formulas and their inputs', () => {
    expect(md).toContain(
      '```text\ncomplianceScore = 100 × (totalOperations − blockedOperations − writesObserved) / totalOperations\n```',
    );
    expect(markdownRow(md, 'writesObserved |')).toEqual(['writesObserved', '1']);
  });

  it('sorts findings by severity and lists their SOC2 controls', () => {
    const order = ['F-001', 'F-002', 'F-003', 'F-004'].map((id) => md.indexOf(`| ${escapeMarkdown(id)} |`));
    expect(order.every((pos, i) => pos > 0 && (i === 0 || pos > (order[i - 1] ?? 0)))).toBe(true);
    expect(markdownRow(md, 'F-001 | cloudtrail')).toContain('CC6.1, CC6.3, CC7.3');
    for (const id of ['CC6.1', 'CC6.3', 'CC7.2', 'CC7.3', 'CC1.3']) expect(markdownRow(md, `| ${id} |`)[0]).toBe(id);
    expect(markdownRow(md, '| CC1.3 |')[3]).toBe('NOT\\_EVALUATED');
  });

  it('keeps a pipe and a line break inside one cell and shows HTML as text', () => {
    const row = markdownRow(md, ' 1 | LOW |');
    const columns = markdownRow(md, '| action |');
    expect(row).toHaveLength(columns.length);
    expect(row.join(' ')).toContain('bucket\\|name<br>second line');
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // A ragged row: the missing `note` of the first row is an explicit empty mark.
    expect(markdownRow(md, 'ec2:TerminateInstances | 4')).toEqual(['ec2:TerminateInstances', '4', 'HIGH', '—']);
  });

  it('shows section statuses, facts and booleans', () => {
    expect(md).toContain('### Security validation: FAIL');
    expect(md).toContain('### Production monitoring: WARN');
    expect(md).toContain('### Audit trail: PASS');
    expect(md).toContain('### Identity: NOT_EVALUATED');
    expect(markdownRow(md, '| intact |')).toEqual(['intact', 'yes']);
    expect(markdownRow(md, '| firstEntry |')).toEqual(['firstEntry', '—']);
  });

  it('says why GENERAL has no control table and derives the headline without an executive summary', () => {
    const general = renderMarkdown(buildGeneralReport());
    expect(general).toContain('The GENERAL standard maps findings to no control IDs');
    expect(general).not.toMatch(/CC\d\.\d/);
    expect(general).toContain('No executive summary was generated');
    expect(general).toContain('**Overall compliance: NON-COMPLIANT**');
    expect(general).toContain('- CRITICAL: Write by the inventory role: s3:PutBucketPolicy');
    expect(general).toContain('No audit store was attached');
  });

  it('carries ISO/IEC 27001:2022 Annex A control IDs', () => {
    const iso = renderMarkdown(buildIsoReport());
    for (const id of ['A.5.15', 'A.8.15', 'A.8.16']) expect(markdownRow(iso, `| ${id} |`)[3]).toBe('PASS');
    expect(iso).toContain('| Standard | ISO/IEC 27001:2022 |');
    expect(iso).toContain('**Overall compliance: COMPLIANT**');
  });
});

describe('HTML report', () => {
  const html = renderHtml(buildReport());

  it('is one self-contained page that may load nothing', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_HTML_CSP}">`);
    expect(REPORT_HTML_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    // Attributes only: the escaped hostile string has ` src=` in its text, which is harmless.
    expect(html).not.toMatch(/<[^>]*\s(src|href|action)\s*=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
  });

  it('escapes every report string', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html.split(HOSTILE)).toHaveLength(1);
  });

  it('shows the executive summary, findings by severity, controls and the chain head', () => {
    expect(html).toMatch(/<span id="overall-compliance" class="badge non-compliant">NON-COMPLIANT<\/span>/);
    expect(html).toContain('<div class="value" id="compliance-score">87.5%</div>');
    expect(html).toContain('<div class="value" id="risk-score">42/100</div>');
    const order = ['F-001', 'F-002', 'F-003', 'F-004'].map((id) => html.indexOf(`<td class="mono nowrap">${id}</td>`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBeGreaterThan(0);
    expect(html).toContain('<td class="mono">CC6.1, CC6.3, CC7.3</td>');
    expect(html.indexOf('id="controls-table"')).toBeGreaterThan(html.indexOf('id="findings-table"'));
    expect(html).toContain(`inventag audit verify --anchor 40:${CHAIN_HASH}`);
    expect(html).toContain('<span class="badge not-evaluated">NOT EVALUATED</span>');
  });
});

describe('terminal summary', () => {
  it('prints the headline, findings and actions without colour', () => {
    const text = renderSummaryText(buildReport(), { colour: false });
    expect(text).not.toContain('\u001b[');
    expect(text.split('\n').slice(0, 4)).toEqual([
      'InvenTag compliance (SOC 2; demo · 123456789012 · arn:aws:sts::123456789012:assumed-role/inventory-reader/ci)',
      'Overall: NON-COMPLIANT',
      'Compliance score: 87.5%   Risk score: 42/100 (HIGH)',
      'Operations: 40 total, 4 blocked, 3 errors',
    ]);
    expect(text).toContain(
      `  - 2 writes by the inventory role in CloudTrail: s3:PutBucketPolicy, ec2:CreateTags (${HOSTILE})`,
    );
    expect(text).toContain('  2. Review bucket policy changes made on 2025-12-31');
    expect(text).toContain(`Audit chain head: 40:${CHAIN_HASH}`);
  });

  it('colours the verdict on request and neutralises terminal escapes from report strings', () => {
    const report = buildReport();
    report.executiveSummary!.keyFindings = ['user agent \u001b[2J\u001b[31mcleared'];
    const text = renderSummaryText(report, { colour: true, maxItems: 1 });
    expect(text).toContain('\u001b[1m\u001b[31mNON-COMPLIANT\u001b[0m\u001b[0m');
    expect(text).toContain('user agent \\x1b[2J\\x1b[31mcleared');
    expect(text).toContain('… and 1 more (see the full report)');
  });
});
