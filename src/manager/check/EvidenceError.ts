/** Evidence given as files (the bundled demo, or evidence exported from an account), laid out as in examples/demo/. */
export const EVIDENCE_LAYOUT = {
  identity: 'identity.json',
  policies: 'policies',
  cloudtrail: 'cloudtrail',
  audit: 'audit.db',
} as const;

/** Evidence could not be read; the message names the file and what was expected. */
export class EvidenceError extends Error {
  readonly isEvidenceError = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EvidenceError';
  }
}
