import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ProductionSafetyMonitor,
  ResourceSampler,
  type MonitorLogger,
  type PerformanceThresholdBreach,
  type ResourceSample,
} from '../../src/monitor/index.js';

const inRange = (value: number | undefined): void => {
  expect(value).toBeTypeOf('number');
  expect(value).toBeGreaterThanOrEqual(0);
  expect(value).toBeLessThanOrEqual(100);
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'inventag-monitor-perf-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('resource sampler', () => {
  it('reads real CPU, memory and disk percentages of this machine, and the process RSS', async () => {
    const sample = await new ResourceSampler({ dataDirectory: dir }).sample();
    inRange(sample.cpuPercent);
    inRange(sample.memoryPercent);
    inRange(sample.diskPercent);
    expect(sample.memoryPercent).toBeGreaterThan(0);
    expect(sample.diskPercent).toBeGreaterThan(0);
    expect(sample.memoryTotalBytes).toBeGreaterThan(sample.memoryAvailableBytes);
    expect(sample.processRssBytes).toBeGreaterThan(1024 * 1024);
    expect(sample.diskPath).toBe(resolve(dir));
    expect(sample.eventLoopDelayMs.max).toBeGreaterThanOrEqual(sample.eventLoopDelayMs.mean);
  });

  it('measures disk on the nearest existing parent of a data directory not created yet', async () => {
    const sample = await new ResourceSampler({ dataDirectory: join(dir, 'not', 'yet') }).sample();
    expect(sample.diskPath).toBe(resolve(dir));
    inRange(sample.diskPercent);
  });
});

describe('performance monitoring', () => {
  it('fires a breach when a threshold is set below the current value, logs it to metrics, and keeps a bounded history', async () => {
    const current = await new ResourceSampler({ dataDirectory: dir }).sample();
    const memoryThreshold = Math.floor(current.memoryPercent / 2);
    const warnings: object[] = [];
    const metrics: MonitorLogger = {
      info: () => undefined,
      warn: (obj) => void warnings.push(obj),
      error: () => undefined,
    };
    const monitor = new ProductionSafetyMonitor({
      dataDirectory: dir,
      performanceMonitoringInterval: 0.02,
      performanceHistorySize: 3,
      performanceThresholdCpu: 100,
      performanceThresholdMemory: memoryThreshold,
      performanceThresholdDisk: 100,
      loggers: { metrics },
    });
    const breaches: PerformanceThresholdBreach[] = [];
    monitor.on('performanceThresholdExceeded', (b) => breaches.push(b));
    const fiveSamples = new Promise<void>((done) => {
      let seen = 0;
      monitor.on('performanceSample', () => {
        if (++seen === 5) done();
      });
    });
    // The monitor's timer is unref'd; this one keeps the test's event loop busy until the samples arrive.
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      expect(monitor.startPerformanceMonitoring()).toBe(true);
      await fiveSamples;
    } finally {
      monitor.stopPerformanceMonitoring();
      clearInterval(keepAlive);
    }
    expect(breaches.length).toBeGreaterThanOrEqual(5);
    expect(
      breaches.every((b) => b.metric === 'memory' && b.threshold === memoryThreshold && b.value > memoryThreshold),
    ).toBe(true);
    expect(warnings[0]).toMatchObject({
      event: 'performance_threshold_exceeded',
      metric: 'memory',
      threshold: memoryThreshold,
    });
    expect(monitor.getPerformanceHistory()).toHaveLength(3);
    const summary = monitor.getMonitoringSummary();
    expect(summary.performanceThresholds).toEqual({ cpu: 100, memory: memoryThreshold, disk: 100 });
    expect(summary.latestResourceSample).toEqual(monitor.getPerformanceHistory()[2]);
    expect(summary.performanceThresholdBreaches).toBe(breaches.length);
    expect(summary.performanceMonitoringActive).toBe(false);
  });

  it('samplePerformance() checks the thresholds once, on demand', async () => {
    const monitor = new ProductionSafetyMonitor({ dataDirectory: dir, performanceThresholdDisk: 0 });
    const breaches: PerformanceThresholdBreach[] = [];
    monitor.on('performanceThresholdExceeded', (b) => breaches.push(b));
    const sample: ResourceSample = await monitor.samplePerformance();
    expect(breaches.map((b) => b.metric)).toContain('disk');
    expect(breaches.find((b) => b.metric === 'disk')?.value).toBe(sample.diskPercent);
  });

  it('stopPerformanceMonitoring() clears its timer, which never held the process open', () => {
    const setSpy = vi.spyOn(globalThis, 'setInterval');
    const clearSpy = vi.spyOn(globalThis, 'clearInterval');
    try {
      const monitor = new ProductionSafetyMonitor({ dataDirectory: dir, performanceMonitoringInterval: 3600 });
      monitor.startPerformanceMonitoring();
      monitor.startPerformanceMonitoring();
      expect(setSpy).toHaveBeenCalledTimes(1);
      const handle = setSpy.mock.results[0]?.value as NodeJS.Timeout;
      expect(handle.hasRef()).toBe(false);
      monitor.stopPerformanceMonitoring();
      expect(clearSpy).toHaveBeenCalledWith(handle);
      expect(monitor.performanceMonitoringActive).toBe(false);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  });

  it('does nothing when enablePerformanceMonitoring is false', () => {
    const monitor = new ProductionSafetyMonitor({ enablePerformanceMonitoring: false });
    expect(monitor.startPerformanceMonitoring()).toBe(false);
    expect(monitor.performanceMonitoringActive).toBe(false);
  });

  it('a process that starts and stops monitoring exits by itself, and so does one that never stops it', async () => {
    const dist = resolve('dist/monitor/index.js');
    expect(existsSync(dist), 'run `npm run build` before the tests').toBe(true);
    const script = (stop: boolean) => `
      const { ProductionSafetyMonitor } = await import(${JSON.stringify(pathToFileURL(dist).href)});
      const monitor = new ProductionSafetyMonitor({ performanceMonitoringInterval: 0.02, dataDirectory: ${JSON.stringify(dir)} });
      const keepAlive = setInterval(() => {}, 1000);
      let samples = 0;
      monitor.on('performanceSample', () => {
        if (++samples !== 2) return;
        if (${stop}) monitor.stopPerformanceMonitoring();
        clearInterval(keepAlive);
        console.log(JSON.stringify({ samples, active: monitor.performanceMonitoringActive }));
      });
      monitor.startPerformanceMonitoring();
    `;
    const run = (stop: boolean) =>
      new Promise<{ code: number | null; out: string }>((done, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script(stop)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        // Only a guard against hanging the suite: a child that exits by itself never meets it.
        const hang = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the child did not exit by itself (stop=${stop}); output: ${out}`));
        }, 30_000);
        child.on('exit', (code) => {
          clearTimeout(hang);
          done({ code, out });
        });
      });
    const [stopped, unstopped] = await Promise.all([run(true), run(false)]);
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.out)).toEqual({ samples: 2, active: false });
    expect(unstopped.code).toBe(0);
    expect(JSON.parse(unstopped.out)).toEqual({ samples: 2, active: true });
  });
});
