/**
 * Masks credential material that AWS or a proxy may echo in an error message
 * or stack (access key IDs, presigned URL signatures, session tokens), so the
 * monitor's logs and reports can be shared with an auditor.
 */
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g, '$1****'],
  [/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"']+/gi, '$1****'],
  [
    /((?:aws_)?(?:secret_access_key|session_token|secretAccessKey|sessionToken|accessToken|password)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
    '$1****',
  ],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1****'],
];

// One cheap test first: almost no error message holds any of these words.
const MAYBE_SECRET = /AKIA|ASIA|AROA|AIDA|X-Amz-|secret|token|password|Bearer/i;

export function redactSecrets(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A stack trace repeats the message on its first line(s); the frames below are
 * code locations. Redact only the header, which is where a secret could be.
 */
export function redactStack(stack: string): string {
  const at = stack.indexOf('\n    at ');
  return at < 0 ? redactSecrets(stack) : redactSecrets(stack.slice(0, at)) + stack.slice(at);
}
