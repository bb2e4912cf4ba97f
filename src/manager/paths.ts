import { join } from 'node:path';
import { packageRoot } from '../catalog/data.js';

/** The bundled demo evidence: trail files, policies, identity and a recorded audit store. */
export const demoEvidenceDir = (): string => join(packageRoot(), 'examples', 'demo');

/** Where `inventag check` keeps its last JSON report, for `status`, the dashboard and metrics. */
export const lastReportPath = (dataDirectory: string): string => join(dataDirectory, 'last-report.json');

/** Where `inventag check --org` keeps its last org report, for the account series of metrics and the dashboard. */
export const lastOrgReportPath = (dataDirectory: string): string => join(dataDirectory, 'last-org-report.json');

/** Where `inventag status` keeps the head of its last passing verification, to verify only what came after it. */
export const verifiedHeadPath = (dataDirectory: string): string => join(dataDirectory, 'verified-head.json');
