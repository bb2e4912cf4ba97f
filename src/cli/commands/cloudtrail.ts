/**
 * `inventag cloudtrail lookup|scan`: evidence from AWS itself that the guarded
 * principal changed nothing. The AWS SDK and the CloudTrail module are loaded
 * inside the actions so other commands start without them.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { ExitCode } from '../../constants.js';
import type { AuditRecordRef, CloudTrailFinding, PrincipalAnalysis, TimeWindow } from '../../cloudtrail/index.js';
import type { AwsClientOptions } from '../../aws/clientConfig.js';
import { AWS_TIMEOUT_DEFAULTS } from '../../aws/defaults.js';
import { addAwsFlags, awsOptionsOf, type AwsFlags } from '../awsFlags.js';
import { CliError, UsageError } from '../errors.js';
import { addListOutputFlags, printListOutput, wantsListOutput, type ListOutputFlags } from '../listOutput.js';
import { colour, printErr, printLine } from '../output.js';
import { terminalText as safeText } from '../terminalText.js';
import type { ProgressReporter } from '../progress.js';

const EXIT_HELP = `
Exit codes:
  0   the principal made no write in the window (or, without --principal, the scan finished)
  1   read-only guarantee broken: the principal made a write, or called AWS outside the audit trail (--audit);
      or INCONCLUSIVE (scan --principal): a trail file could not be read completely, so no write cannot be shown
  2   bad usage or input: --since not a duration, end before start, a window older than 90 days
      (lookup), bad principal, unreadable --audit file, no trail files at the location
  6   AWS error: bucket does not exist, access denied (s3:ListBucket, s3:GetObject,
      cloudtrail:LookupEvents), no credentials, still throttled after retries
  70  scan: a worker thread stopped while reading a file (out of memory, for one), named in the message`;

const VERIFY_EXIT_HELP = `
Exit codes:
  0   every digest and every log file of the window verified
  1   nothing found changed, but not everything could be verified: the newest digest of a local
      copy (its signature is only in the S3 metadata), a chain that restarts (logging was off)
  2   bad usage or input: no digest files in the window, an unreadable or unparsable --public-keys file
  4   tampered: a log file modified, deleted or not covered by any digest, a digest missing from
      the chain, failing its signature, signed by an unknown key, or not a valid digest file
  6   AWS error: access denied (s3:ListBucket, s3:GetObject, cloudtrail:ListPublicKeys), no credentials`;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface WindowOpts {
  since?: string;
  start?: string;
  end?: string;
}

interface CommonOpts extends WindowOpts, ListOutputFlags {
  region?: string[];
  principal?: string;
  audit?: string;
  json?: boolean;
  progress?: boolean;
}

interface LookupOpts extends CommonOpts, Omit<AwsFlags, 'region'> {
  rate?: string;
  attribute?: string[];
}

interface StoreOpts {
  region?: string[];
  endpointUrl?: string;
  pathStyle?: boolean;
}

interface ScanOpts extends CommonOpts, StoreOpts {
  account?: string[];
  concurrency?: string;
  workers?: string;
}

interface VerifyOpts extends WindowOpts, StoreOpts, ListOutputFlags {
  account?: string[];
  publicKeys?: string;
  concurrency?: string;
  json?: boolean;
  progress?: boolean;
}

async function cloudtrail(): Promise<typeof import('../../cloudtrail/index.js')> {
  return import('../../cloudtrail/index.js');
}

async function toCliError(
  err: unknown,
  ct: typeof import('../../cloudtrail/index.js'),
  timeoutSeconds?: number,
): Promise<unknown> {
  if (err instanceof CliError) return err;
  // A worker thread that stopped holding a file: the scan fails, naming the file (never a result without it).
  if (err instanceof ct.TrailWorkerError) return new CliError(err.message, ExitCode.INTERNAL, { cause: err });
  const { toAwsNetworkError } = await import('../../aws/errors.js');
  const network = toAwsNetworkError(err, 'AWS did not answer', timeoutSeconds);
  if (network) {
    const context = ct.isCloudTrailError(err) ? `${err.message.split(':')[0]}: ` : '';
    return new CliError(`${context}${network.message}`, ExitCode.AWS_ERROR, { cause: err });
  }
  if (!ct.isCloudTrailError(err)) return err;
  return err.kind === ct.CloudTrailErrorKind.AWS
    ? new CliError(err.message, ExitCode.AWS_ERROR, { cause: err })
    : new UsageError(err.message, { cause: err });
}

function windowOf(
  opts: WindowOpts,
  ct: typeof import('../../cloudtrail/index.js'),
  defaultSince: string | undefined,
): TimeWindow | undefined {
  if (opts.since === undefined && opts.start === undefined && opts.end === undefined && defaultSince === undefined)
    return undefined;
  const w = ct.resolveWindow(opts, new Date(), defaultSince);
  if (typeof w === 'string') throw new UsageError(w);
  return w;
}

/** Audit records from `inventag audit export --format jsonl` output, or a JSON array of { timestamp, service, operation, ... }. */
async function readAudit(path: string): Promise<AuditRecordRef[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the audit file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  }
  const trimmed = text.trim();
  let rows: unknown[];
  if (trimmed.startsWith('[')) {
    try {
      rows = JSON.parse(trimmed) as unknown[];
    } catch (err) {
      throw new UsageError(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  } else {
    rows = [];
    for (const [i, line] of trimmed.split('\n').entries()) {
      if (line.trim() === '') continue;
      try {
        rows.push(JSON.parse(line));
      } catch {
        throw new UsageError(
          `${path} line ${i + 1}: not a JSON object (expected JSON lines from "inventag audit export --format jsonl" or a JSON array)`,
        );
      }
    }
  }
  const out: AuditRecordRef[] = [];
  for (const [i, row] of rows.entries()) {
    const r = row as Record<string, unknown>;
    if (typeof r !== 'object' || r === null)
      throw new UsageError(`${path} record ${i + 1}: expected an object with timestamp, service and operation`);
    if (r.kind === 'checkpoint' || r.event !== undefined) continue;
    const timestamp = r.timestamp ?? r.time;
    if (
      typeof timestamp !== 'string' ||
      Number.isNaN(Date.parse(timestamp)) ||
      typeof r.service !== 'string' ||
      typeof r.operation !== 'string'
    ) {
      throw new UsageError(
        `${path} record ${i + 1}: expected "timestamp" (ISO time), "service" and "operation" strings`,
      );
    }
    out.push({
      timestamp,
      service: r.service,
      operation: r.operation,
      iamAction: typeof r.iamAction === 'string' ? r.iamAction : undefined,
      requestId: typeof r.requestId === 'string' ? r.requestId : undefined,
      decision: r.decision === 'blocked' ? 'blocked' : 'allowed',
    });
  }
  return out;
}

function positiveNumber(option: string, value: string | undefined, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new UsageError(
      `${option} must be a number above 0${max < Infinity ? ` and at most ${max}` : ''}; got ${JSON.stringify(value)}`,
    );
  return n;
}

/** The identity the CLI runs as, from STS, when no --principal is given to lookup. */
/** InvenTag's own AWS clients run under the read-only guard like any other automation's. */
async function guarded<C extends { middlewareStack: { use(plugin: never): void } }>(client: C): Promise<C> {
  const { guardClient } = await import('../../guard/plugin.js');
  return guardClient(client as never);
}

async function callerArn(access: AwsClientOptions): Promise<string> {
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const { createAwsClient } = await import('../../aws/clientConfig.js');
  const sts = await guarded(createAwsClient(STSClient, access));
  try {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    if (!id.Arn) throw new Error('GetCallerIdentity returned no Arn');
    return id.Arn;
  } catch (err) {
    const { describeAwsNetworkError } = await import('../../aws/errors.js');
    throw new CliError(
      `cannot find the principal with sts:GetCallerIdentity (give --principal instead): ${describeAwsNetworkError(err, access.timeoutSeconds ?? AWS_TIMEOUT_DEFAULTS.requestSeconds) ?? (err as Error).message}`,
      ExitCode.AWS_ERROR,
      { cause: err },
    );
  } finally {
    sts.destroy();
  }
}

function printFinding(f: CloudTrailFinding): void {
  const sev = f.severity === 'CRITICAL' || f.severity === 'HIGH' ? colour.red(f.severity) : colour.yellow(f.severity);
  printLine(`${sev} ${colour.bold(safeText(f.title))}`);
  printLine(`  ${safeText(f.description)}`);
  for (const e of f.events.slice(0, 50)) {
    const error = e.errorCode ? colour.yellow(` error=${safeText(e.errorCode)}`) : '';
    printLine(
      safeText(
        `  ${e.eventTime} ${e.awsRegion ?? '-'} ${e.iamAction ?? `${e.eventSource}:${e.eventName}`} readOnly=${String(e.readOnly)} eventId=${e.eventId}`,
      ) + error,
    );
  }
  if (f.events.length > 50) printLine(`  ... and ${f.events.length - 50} more (use --json for all)`);
  printLine(`  ${colour.dim(`Recommendation: ${safeText(f.recommendation)}`)}`);
}

/**
 * The answer a read gives: BROKEN when a write (or an unrecorded call) was
 * found, whatever else; INCONCLUSIVE when nothing was found but some trail
 * file could not be read completely (its other records may hold a write);
 * NO_WRITE only on complete evidence.
 */
type ScanResult = 'BROKEN' | 'INCONCLUSIVE' | 'NO_WRITE';

function resultOf(a: PrincipalAnalysis, complete: boolean): ScanResult {
  if (!a.readOnlyGuaranteeHeld || (a.correlation?.unrecorded.length ?? 0) > 0) return 'BROKEN';
  return complete ? 'NO_WRITE' : 'INCONCLUSIVE';
}

function printAnalysis(a: PrincipalAnalysis, complete = true, incompleteFiles = 0): void {
  printLine(
    `Principal ${safeText(a.principal)} (${a.principalKind}): ${a.principalEvents} of ${a.eventsSeen} events, ${a.writes.length} write(s)`,
  );
  if (a.correlation) {
    printLine(
      `Audit trail: ${a.correlation.matched} event(s) matched, ${a.correlation.unrecorded.length} not recorded, ${a.correlation.skippedServiceEvents} made by AWS services on its behalf`,
    );
  }
  for (const f of a.findings) printFinding(f);
  const result = resultOf(a, complete);
  printLine(
    result === 'BROKEN'
      ? colour.red('Result: read-only guarantee BROKEN')
      : result === 'INCONCLUSIVE'
        ? colour.yellow(
            `Result: INCONCLUSIVE: no write among the events read, but ${incompleteFiles} trail file(s) could not be read completely, so the absence of a write cannot be shown`,
          )
        : colour.green('Result: no write by the principal in the window'),
  );
}

function exitFor(a: PrincipalAnalysis | undefined, complete = true): void {
  if (a && resultOf(a, complete) !== 'NO_WRITE') process.exitCode = ExitCode.NON_COMPLIANT;
}

/** Progress on stderr: redrawn on a terminal, plain lines with --progress elsewhere, nothing with --json, --output or --query. */
async function progressWriter(opts: ListOutputFlags & { progress?: boolean }): Promise<ProgressReporter> {
  const { progressMode, progressReporter } = await import('../progress.js');
  const mode = progressMode({ json: wantsListOutput(opts) });
  return progressReporter(mode === 'plain' && !opts.progress ? 'off' : mode);
}

function parseAttributes(list: string[] | undefined): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        `--attribute ${JSON.stringify(item)} must be key=value (keys: eventId, accessKeyId, resourceName, username, eventName, resourceType, eventSource, readOnly)`,
      );
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (key === 'readOnly' && value !== 'true' && value !== 'false')
      throw new UsageError('--attribute readOnly=... must be true or false');
    out[key] = key === 'readOnly' ? value === 'true' : value;
  }
  return out;
}

