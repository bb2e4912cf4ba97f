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

function matchesAt(value: string, at: number, segment: Segment): boolean {
  const { text } = segment;
  if (at < 0 || at + text.length > value.length) return false;
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
  for (let at = from; at <= last; at += 1) if (matchesAt(value, at, segment)) return at;
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
  const lower = pattern.toLowerCase();
  if (!lower.includes('*')) {
    const whole = segmentOf(lower);
    return {
      pattern,
      test: (value) => {
        const v = value.toLowerCase();
        return v.length === lower.length && matchesAt(v, 0, whole);
      },
    };
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
  return {
    pattern,
    test(value: string): boolean {
      const v = value.toLowerCase();
      if (v.length < minLength) return false;
      const end = v.length - last.text.length;
      if (!matchesAt(v, 0, first) || !matchesAt(v, end, last)) return false;
      let at = first.text.length;
      for (const segment of middle) {
        const found = find(v, segment, at, end);
        if (found < 0) return false;
        at = found + segment.text.length;
      }
      return at <= end;
    },
  };
}

/** Whether `value` matches the IAM wildcard `pattern`; compile once with {@link compileWildcard} when matching often. */
export function matchesWildcard(pattern: string, value: string): boolean {
  return compileWildcard(pattern).test(value);
}
