import { gatherFromAws } from './awsSource.js';
import { gatherFromDirectory } from './directorySource.js';
import { finishCheck } from './finishCheck.js';
import type { CheckRunOptions, CheckRunResult } from './types.js';

/**
 * The whole assessment behind `inventag check`: identity, permission probes and policy analysis, CloudTrail
 * for the principal, the audit trail's integrity and its operations; then the report. Evidence comes from a
 * directory (`evidenceDir`) or from AWS; both end the same way.
 */
export async function runCheck(options: CheckRunOptions): Promise<CheckRunResult> {
  const gathered = options.evidenceDir
    ? gatherFromDirectory(options.evidenceDir, options)
    : await gatherFromAws(options);
  return finishCheck(gathered, options);
}