async function runLookup(opts: LookupOpts): Promise<void> {
  const ct = await cloudtrail();
  const window = windowOf(opts, ct, '1h')!;
  const principal = opts.principal;
  const matcher = principal === undefined ? undefined : ct.principalMatcher(principal);
  if (typeof matcher === 'string') throw new UsageError(matcher);
  const rate = positiveNumber('--rate', opts.rate, ct.LOOKUP_MAX_RATE);
  const filter = parseAttributes(opts.attribute);
  const audit = opts.audit ? await readAudit(opts.audit) : undefined;
  const progress = await progressWriter(opts);
  const access = awsOptionsOf(opts);
  try {
    const { guardClient } = await import('../../guard/plugin.js');
    const { awsClientConfig } = await import('../../aws/clientConfig.js');
    const reader = new ct.LookupEventsReader({
      regions: opts.region,
      clientConfig: awsClientConfig(access),
      ratePerSecond: rate,
      prepareClient: (client) => guardClient(client),
      onProgress: (p) =>
        progress(`reading LookupEvents in ${p.region}`, {
          done: p.events,
          unit: `events, ${p.pages} pages${p.throttled ? `, throttled ${p.throttled}x` : ''}`,
          fraction: p.fractionDone,
          ...(p.etaMs !== undefined ? { etaMs: p.etaMs } : {}),
        }),
    });
    const result = await reader.read(window.start, window.end, filter);
    progress.done();
    const who = principal ?? (await callerArn({ ...access, region: reader.regions[0]! }));
    const analyzer = new ct.PrincipalAnalyzer(who);
    for (const e of result.events) analyzer.add(e);
    const analysis = analyzer.result({ audit });
    if (wantsListOutput(opts)) {
      await printListOutput(
        {
          source: 'LookupEvents',
          window: { start: window.start.toISOString(), end: window.end.toISOString() },
          regions: result.regions,
          pages: result.pages,
          requests: result.requests,
          throttled: result.throttled,
          events: result.events.length,
          result: resultOf(analysis, true),
          analysis,
        },
        opts,
      );
    } else {
      printLine(
        `LookupEvents ${reader.regions.join(', ')}, ${window.start.toISOString()} .. ${window.end.toISOString()}`,
      );
      printLine(
        `  ${result.events.length} events, ${result.pages} pages, ${result.requests} requests (${result.throttled} throttled) in ${(result.durationMs / 1000).toFixed(1)} s`,
      );
      printAnalysis(analysis);
    }
    exitFor(analysis);
  } catch (err) {
    progress.done();
    throw await toCliError(err, ct, access.timeoutSeconds ?? AWS_TIMEOUT_DEFAULTS.requestSeconds);
  }
}

