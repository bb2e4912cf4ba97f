import type { ErrorSeverity } from '../constants.js';

/** Raised when `threshold` errors fall inside the sliding window. */
export interface ErrorThresholdAlert {
  timestamp: string;
  /** Errors counted inside the window when the alert fired (equals the threshold). */
  errorCount: number;
  threshold: number;
  windowSeconds: number;
  /** First and last error of the burst. */
  firstErrorAt: string;
  lastErrorAt: string;
  /** Error kinds (classifier categories) by count, most frequent first (at most 5). */
  topErrorKinds: Array<{ kind: string; count: number }>;
  errorsBySeverity: Partial<Record<ErrorSeverity, number>>;
}

interface WindowEntry {
  at: number;
  kind: string;
  severity: ErrorSeverity;
}

const TOP_KINDS = 5;

/**
 * Counts errors over a sliding time window measured in milliseconds (real
 * durations, not the seconds field of a time delta, which wraps every day).
 * When the count reaches the threshold it returns an alert and starts over,
 * so a storm of errors yields one alert per `threshold` errors, not one per error.
 */
export class ErrorThresholdWindow {
  private entries: WindowEntry[] = [];
  private readonly windowMs: number;

  constructor(
    private readonly threshold: number,
    readonly windowSeconds: number,
  ) {
    this.windowMs = windowSeconds * 1000;
  }

  /** Record one error at `at` (epoch ms); returns an alert when the threshold is reached. */
  record(at: number, kind: string, severity: ErrorSeverity): ErrorThresholdAlert | undefined {
    this.prune(at);
    this.entries.push({ at, kind, severity });
    if (this.entries.length < this.threshold) return undefined;
    const alert = this.toAlert(at);
    this.entries = [];
    return alert;
  }

  /** Errors currently inside the window ending at `now`. */
  count(now: number): number {
    this.prune(now);
    return this.entries.length;
  }

  private prune(now: number): void {
    const cutoff = now - this.windowMs;
    // Strictly older than the window falls out; an error exactly windowSeconds old still counts.
    let drop = 0;
    while (drop < this.entries.length && (this.entries[drop]?.at ?? now) < cutoff) drop++;
    if (drop > 0) this.entries = this.entries.slice(drop);
  }

  private toAlert(now: number): ErrorThresholdAlert {
    const kinds = new Map<string, number>();
    const bySeverity: Partial<Record<ErrorSeverity, number>> = {};
    for (const entry of this.entries) {
      kinds.set(entry.kind, (kinds.get(entry.kind) ?? 0) + 1);
      bySeverity[entry.severity] = (bySeverity[entry.severity] ?? 0) + 1;
    }
    const topErrorKinds = [...kinds.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, TOP_KINDS)
      .map(([kind, count]) => ({ kind, count }));
    const first = this.entries[0]?.at ?? now;
    return {
      timestamp: new Date(now).toISOString(),
      errorCount: this.entries.length,
      threshold: this.threshold,
      windowSeconds: this.windowSeconds,
      firstErrorAt: new Date(first).toISOString(),
      lastErrorAt: new Date(now).toISOString(),
      topErrorKinds,
      errorsBySeverity: bySeverity,
    };
  }
}
