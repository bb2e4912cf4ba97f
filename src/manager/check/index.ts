export { EVIDENCE_LAYOUT, EvidenceError } from './EvidenceError.js';
export { runCheck } from './runCheck.js';
export type { CheckRunOptions, CheckRunResult } from './types.js';