async function runScan(location: string, opts: ScanOpts): Promise<void> {
  const ct = await cloudtrail();
  const window = windowOf(opts, ct, undefined);
  const parsed = ct.parseTrailLocation(location);
  if (typeof parsed === 'string') throw new UsageError(parsed);
  const matcher = opts.principal === undefined ? undefined : ct.principalMatcher(opts.principal);
  if (typeof matcher === 'string') throw new UsageError(matcher);
  for (const a of opts.account ?? [])
    if (!/^\d{12}$/.test(a)) throw new UsageError(`--account ${JSON.stringify(a)} must be a 12-digit account id`);
  const concurrency = positiveNumber('--concurrency', opts.concurrency, 64);
  const workers = opts.workers === undefined ? undefined : Number(opts.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 64))
    throw new UsageError(
      `--workers must be a whole number from 0 (read in the main thread) to 64; got ${JSON.stringify(opts.workers)}`,
    );
  const audit = opts.audit ? await readAudit(opts.audit) : undefined;
  const store = await openStore(parsed, opts, ct);
  const progress = await progressWriter(opts);
  const analyzer = matcher
    ? new ct.PrincipalAnalyzer(matcher, { keepEventsForCorrelation: audit !== undefined })
    : undefined;
  const writers = new Map<string, number>();
  try {
    const reader = new ct.TrailFileReader(store, {
      start: window?.start,
      end: window?.end,
      regions: opts.region,
      accounts: opts.account,
      concurrency: concurrency === undefined ? undefined : Math.floor(concurrency),
      onProgress: ct.trailScanProgressTo(progress, store.location),
      workers: workers ?? defaultWorkers(),
      // Only the events the analysis needs (or, without a principal, the writes) become objects; the rest are counted.
      select: analyzer ? analyzer.selection() : { writes: true },
      onSkipped: (skipped) => analyzer?.addSkipped(skipped),
    });
    const summary = await reader.scan((event) => {
      analyzer?.add(event);
      if (!analyzer && event.verdict.isWrite) {
        const who = event.userIdentity.arn ?? event.userIdentity.invokedBy ?? 'unknown';
        writers.set(who, (writers.get(who) ?? 0) + 1);
      }
    });
    progress.done();
    if (summary.filesRead + summary.filesCorrupt === 0) {
      throw new UsageError(
        `no trail log files under ${store.location}${window ? ` for ${window.start.toISOString()} .. ${window.end.toISOString()}` : ''} (expected AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz, or AWSLogs/<org-id>/<account>/... for an organization trail)`,
      );
    }
    const analysis = analyzer?.result({ audit });
    // Most writes first, then by name: the same order however the files were read.
    const writesByPrincipal = Object.fromEntries(
      [...writers.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    );
    if (wantsListOutput(opts)) {
      await printListOutput(
        {
          source: store.location,
          window: window && { start: window.start.toISOString(), end: window.end.toISOString() },
          summary,
          ...(analysis ? { result: resultOf(analysis, summary.complete), analysis } : { writesByPrincipal }),
        },
        opts,
      );
    } else {
      printLine(
        `Trail files ${safeText(store.location)}${window ? `, ${window.start.toISOString()} .. ${window.end.toISOString()}` : ''}`,
      );
      printLine(
        `  ${summary.filesRead} files read, ${summary.filesCorrupt} corrupt; ${summary.events} events${window ? ' in the window' : ''} (${(summary.bytes / 1e6).toFixed(1)} MB of JSON) in ${(summary.durationMs / 1000).toFixed(1)} s`,
      );
      for (const c of summary.corrupt)
        printErr(`${colour.yellow('corrupt')} ${safeText(c.file)}: ${safeText(c.problem)}`);
      if (analysis) printAnalysis(analysis, summary.complete, summary.filesCorrupt);
      else {
        printLine(`Writes by principal (give --principal to check one):`);
        for (const [who, n] of Object.entries(writesByPrincipal)) printLine(`  ${n}  ${safeText(who)}`);
      }
    }
    exitFor(analysis, summary.complete);
  } catch (err) {
    progress.done();
    throw await toCliError(err, ct);
  }
}

