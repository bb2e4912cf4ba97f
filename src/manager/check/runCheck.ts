import { finishCheck } from './finishCheck.js';
import type { CheckRunOptions, CheckRunResult } from './types.js';

/**
 * The whole assessment behind `inventag check`: identity, permission probes and policy analysis, CloudTrail
 * for the principal, the audit trail's integrity and its operations; then the report. Evidence comes from a
 * directory (`evidenceDir`) or from AWS; both end the same way.
 */
export async function runCheck(options: CheckRunOptions): Promise<CheckRunResult> {
  // Each source is loaded only when used: an evidence directory needs none of the AWS clients' modules.
  let gathered;
  if (options.evidenceDir) {
    // Its audit trail first: a large one is read on a worker thread while the other modules load here.
    const audit = (await import('./evidenceAudit.js')).startEvidenceAudit(options.evidenceDir, options);
    gathered = await (await import('./directorySource.js')).gatherFromDirectory(options.evidenceDir, options, audit);
  } else gathered = await (await import('./awsSource.js')).gatherFromAws(options);
  return finishCheck(gathered, options);
}
