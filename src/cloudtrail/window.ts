/** The time window of a CloudTrail query, from `--since 1h` or `--start ISO --end ISO`. */

export interface TimeWindow {
  start: Date;
  end: Date;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `15m`, `1h`, `7d`, `2w` (or combined: `1h30m`) in milliseconds; a string says what is wrong. */
export function parseDuration(value: string): number | string {
  const text = value.trim();
  const parts = /^(?:\d+(?:\.\d+)?[smhdw])+$/.test(text) ? text.match(/\d+(?:\.\d+)?[smhdw]/g) : null;
  if (!parts) return `"${value}" is not a duration; use a number and a unit: s, m, h, d or w (for example 30m, 1h, 7d)`;
  const ms = parts.reduce((sum, p) => sum + Number(p.slice(0, -1)) * UNIT_MS[p.slice(-1)]!, 0);
  if (!(ms > 0)) return `duration "${value}" must be longer than zero`;
  return ms;
}

function parseDate(value: string, what: string): Date | string {
  // Dates without a zone would silently take the machine's; CloudTrail times are UTC.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value.trim())) {
    return `${what} "${value}" is not an ISO 8601 time with a zone (for example 2024-05-01T00:00:00Z) or a date (2024-05-01)`;
  }
  const d = new Date(value.trim().length === 10 ? `${value.trim()}T00:00:00Z` : value.trim());
  return Number.isNaN(d.getTime()) ? `${what} "${value}" is not a valid date` : d;
}

/**
 * The window from the CLI's options: `since` counts back from `now`; `start`
 * and `end` are ISO times (end defaults to now). Returns a message naming the
 * option when the input is wrong.
 */
export function resolveWindow(
  options: { since?: string; start?: string; end?: string },
  now: Date,
  defaultSince?: string,
): TimeWindow | string {
  if (options.since !== undefined && options.start !== undefined) return 'give either --since or --start, not both';
  let end = now;
  if (options.end !== undefined) {
    const e = parseDate(options.end, '--end');
    if (typeof e === 'string') return e;
    end = e;
  }
  let start: Date;
  if (options.start !== undefined) {
    const s = parseDate(options.start, '--start');
    if (typeof s === 'string') return s;
    start = s;
  } else {
    const since = options.since ?? defaultSince;
    if (since === undefined) return 'give --since <duration> (for example 1h) or --start <ISO time>';
    const ms = parseDuration(since);
    if (typeof ms === 'string') return `--since: ${ms}`;
    start = new Date(end.getTime() - ms);
  }
  if (end.getTime() < start.getTime()) return `the end ${end.toISOString()} is before the start ${start.toISOString()}`;
  return { start, end };
}