/**
 * Worker threads by default: one per core when there are two or more (the reader caps them at what the
 * decompression budget allows, 2 by default). Each inflates, parses and counts files itself and sends back only
 * the events the analysis needs, so on the benchmark's trail they take less wall time than one thread for about
 * the same CPU. On one core they cannot win: the scan reads in its own thread.
 */
export function defaultWorkers(): number {
  const cores = availableParallelism();
  return cores >= 2 ? cores : 0;
}

/** The trail location as a store; an S3 client runs under the read-only guard. */
async function openStore(
  parsed: Exclude<ReturnType<typeof import('../../cloudtrail/index.js').parseTrailLocation>, string>,
  opts: StoreOpts,
  ct: typeof import('../../cloudtrail/index.js'),
): Promise<InstanceType<typeof ct.LocalTrailStore> | InstanceType<typeof ct.S3TrailStore>> {
  if (parsed.kind === 'local') return new ct.LocalTrailStore(parsed.path);
  return new ct.S3TrailStore(parsed.bucket, parsed.prefix, {
    client: await guarded(
      (await import('../../aws/clientConfig.js')).createAwsClient(
        (await import('@aws-sdk/client-s3')).S3Client,
        {
          ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
          ...(opts.region?.[0] ? { region: opts.region[0] } : {}),
        },
        { followRegionRedirects: true, ...(opts.pathStyle ? { forcePathStyle: true } : {}) },
      ),
    ),
  });
}

