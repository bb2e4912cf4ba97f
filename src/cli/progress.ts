/**
 * Progress on stderr. On a terminal one line per step, redrawn with counts, share done and time left; in CI
 * (not a terminal, or TERM=dumb) plain lines: the step when it starts, its counts at most every few seconds, and
 * its totals when it ends; nothing with --quiet or --json.
 */
import { redactText } from '../audit/redact.js';
import { progressEstimate, type ProgressCounts, type ProgressListener } from '../util/progress.js';

export type ProgressMode = 'tty' | 'plain' | 'off';

/** Plain lines are at most this often while a step counts (CI logs stay short). */
const PLAIN_INTERVAL_MS = 5_000;
/** A terminal line is redrawn at most this often. */
const TTY_INTERVAL_MS = 100;

export function progressMode(opts: { quiet?: boolean; json?: boolean }, stream = process.stderr): ProgressMode {
  if (opts.quiet || opts.json) return 'off';
  return stream.isTTY && process.env.TERM !== 'dumb' ? 'tty' : 'plain';
}

function seconds(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function describe(counts: ProgressCounts, elapsedMs: number, final: boolean): string {
  const { fraction, etaMs } = progressEstimate(counts, elapsedMs);
  const parts = [
    counts.total !== undefined ? `${counts.done}/${counts.total} ${counts.unit}` : `${counts.done} ${counts.unit}`,
  ];
  if (fraction !== undefined) parts.push(`${Math.min(100, Math.floor(fraction * 100))}%`);
  if (counts.bytes !== undefined && elapsedMs > 0)
    parts.push(`${(counts.bytes / 2 ** 20 / (elapsedMs / 1000)).toFixed(1)} MB/s`);
  if (final) parts.push(`in ${(elapsedMs / 1000).toFixed(1)} s`);
  else if (etaMs !== undefined) parts.push(`ETA ${seconds(etaMs)}`);
  return parts.join(', ');
}

export interface ProgressReporter extends ProgressListener {
  /** Ends the current step (a terminal line gets its newline). */
  done(): void;
}

export function progressReporter(mode: ProgressMode, stream: NodeJS.WritableStream = process.stderr): ProgressReporter {
  let label: string | undefined;
  let began = 0;
  let lastWrite = 0;
  let counts: ProgressCounts | undefined;
  let drawn = false;
  const write = (text: string): void => {
    stream.write(redactText(text));
  };
  const finish = (): void => {
    if (label === undefined) return;
    const elapsed = performance.now() - began;
    if (mode === 'tty') {
      if (counts) write(`\r\u001b[2Kinventag: ${label}: ${describe(counts, elapsed, true)}\n`);
      else if (drawn) write('\n');
    } else if (mode === 'plain' && counts) write(`inventag: ${label}: ${describe(counts, elapsed, true)}\n`);
    label = undefined;
    counts = undefined;
    drawn = false;
  };
  const report = (next: string, update?: ProgressCounts): void => {
    if (mode === 'off') return;
    const now = performance.now();
    if (next !== label) {
      finish();
      label = next;
      began = now;
      lastWrite = now;
      if (mode === 'tty') write(`\r\u001b[2Kinventag: ${label}`);
      else write(`inventag: ${label}\n`);
      drawn = true;
    }
    if (!update) return;
    const first = counts === undefined;
    counts = update;
    const complete = update.total !== undefined && update.done >= update.total;
    if (mode === 'tty') {
      // The first count is drawn at once (the line shows counting has begun), then at most every interval.
      if (first || complete || now - lastWrite >= TTY_INTERVAL_MS) {
        write(`\r\u001b[2Kinventag: ${label}: ${describe(update, now - began, false)}`);
        lastWrite = now;
      }
    } else if (!complete && now - lastWrite >= PLAIN_INTERVAL_MS) {
      write(`inventag: ${label}: ${describe(update, now - began, false)}\n`);
      lastWrite = now;
    }
  };
  return Object.assign(report, { done: finish });
}
