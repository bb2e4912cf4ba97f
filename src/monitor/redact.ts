/**
 * Masks credential material that AWS or a proxy may echo in an error message
 * or stack (access key IDs, presigned URL signatures, session tokens, URL
 * passwords, `Bearer` tokens), so the monitor's logs and reports can be shared
 * with an auditor. The rules are the audit trail's (`redactText`): one set of
 * patterns for everything InvenTag writes.
 */
import { redactText } from '../audit/redact.js';

export function redactSecrets(text: string): string {
  return redactText(text);
}

/**
 * A stack trace repeats the message on its first line(s); the frames below are
 * code locations. Redact only the header, which is where a secret could be.
 */
export function redactStack(stack: string): string {
  const at = stack.indexOf('\n    at ');
  return at < 0 ? redactSecrets(stack) : redactSecrets(stack.slice(0, at)) + stack.slice(at);
}