const ISSUE_LABEL: Record<string, string> = {
  LOG_MODIFIED: 'modified',
  LOG_DELETED: 'deleted',
  LOG_NOT_COVERED: 'not covered',
  LOG_UNVERIFIED: 'unverified',
  CHAIN_GAP: 'chain gap',
  CHAIN_RESTART: 'chain restart',
  DIGEST_BAD_SIGNATURE: 'bad signature',
  DIGEST_UNKNOWN_KEY: 'unknown key',
  DIGEST_INVALID: 'invalid digest',
  DIGEST_UNCHECKED: 'unchecked',
};

/** A `--public-keys` file (the output of `aws cloudtrail list-public-keys`) as a key ring; bad input is a usage error. */
export async function readPublicKeyFile(path: string): Promise<import('../../cloudtrail/index.js').PublicKeyRing> {
  const ct = await cloudtrail();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read the public key file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      {
        cause: err,
      },
    );
  }
  const ring = new ct.PublicKeyRing();
  try {
    ring.add(ct.parsePublicKeyFile(text, path), path);
  } catch (err) {
    throw await toCliError(err, ct);
  }
  return ring;
}

async function runVerify(location: string, opts: VerifyOpts): Promise<void> {
  const ct = await cloudtrail();
  const window = windowOf(opts, ct, undefined);
  const parsed = ct.parseTrailLocation(location);
  if (typeof parsed === 'string') throw new UsageError(parsed);
  for (const a of opts.account ?? [])
    if (!/^\d{12}$/.test(a)) throw new UsageError(`--account ${JSON.stringify(a)} must be a 12-digit account id`);
  const concurrency = positiveNumber('--concurrency', opts.concurrency, 64);
  let publicKeys: InstanceType<typeof ct.PublicKeyRing> | import('../../cloudtrail/index.js').PublicKeySource;
  const clients: Array<{ destroy(): void }> = [];
  if (opts.publicKeys !== undefined) {
    publicKeys = await readPublicKeyFile(opts.publicKeys);
  } else {
    publicKeys = async (homeRegion, start, end) => {
      const { CloudTrailClient } = await import('@aws-sdk/client-cloudtrail');
      const { createAwsClient } = await import('../../aws/clientConfig.js');
      const client = await guarded(createAwsClient(CloudTrailClient, { region: homeRegion }));
      clients.push(client);
      try {
        return await ct.listPublicKeys(client, start, end);
      } catch (err) {
        if (ct.isCloudTrailError(err)) throw err;
        throw new CliError(
          `cloudtrail:ListPublicKeys in ${homeRegion} failed (give --public-keys FILE to verify offline): ${(err as Error).message}`,
          ExitCode.AWS_ERROR,
          { cause: err },
        );
      }
    };
  }
  const store = await openStore(parsed, opts, ct);
  const progress = await progressWriter(opts);
  try {
    const verifier = new ct.DigestVerifier(store, {
      start: window?.start,
      end: window?.end,
      regions: opts.region,
      accounts: opts.account,
      publicKeys,
      concurrency: concurrency === undefined ? undefined : Math.floor(concurrency),
      onProgress: (p) =>
        progress(`verifying digests and log files in ${store.location}`, {
          done: p.logFiles,
          unit: `log files (${p.digests} digests)`,
          bytes: p.bytes,
        }),
    });
    const report = await verifier.verify();
    progress.done();
    if (report.digests.total === 0) {
      throw new UsageError(
        `no digest files under ${store.location}${window ? ` for ${window.start.toISOString()} .. ${window.end.toISOString()}` : ''} (expected AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/*_CloudTrail-Digest_*.json.gz; is log file validation enabled on the trail? aws cloudtrail get-trail --name <trail> shows LogFileValidationEnabled)`,
      );
    }
    if (wantsListOutput(opts)) await printListOutput(report, opts);
    else printIntegrity(report);
    if (report.result === ct.IntegrityResult.TAMPERED) process.exitCode = ExitCode.TAMPERED;
    else if (report.result === ct.IntegrityResult.NOT_VERIFIED) process.exitCode = ExitCode.NON_COMPLIANT;
  } catch (err) {
    progress.done();
    throw await toCliError(err, ct);
  } finally {
    for (const c of clients) c.destroy();
  }
}

