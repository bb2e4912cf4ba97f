/**
 * The one IAM wildcard matcher: `*` matches any run of characters (none
 * included), `?` exactly one, case-insensitively, as IAM matches `Action`.
 * Every pattern InvenTag matches goes through it: guard overrides, CUSTOM
 * rules and sensitive reads, and the policy analysis's expansion against
 * the catalog.
 *
 * It never backtracks. A pattern is cut at its stars into literal segments
 * (where `?` stands for any one character); the first segment must start
 * the name, the last must end it, and each middle one is found at its
 * leftmost place after the previous one. Leftmost is always safe: any
 * later place leaves less room for what follows. So the cost is one pass
 * over the name per segment, whatever the pattern: `ec2:********x` on a long
 * name costs what `ec2:*x` does, where a regular expression built from the
 * pattern (`^ec2:.*.*.*.*.*.*.*.*x$`) takes exponential time.
 */

/** A compiled pattern. */
export interface WildcardMatcher {
  /** The pattern as given. */
  readonly pattern: string;
  /** Whether `value` matches the whole pattern (case-insensitive). */
  test(value: string): boolean;
}

interface Segment {
  readonly text: string;
  /** True when the segment holds a `?` (then it is compared position by position). */
  readonly any: boolean;
}

const segmentOf = (text: string): Segment => ({ text, any: text.includes('?') });

/** Whether `segment` fits whole at `at`, ending at or before `end`. */
function matchesAt(value: string, at: number, segment: Segment, end: number): boolean {
  const { text } = segment;
  if (at < 0 || at + text.length > end) return false;
  if (!segment.any) return value.startsWith(text, at);
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c !== 63 /* ? */ && c !== value.charCodeAt(at + i)) return false;
  }
  return true;
}

/** The leftmost place in `value[from, end)` where `segment` fits whole, or -1. */
function find(value: string, segment: Segment, from: number, end: number): number {
  const last = end - segment.text.length;
  if (!segment.any) {
    const at = value.indexOf(segment.text, from);
    return at >= 0 && at <= last ? at : -1;
  }
  for (let at = from; at <= last; at += 1) if (matchesAt(value, at, segment, end)) return at;
  return -1;
}

/**
 * Compiles an IAM wildcard pattern (`ec2:Describe*`, `*:Get*Token`,
 * `s3:Get?bject`).
 *
 * @example
 * compileWildcard('ec2:Describe*').test('EC2:DescribeInstances'); // true
 */
export function compileWildcard(pattern: string): WildcardMatcher {
  const test = compileLowerWildcard(pattern.toLowerCase());
  return { pattern, test: (value) => test(value.toLowerCase()) };
}

/**
 * Tests a lower-case value, or the part `value[start, end)` of a longer
 * lower-case string, against one compiled pattern.
 */
export type LowerMatcher = (value: string, start?: number, end?: number) => boolean;

/**
 * The matcher of a lower-case pattern for lower-case values: what
 * {@link compileWildcard} runs after lower-casing both, for callers whose
 * values already are. It can test a part of a longer string in place (the
 * policy analysis keeps each service's names in one string).
 */
export function compileLowerWildcard(lower: string): LowerMatcher {
  if (!lower.includes('*')) {
    const whole = segmentOf(lower);
    return (v, start = 0, end = v.length) => end - start === lower.length && matchesAt(v, start, whole, end);
  }
  // Runs of stars are one star; the parts between them are literal segments.
  const parts = lower.split(/\*+/);
  const first = segmentOf(parts[0]!);
  const last = segmentOf(parts[parts.length - 1]!);
  const middle = parts
    .slice(1, -1)
    .filter((p) => p !== '')
    .map(segmentOf);
  const minLength = parts.reduce((sum, p) => sum + p.length, 0);
  return (v, start = 0, end = v.length) => {
    if (end - start < minLength) return false;
    const tail = end - last.text.length;
    if (!matchesAt(v, start, first, end) || !matchesAt(v, tail, last, end)) return false;
    let at = start + first.text.length;
    for (const segment of middle) {
      const found = find(v, segment, at, tail);
      if (found < 0) return false;
      at = found + segment.text.length;
    }
    return at <= tail;
  };
}

/** Whether `value` matches the IAM wildcard `pattern`; compile once with {@link compileWildcard} when matching often. */
export function matchesWildcard(pattern: string, value: string): boolean {
  return compileWildcard(pattern).test(value);
}
