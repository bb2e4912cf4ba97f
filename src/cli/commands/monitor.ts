import { Command, Option } from 'commander';
import { ExitCode } from '../../constants.js';
import { UsageError } from '../errors.js';
import { addListOutputFlags, printListOutput, wantsListOutput, type ListOutputFlags } from '../listOutput.js';
import { colour, printJson, printLine } from '../output.js';

interface SampleOptions extends ListOutputFlags {
  dataDir?: string;
  cpu?: number;
  memory?: number;
  disk?: number;
  count: number;
  interval: number;
  failOnBreach?: boolean;
}

interface BreakersOptions extends ListOutputFlags {
  state: string;
  reset?: string[] | true;
  json?: boolean;
}

const numberArg =
  (flag: string, { integer = false } = {}) =>
  (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || (integer && !Number.isInteger(parsed))) {
      throw new UsageError(`${flag} must be ${integer ? 'a whole number' : 'a number'} (got ${JSON.stringify(value)})`);
    }
    return parsed;
  };

const collect = (value: string, previous: string[] | true | undefined): string[] => [
  ...(Array.isArray(previous) ? previous : []),
  value,
];

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** `inventag monitor`: resource samples against thresholds, and saved circuit breaker state. */
export function registerMonitor(program: Command): void {
  const monitor = program
    .command('monitor')
    .description('Production safety monitor: resource thresholds and circuit breaker state.');

  addListOutputFlags(monitor.command('sample'))
    .description('Sample CPU, memory and disk (of the data directory) and compare with the thresholds.')
    .option('--data-dir <dir>', 'directory whose filesystem is measured for disk % (default: current directory)')
    .option('--cpu <percent>', 'CPU threshold, 0-100 (default 80)', numberArg('--cpu'))
    .option('--memory <percent>', 'memory threshold, 0-100 (default 80)', numberArg('--memory'))
    .option('--disk <percent>', 'disk threshold, 0-100 (default 90)', numberArg('--disk'))
    .addOption(
      new Option('--count <n>', 'number of samples').argParser(numberArg('--count', { integer: true })).default(1),
    )
    .addOption(
      new Option('--interval <seconds>', 'seconds between samples').argParser(numberArg('--interval')).default(1),
    )
    .option('--json', 'print one JSON object per sample (--output and --query work on the array of samples)')
    .option('--fail-on-breach', 'exit 1 when any sample is above a threshold')
    .addHelpText(
      'after',
      `
Examples:
  inventag monitor sample
  inventag monitor sample --data-dir ./audit --disk 85 --count 5 --interval 2 --json
  inventag monitor sample --cpu 90 --memory 90 --fail-on-breach   # in CI, before a long run
  inventag monitor sample --count 3 --query "[].[timestamp, cpuPercent, memoryPercent, diskPercent]" --output table

Exit codes: 0 sampled (or no breach with --fail-on-breach), 1 a threshold was exceeded with --fail-on-breach, 2 bad usage.`,
    )
    .action(async (opts: SampleOptions) => {
      if (opts.count < 1) throw new UsageError(`--count must be at least 1 (got ${opts.count})`);
      const { ProductionSafetyMonitor, isMonitorError } = await import('../../monitor/index.js');
      let m: InstanceType<typeof ProductionSafetyMonitor>;
      try {
        m = new ProductionSafetyMonitor({
          ...(opts.dataDir === undefined ? {} : { dataDirectory: opts.dataDir }),
          ...(opts.cpu === undefined ? {} : { performanceThresholdCpu: opts.cpu }),
          ...(opts.memory === undefined ? {} : { performanceThresholdMemory: opts.memory }),
          ...(opts.disk === undefined ? {} : { performanceThresholdDisk: opts.disk }),
          performanceMonitoringInterval: opts.interval,
        });
      } catch (err) {
        if (isMonitorError(err))
          throw new UsageError(
            err.message
              .replace(/performanceThreshold(Cpu|Memory|Disk)/, (_m, which: string) => `--${which.toLowerCase()}`)
              .replace('performanceMonitoringInterval', '--interval'),
          );
        throw err;
      }
      let breached = false;
      const listed = opts.output !== undefined || opts.query !== undefined;
      const samples: unknown[] = [];
      for (let i = 0; i < opts.count; i++) {
        if (i > 0) await new Promise((done) => setTimeout(done, opts.interval * 1000));
        const metrics: string[] = [];
        const onBreach = (b: { metric: string }) => void metrics.push(b.metric);
        m.on('performanceThresholdExceeded', onBreach);
        const sample = await m.samplePerformance();
        m.off('performanceThresholdExceeded', onBreach);
        breached ||= metrics.length > 0;
        const { cpu, memory, disk } = m.getMonitoringSummary().performanceThresholds;
        const json = { ...sample, thresholds: { cpu, memory, disk }, breaches: metrics };
        if (listed) {
          samples.push(json);
          continue;
        }
        if (opts.json) {
          printJson(json);
          continue;
        }
        const row = (label: string, value: number | undefined, threshold: number, metric: string, extra = '') => {
          const shown = value === undefined ? 'unknown' : `${value.toFixed(1)}%`;
          const over = metrics.includes(metric);
          printLine(
            `${label.padEnd(18)}${(over ? colour.red : (s: string) => s)(shown.padStart(7))}  threshold ${threshold}%${over ? colour.red('  EXCEEDED') : ''}${extra}`,
          );
        };
        if (opts.count > 1) printLine(colour.bold(`sample ${i + 1}/${opts.count} at ${sample.timestamp}`));
        row('CPU', sample.cpuPercent, cpu, 'cpu');
        row(
          'Memory',
          sample.memoryPercent,
          memory,
          'memory',
          `  (${mib(sample.memoryAvailableBytes)} available of ${mib(sample.memoryTotalBytes)})`,
        );
        row('Disk', sample.diskPercent, disk, 'disk', `  (${sample.diskPath})`);
        printLine(`${'Process RSS'.padEnd(18)}${mib(sample.processRssBytes)}`);
        printLine(
          `${'Event-loop delay'.padEnd(18)}mean ${sample.eventLoopDelayMs.mean} ms, p99 ${sample.eventLoopDelayMs.p99} ms, max ${sample.eventLoopDelayMs.max} ms`,
        );
      }
      if (listed) await printListOutput(samples, opts);
      if (opts.failOnBreach && breached) process.exitCode = ExitCode.NON_COMPLIANT;
    });

  addListOutputFlags(monitor.command('breakers'))
    .description('Show (or reset) the circuit breaker states saved by ProductionSafetyMonitor.saveState().')
    .requiredOption('--state <file>', 'state file written by saveState()')
    .option(
      '--reset [service:operation]',
      'close every breaker, or the one named (repeatable), and save the file',
      collect,
    )
    .option('--json', 'print the states as JSON (the output --output and --query work on)')
    .addHelpText(
      'after',
      `
Examples:
  inventag monitor breakers --state .inventag/monitor-state.json
  inventag monitor breakers --state .inventag/monitor-state.json --reset ec2:DescribeInstances
  inventag monitor breakers --state .inventag/monitor-state.json --reset
  inventag monitor breakers --state .inventag/monitor-state.json --query "breakers.*.state" --output text

Exit codes: 0 shown (or reset), 2 the state file is missing or malformed, or no such breaker.`,
    )
    .action(async (opts: BreakersOptions) => {
      const { ProductionSafetyMonitor, BreakerRegistry, isMonitorError } = await import('../../monitor/index.js');
      const m = new ProductionSafetyMonitor({ enablePerformanceMonitoring: false });
      try {
        await m.loadState(opts.state);
      } catch (err) {
        if (isMonitorError(err)) throw new UsageError(err.message);
        throw err;
      }
      let reset: string[] = [];
      if (opts.reset !== undefined) {
        const known = Object.keys(m.getMonitoringSummary().circuitBreakerStates);
        let keys: string[] | undefined;
        if (Array.isArray(opts.reset)) {
          keys = opts.reset.map((name) => {
            const at = name.indexOf(':');
            if (at <= 0 || at === name.length - 1)
              throw new UsageError(`--reset takes service:operation (got ${JSON.stringify(name)})`);
            const key = BreakerRegistry.key(name.slice(0, at), name.slice(at + 1));
            if (!known.includes(key))
              throw new UsageError(
                `no breaker ${key} in ${opts.state}; saved breakers: ${known.join(', ') || '(none)'}`,
              );
            return key;
          });
        }
        reset = m.resetCircuitBreakers(keys);
        try {
          await m.saveState(opts.state);
        } catch (err) {
          if (isMonitorError(err)) throw new UsageError(err.message);
          throw err;
        }
      }
      const states = m.getMonitoringSummary().circuitBreakerStates;
      if (wantsListOutput(opts)) {
        await printListOutput({ state: opts.state, reset, breakers: states }, opts);
        return;
      }
      for (const key of reset) printLine(`reset ${key}`);
      const entries = Object.entries(states);
      if (entries.length === 0) {
        printLine('no circuit breakers saved');
        return;
      }
      for (const [key, status] of entries) {
        const paint = status.state === 'CLOSED' ? colour.green : status.state === 'OPEN' ? colour.red : colour.yellow;
        const detail = status.retryAt
          ? `  opened ${status.openedAt}, trial call after ${status.retryAt}`
          : `  ${status.consecutiveFailures} consecutive failure(s)`;
        printLine(`${key.padEnd(40)} ${paint(status.state.padEnd(9))}${detail}`);
      }
    });
}