function printIntegrity(report: import('../../cloudtrail/index.js').IntegrityReport): void {
  printLine(
    `Digest validation ${safeText(report.location)}${report.window ? `, ${report.window.start} .. ${report.window.end}` : ''}`,
  );
  for (const c of report.chains)
    printLine(
      `  trail ${safeText(c.trail)} (home ${c.homeRegion}) account ${c.account} region ${c.region}: ${c.digests} digest(s)${c.backfill ? `, ${c.backfill} backfill` : ''}${c.from ? `, ${c.from} .. ${c.to ?? '?'}` : ''}`,
    );
  printLine(
    `  ${report.digests.verified} of ${report.digests.total} digests verified; ${report.logFiles.verified} log files verified (${(report.logFiles.bytesHashed / 1e6).toFixed(1)} MB hashed) in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  const tamper = new Set<string>([
    'LOG_MODIFIED',
    'LOG_DELETED',
    'LOG_NOT_COVERED',
    'CHAIN_GAP',
    'DIGEST_BAD_SIGNATURE',
    'DIGEST_UNKNOWN_KEY',
    'DIGEST_INVALID',
  ]);
  for (const i of report.issues) {
    const label = ISSUE_LABEL[i.code] ?? i.code;
    printLine(
      `${tamper.has(i.code) ? colour.red(label) : colour.yellow(label)} ${safeText(i.file)}: ${safeText(i.detail)}`,
    );
  }
  printLine(
    report.result === 'VERIFIED'
      ? colour.green('Result: VERIFIED: every digest and log file of the window is as CloudTrail delivered it')
      : report.result === 'TAMPERED'
        ? colour.red('Result: TAMPERED: the trail files are not as CloudTrail delivered them')
        : colour.yellow('Result: NOT VERIFIED: nothing found changed, but not every file could be verified'),
  );
}

function windowOptions(cmd: Command, sinceHelp: string): Command {
  return cmd
    .option('--since <duration>', sinceHelp)
    .option('--start <iso>', 'start of the window, ISO 8601 with a zone (2024-05-01T00:00:00Z) or a date')
    .option('--end <iso>', 'end of the window (default now)');
}

/** Adds `inventag cloudtrail lookup` and `inventag cloudtrail scan`. */
export function registerCloudtrail(program: Command): void {
  const ct = program
    .command('cloudtrail')
    .description('CloudTrail evidence: did the guarded principal change anything?')
    .addHelpText('after', EXIT_HELP);

  addAwsFlags(
    windowOptions(
      addListOutputFlags(ct.command('lookup')).description(
        'read management events with LookupEvents (last 90 days), paced to 2 requests/s per region, and check the principal made no write',
      ),
      'how far back to read: 30m, 1h, 7d (default 1h)',
    ),
    false,
  )
    .option('--region <region>', 'a region to read (repeat for several; default AWS_REGION or us-east-1)', collect)
    .option(
      '--principal <arn|key>',
      'session ARN, role or user ARN, or access key id to check (default: the caller, from sts:GetCallerIdentity)',
    )
    .option(
      '--attribute <key=value>',
      'a LookupEvents attribute (repeatable; the most selective goes to AWS, the rest are applied locally)',
      collect,
    )
    .option('--rate <n>', 'requests per second per region, at most 2 (default 2)')
    .option('--audit <file>', 'our audit trail (inventag audit export --format jsonl) to find calls it never recorded')
    .option('--json', 'print the result as JSON (the document --output and --query work on)')
    .option('--progress', 'print progress on stderr even when it is not a terminal')
    .addHelpText('after', EXIT_HELP)
    .action((opts: LookupOpts) => runLookup(opts));

  windowOptions(
    addListOutputFlags(ct.command('scan'))
      .argument('<location>', 'a directory of trail log files, or s3://bucket/prefix')
      .description(
        'read trail log files (local or S3, gzip JSON in the AWSLogs layout) and check the principal made no write',
      ),
    'only files of this recent period: 1h, 7d (default: every file)',
  )
    .option(
      '--principal <arn|key>',
      'session ARN, role or user ARN, or access key id to check (without it, writes are listed per principal)',
    )
    .option('--region <region>', 'only this region (repeatable)', collect)
    .option('--account <id>', 'only this account (repeatable)', collect)
    .option('--audit <file>', 'our audit trail (inventag audit export --format jsonl) to find calls it never recorded')
    .option('--concurrency <n>', 'files read at once (default: CPU cores, 2 to 8)')
    .option(
      '--workers <n>',
      'worker threads that inflate and parse the files of a trail of more than 64 (default: one per core, none on one core; 0 reads in the main thread; at most what the decompression budget allows)',
    )
    .option('--endpoint-url <url>', 'S3 endpoint (also AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)')
    .option('--path-style', 'path-style S3 addressing, for S3-compatible servers')
    .option('--json', 'print the result as JSON (the document --output and --query work on)')
    .option('--progress', 'print progress on stderr even when it is not a terminal')
    .addHelpText('after', EXIT_HELP)
    .action((location: string, opts: ScanOpts) => runScan(location, opts));

  windowOptions(
    addListOutputFlags(ct.command('verify'))
      .argument('<location>', 'a directory of trail files, or s3://bucket/prefix')
      .description(
        'log file integrity validation: walk the digest chains, check each digest signature and each log file hash',
      ),
    'only digests of this recent period: 1h, 7d (default: every digest)',
  )
    .option('--region <region>', 'only this region (repeatable; the first is also the S3 client region)', collect)
    .option('--account <id>', 'only this account (repeatable)', collect)
    .option(
      '--public-keys <file>',
      'CloudTrail public keys for offline use (the output of aws cloudtrail list-public-keys); default: cloudtrail:ListPublicKeys',
    )
    .option('--concurrency <n>', 'files read at once (default: CPU cores, 2 to 8)')
    .option('--endpoint-url <url>', 'S3 endpoint (also AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)')
    .option('--path-style', 'path-style S3 addressing, for S3-compatible servers')
    .option('--json', 'print the result as JSON (the document --output and --query work on)')
    .option('--progress', 'print progress on stderr even when it is not a terminal')
    .addHelpText('after', VERIFY_EXIT_HELP)
    .action((location: string, opts: VerifyOpts) => runVerify(location, opts));
}
