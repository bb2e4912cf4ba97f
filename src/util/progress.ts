/** Progress of one step of long work, as the library reports it and the CLI shows it. */
export interface ProgressCounts {
  /** Units done so far in this step. */
  done: number;
  /** Units in the step when known (files listed before reading); absent while they are still being found. */
  total?: number;
  /** What is counted: `files`, `pages`, `files found`. */
  unit: string;
  /** Share done when the source knows it better than done/total (LookupEvents: the time window read). */
  fraction?: number;
  /** Time left when the source estimates it itself. */
  etaMs?: number;
  /** Bytes read so far, for a rate. */
  bytes?: number;
}

/** A step's label (what is being done, the same for every update of the step) and, once counting, its counts. */
export type ProgressListener = (label: string, counts?: ProgressCounts) => void;

/** Share done and time left of a step that began `elapsedMs` ago: the source's own figures first, else by rate. */
export function progressEstimate(
  counts: ProgressCounts,
  elapsedMs: number,
): { fraction: number | undefined; etaMs: number | undefined } {
  const fraction =
    counts.fraction ?? (counts.total !== undefined && counts.total > 0 ? counts.done / counts.total : undefined);
  if (counts.etaMs !== undefined) return { fraction, etaMs: counts.etaMs };
  if (fraction === undefined || fraction <= 0 || elapsedMs <= 0) return { fraction, etaMs: undefined };
  return { fraction, etaMs: (elapsedMs * (1 - fraction)) / fraction };
}
