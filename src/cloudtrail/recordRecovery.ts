/**
 * Reads what can be read from a trail file whose JSON does not parse as a
 * whole: a file cut short (an interrupted copy, a truncated gzip) or damaged
 * part way. The `Records` array is walked one top-level object at a time, so
 * every record before the damage still counts; the caller reports the file
 * as incompletely read. Used only when `JSON.parse` of the whole file fails.
 */

export interface RecoveredRecords {
  /** Records that parsed, in file order. */
  readonly records: unknown[];
  /** Objects in the array that did not parse on their own. */
  readonly malformed: number;
  /**
   * How the walk ended: `complete` (the array closed), `truncated` (the text
   * ended inside it), `damaged` (something other than a record stood where a
   * record should), `no-records` (no `"Records": [` found).
   */
  readonly end: 'complete' | 'truncated' | 'damaged' | 'no-records';
  /** Offset in the text where the walk stopped. */
  readonly offset: number;
}

const OPEN_RE = /^\s*\{\s*"Records"\s*:\s*\[/;
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The offset just past the `}` closing the object that starts at `start`, or -1 when the text ends first. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

export function recoverRecords(text: string): RecoveredRecords {
  const open = OPEN_RE.exec(text);
  if (!open) return { records: [], malformed: 0, end: 'no-records', offset: 0 };
  const records: unknown[] = [];
  let malformed = 0;
  let i = open[0].length;
  for (;;) {
    while (i < text.length && (WS.has(text.charCodeAt(i)) || text.charCodeAt(i) === 0x2c)) i++;
    if (i >= text.length) return { records, malformed, end: 'truncated', offset: i };
    const c = text.charCodeAt(i);
    if (c === 0x5d) return { records, malformed, end: 'complete', offset: i + 1 };
    if (c !== 0x7b) return { records, malformed, end: 'damaged', offset: i };
    const end = objectEnd(text, i);
    if (end < 0) return { records, malformed, end: 'truncated', offset: i };
    try {
      records.push(JSON.parse(text.slice(i, end)));
    } catch {
      malformed++;
    }
    i = end;
  }
}
