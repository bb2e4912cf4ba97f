import { statfs } from 'node:fs/promises';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** One reading of the machine and the process. Percentages are 0-100. */
export interface ResourceSample {
  timestamp: string;
  /** System-wide CPU busy time since the previous sample. */
  cpuPercent: number;
  /** System memory in use: (total - available) / total. */
  memoryPercent: number;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  /** Used share of the filesystem holding `diskPath`, as `df` computes it; undefined when it cannot be read. */
  diskPercent: number | undefined;
  diskPath: string;
  processRssBytes: number;
  /** Event-loop delay since the previous sample, in milliseconds. */
  eventLoopDelayMs: { mean: number; p99: number; max: number };
}

export interface ResourceSamplerOptions {
  /** Directory whose filesystem is measured for disk %. Walks up to the nearest existing parent. */
  dataDirectory: string;
  /**
   * Shortest window over which CPU % is measured; a sample taken sooner after
   * the previous one (or the first one) waits for the rest of it.
   * @default 100
   */
  minCpuWindowMs?: number;
}

interface CpuTimes {
  idle: number;
  total: number;
  at: number;
}

const readCpuTimes = (): CpuTimes => {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total, at: performance.now() };
};

const percent = (value: number): number => Math.round(Math.min(100, Math.max(0, value)) * 100) / 100;
const ms = (ns: number): number => (Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0);
const sleep = (delay: number): Promise<void> => new Promise((done) => setTimeout(done, delay));

/**
 * Reads CPU, memory and disk utilisation and the process's RSS and event-loop
 * delay. Uses only Node's own APIs (os, fs.statfs, perf_hooks), so it works
 * wherever Node runs, and holds no timer of its own.
 *
 * @example
 * const sampler = new ResourceSampler({ dataDirectory: '.' });
 * const sample = await sampler.sample();
 * console.log(`cpu ${sample.cpuPercent}% memory ${sample.memoryPercent}% disk ${sample.diskPercent}%`);
 */
export class ResourceSampler {
  private readonly dataDirectory: string;
  private readonly minCpuWindowMs: number;
  private previous: CpuTimes | undefined;
  private histogram: IntervalHistogram | undefined;

  constructor(options: ResourceSamplerOptions) {
    this.dataDirectory = resolve(options.dataDirectory);
    this.minCpuWindowMs = options.minCpuWindowMs ?? 100;
  }

  /** Begin measuring event-loop delay and take the CPU baseline; `stop()` undoes it. */
  start(): void {
    if (!this.histogram) {
      this.histogram = monitorEventLoopDelay({ resolution: 10 });
      this.histogram.enable();
    }
    this.previous ??= readCpuTimes();
  }

  stop(): void {
    this.histogram?.disable();
    this.histogram = undefined;
    this.previous = undefined;
  }

  async sample(): Promise<ResourceSample> {
    const oneShot = this.histogram === undefined;
    if (oneShot) this.start();
    try {
      const baseline = this.previous ?? readCpuTimes();
      const elapsed = performance.now() - baseline.at;
      if (elapsed < this.minCpuWindowMs) await sleep(this.minCpuWindowMs - elapsed);
      const now = readCpuTimes();
      const totalDelta = now.total - baseline.total;
      const cpuPercent = totalDelta > 0 ? percent(100 * (1 - (now.idle - baseline.idle) / totalDelta)) : 0;
      this.previous = now;
      const histogram = this.histogram;
      const eventLoopDelayMs =
        histogram && histogram.count > 0
          ? { mean: ms(histogram.mean), p99: ms(histogram.percentile(99)), max: ms(histogram.max) }
          : { mean: 0, p99: 0, max: 0 };
      histogram?.reset();
      const memoryTotalBytes = os.totalmem();
      const memoryAvailableBytes = os.freemem();
      const { diskPercent, diskPath } = await this.readDisk();
      return {
        timestamp: new Date().toISOString(),
        cpuPercent,
        memoryPercent: percent((100 * (memoryTotalBytes - memoryAvailableBytes)) / memoryTotalBytes),
        memoryTotalBytes,
        memoryAvailableBytes,
        diskPercent,
        diskPath,
        processRssBytes: process.memoryUsage.rss(),
        eventLoopDelayMs,
      };
    } finally {
      if (oneShot) this.stop();
    }
  }

  private async readDisk(): Promise<{ diskPercent: number | undefined; diskPath: string }> {
    let path = this.dataDirectory;
    for (;;) {
      try {
        const fs = await statfs(path);
        const used = fs.blocks - fs.bfree;
        const usable = used + fs.bavail;
        return { diskPercent: usable > 0 ? percent((100 * used) / usable) : undefined, diskPath: path };
      } catch {
        const parent = dirname(path);
        if (parent === path) return { diskPercent: undefined, diskPath: this.dataDirectory };
        path = parent;
      }
    }
  }
}
