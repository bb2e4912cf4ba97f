import { join } from 'node:path';
import type { ReportFormat } from '../report/saveReport.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { renderOrgHtml, renderOrgJson, renderOrgMarkdown } from './renderOrgReport.js';
import type { OrgReport } from './types.js';

/** Base name of the org report files: `inventag-org-report.json`, `.md`, `.html`. */
export const ORG_REPORT_BASENAME = 'inventag-org-report';

const RENDERERS: Record<ReportFormat, (report: OrgReport) => string> = {
  json: renderOrgJson,
  md: renderOrgMarkdown,
  html: renderOrgHtml,
};

/** Writes the org report in each format into `dir` (atomically); returns the paths. */
export async function saveOrgReport(
  report: OrgReport,
  dir: string,
  formats: readonly ReportFormat[],
): Promise<string[]> {
  const paths: string[] = [];
  for (const format of formats) {
    const path = join(dir, `${ORG_REPORT_BASENAME}.${format}`);
    await writeFileAtomic(path, RENDERERS[format](report), { mkdirs: true });
    paths.push(path);
  }
  return paths;
}
