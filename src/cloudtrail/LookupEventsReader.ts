import type {
  CloudTrailClient,
  CloudTrailClientConfig,
  LookupEventsCommandInput,
  LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { awsRequestHandler } from '../aws/clientConfig.js';
import type { CloudTrailEvent, EventVerdictSource } from './CloudTrailEvent.js';
import { toCloudTrailEvent } from './CloudTrailEvent.js';
import { EventClassifier } from './EventClassifier.js';
import { CloudTrailErrorKind, LookupEventsError, LookupWindowError } from './errors.js';
import type { LookupFilter } from './lookupFilter.js';
import { planLookupFilter } from './lookupFilter.js';
import { ArrivalWindow } from './ArrivalWindow.js';
import type { PacingClock } from './TokenBucket.js';
import { realClock, TokenBucket } from './TokenBucket.js';

/** LookupEvents keeps management events for 90 days. */
export const LOOKUP_RETENTION_DAYS = 90;
/** The LookupEvents quota: requests per second per account and region. */
export const LOOKUP_MAX_RATE = 2;
/** The largest page LookupEvents returns. */
export const LOOKUP_PAGE_SIZE = 50;

const DAY_MS = 86_400_000;
// `--since 90d` computed a moment earlier must not be refused.
const RETENTION_GRACE_MS = 60_000;

export interface LookupProgress {
  /** The region this page came from. */
  region: string;
  events: number;
  pages: number;
  requests: number;
  throttled: number;
  elapsedMs: number;
  /** Events per second so far. */
  eventsPerSecond: number;
  /** Share of the time window read so far, over all regions (events come newest first). */
  fractionDone: number;
  /** Estimated time left, from the share done; undefined until the first page. */
  etaMs: number | undefined;
}

export interface RegionLookupStats {
  region: string;
  events: number;
  pages: number;
  requests: number;
  throttled: number;
  retries: number;
}

export interface LookupResult {
  /** Oldest first; ties by event id. */
  events: CloudTrailEvent[];
  regions: RegionLookupStats[];
  pages: number;
  requests: number;
  throttled: number;
  durationMs: number;
}

export interface LookupEventsReaderOptions {
  /** @default the region of `clientConfig`, else AWS_REGION, else us-east-1 */
  regions?: readonly string[];
  /** Endpoint, credentials and the like, for every region's client. @default {} */
  clientConfig?: CloudTrailClientConfig;
  /**
   * Called with each regional client before use: `(client) => guardClient(client, options)`
   * puts the reader's own calls under the read-only guard and the audit trail.
   * @default none
   */
  prepareClient?: (client: CloudTrailClient) => CloudTrailClient;
  /**
   * Requests per second per region. AWS allows 2; a lower rate leaves room
   * for other tools using the same account.
   * @default 2
   */
  ratePerSecond?: number;
  /** See TokenBucketOptions.headroomMs. @default 20 */
  headroomMs?: number;
  /**
   * Also hold each request's slot until one second after its answer (see
   * ArrivalWindow), so no second at AWS ever sees more than the rate, even
   * when our sends are delayed. Costs some throughput when AWS answers
   * slowly; turn off to rely on the token bucket and backoff alone.
   * @default true
   */
  strictWindow?: boolean;
  /** Attempts per page, throttled or failed ones included. @default 8 */
  maxAttempts?: number;
  /** First backoff after a throttle; it doubles each time, with jitter. @default 500 */
  backoffBaseMs?: number;
  /** @default 10000 */
  backoffMaxMs?: number;
  /** Regions read at once (each has its own quota). @default 4 */
  regionConcurrency?: number;
  /** @default an EventClassifier on the IAM access levels */
  classifier?: EventVerdictSource;
  onProgress?: (progress: LookupProgress) => void;
  /** @default () => new Date() */
  now?: () => Date;
  clock?: PacingClock;
}

const errName = (e: unknown): string => (e as { name?: string } | undefined)?.name ?? '';
const errStatus = (e: unknown): number | undefined =>
  (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
const errMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function isThrottle(e: unknown): boolean {
  const n = errName(e);
  return (
    n === 'ThrottlingException' ||
    n === 'TooManyRequestsException' ||
    n === 'RequestLimitExceeded' ||
    errStatus(e) === 429
  );
}

function isTransient(e: unknown): boolean {
  const status = errStatus(e);
  if (status !== undefined && status >= 500) return true;
  const code = (e as NodeJS.ErrnoException).code;
  return (
    errName(e) === 'TimeoutError' ||
    code === 'ECONNRESET' ||
    code === 'ECONNREFUSED' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT'
  );
}

/**
 * Reads management events with LookupEvents: every page (NextToken, 50 events
 * each), several regions at once, each paced to the 2 requests per second
 * AWS allows per account and region, with backoff when throttled anyway.
 *
 * @example
 * ```ts
 * const reader = new LookupEventsReader({ regions: ['us-east-1', 'eu-west-1'] });
 * const { events } = await reader.read(new Date(Date.now() - 3_600_000), new Date());
 * ```
 */
export class LookupEventsReader {
  readonly regions: readonly string[];
  readonly #options: LookupEventsReaderOptions;
  readonly #classifier: EventVerdictSource;
  readonly #clock: PacingClock;
  /** Timeouts and proxy for the regional clients, unless `clientConfig` brings its own handler. */
  readonly #requestHandler = awsRequestHandler();
  readonly #pacers = new Map<string, { bucket: TokenBucket; window: ArrivalWindow | undefined }>();

  constructor(options: LookupEventsReaderOptions = {}) {
    const rate = options.ratePerSecond ?? LOOKUP_MAX_RATE;
    if (!(rate > 0 && rate <= LOOKUP_MAX_RATE)) {
      throw new RangeError(
        `ratePerSecond must be above 0 and at most ${LOOKUP_MAX_RATE} (the LookupEvents quota per account and region), got ${rate}`,
      );
    }
    const configured = typeof options.clientConfig?.region === 'string' ? options.clientConfig.region : undefined;
    const regions = options.regions?.length
      ? [...new Set(options.regions)]
      : [configured ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'];
    for (const r of regions) {
      if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(r))
        throw new RangeError(`"${r}" is not an AWS region name (like us-east-1)`);
    }
    this.regions = regions;
    this.#options = options;
    this.#classifier = options.classifier ?? new EventClassifier();
    this.#clock = options.clock ?? realClock;
  }

  /** The pacing of a region, shared by every read of this reader. */
  #pacer(region: string): { bucket: TokenBucket; window: ArrivalWindow | undefined } {
    let p = this.#pacers.get(region);
    if (!p) {
      const rate = this.#options.ratePerSecond ?? LOOKUP_MAX_RATE;
      p = {
        bucket: new TokenBucket({ ratePerSecond: rate, headroomMs: this.#options.headroomMs, clock: this.#clock }),
        // A window of 1 s holding `rate` requests, or for rates below 1/s, one request per 1/rate seconds.
        window:
          this.#options.strictWindow === false
            ? undefined
            : new ArrivalWindow({
                limit: Math.max(1, Math.floor(rate)),
                windowMs: rate >= 1 ? 1000 : 1000 / rate,
                clock: this.#clock,
              }),
      };
      this.#pacers.set(region, p);
    }
    return p;
  }

  /** Every event from `startTime` to `endTime` in every region, matching `filter`. */
  async read(startTime: Date, endTime: Date, filter?: LookupFilter): Promise<LookupResult> {
    const now = (this.#options.now ?? (() => new Date()))();
    if (Number.isNaN(startTime.getTime()) || Number.isNaN(endTime.getTime()))
      throw new LookupWindowError('the start and end must be valid dates');
    if (endTime.getTime() < startTime.getTime()) {
      throw new LookupWindowError(`the end ${endTime.toISOString()} is before the start ${startTime.toISOString()}`);
    }
    const oldest = now.getTime() - LOOKUP_RETENTION_DAYS * DAY_MS - RETENTION_GRACE_MS;
    if (startTime.getTime() < oldest) {
      throw new LookupWindowError(
        `LookupEvents keeps ${LOOKUP_RETENTION_DAYS} days of events; ${startTime.toISOString()} is older. Read older history from the trail's log files instead: inventag cloudtrail scan s3://<trail-bucket>/<prefix> --start ${startTime.toISOString()}`,
      );
    }
    const plan = planLookupFilter(filter);
    if (typeof plan === 'string') throw new LookupWindowError(plan);
    const end = endTime.getTime() > now.getTime() ? now : endTime;

    const began = this.#clock.now();
    const sdk = await import('@aws-sdk/client-cloudtrail');
    const stats = this.regions.map((region) => ({
      region,
      events: 0,
      pages: 0,
      requests: 0,
      throttled: 0,
      retries: 0,
    }));
    const fraction = this.regions.map(() => 0);
    const found: CloudTrailEvent[][] = this.regions.map(() => []);
    const span = Math.max(1, end.getTime() - startTime.getTime());

    const report = (i: number): void => {
      if (!this.#options.onProgress) return;
      const elapsedMs = this.#clock.now() - began;
      const events = stats.reduce((s, r) => s + r.events, 0);
      const done = fraction.reduce((s, f) => s + f, 0) / fraction.length;
      this.#options.onProgress({
        region: stats[i]!.region,
        events,
        pages: stats.reduce((s, r) => s + r.pages, 0),
        requests: stats.reduce((s, r) => s + r.requests, 0),
        throttled: stats.reduce((s, r) => s + r.throttled, 0),
        elapsedMs,
        eventsPerSecond: elapsedMs > 0 ? (events * 1000) / elapsedMs : 0,
        fractionDone: done,
        etaMs: done > 0 ? (elapsedMs * (1 - done)) / done : undefined,
      });
    };

    const readRegion = async (i: number): Promise<void> => {
      const region = this.regions[i]!;
      const st = stats[i]!;
      const pacer = this.#pacer(region);
      // Our own client per region: the SDK's retries are off so that every
      // attempt, retries included, passes the pacing and our backoff.
      const created: CloudTrailClient = new sdk.CloudTrailClient({
        requestHandler: this.#requestHandler,
        ...this.#options.clientConfig,
        region,
        maxAttempts: 1,
      });
      const client = this.#options.prepareClient ? this.#options.prepareClient(created) : created;
      client.middlewareStack.add(
        (next) => async (args) => {
          await pacer.bucket.take();
          const release = await pacer.window?.enter();
          st.requests++;
          try {
            return await next(args);
          } finally {
            release?.();
          }
        },
        // After signing, just before the request leaves: the spacing is as close to the wire as it can be.
        { step: 'finalizeRequest', priority: 'low', name: 'inventagLookupEventsPacing' },
      );
      try {
        let token: string | undefined;
        const tokens = new Set<string>();
        do {
          const page = await this.#page(client, sdk, st, {
            StartTime: startTime,
            EndTime: end,
            MaxResults: LOOKUP_PAGE_SIZE,
            NextToken: token,
            LookupAttributes: plan.server
              ? [plan.server as NonNullable<LookupEventsCommandInput['LookupAttributes']>[number]]
              : undefined,
          });
          st.pages++;
          let oldestSeen = end.getTime();
          for (const raw of page.Events ?? []) {
            const event = this.#toEvent(raw, region);
            oldestSeen = Math.min(oldestSeen, event.eventTime.getTime());
            if (!plan.local(event)) continue;
            found[i]!.push(event);
            st.events++;
          }
          token = page.NextToken;
          if (token !== undefined) {
            // A server that hands back a token it gave before would have us page forever.
            if (tokens.has(token))
              throw new LookupEventsError(
                `LookupEvents in ${region} returned the same NextToken again after ${st.pages} page(s); stopped instead of paging forever, so the events of the window were not all read`,
                region,
                undefined,
                CloudTrailErrorKind.AWS,
              );
            tokens.add(token);
          }
          fraction[i] = token ? Math.min(0.99, Math.max(fraction[i]!, (end.getTime() - oldestSeen) / span)) : 1;
          report(i);
        } while (token);
      } finally {
        client.destroy();
      }
    };

    const limit = Math.max(1, this.#options.regionConcurrency ?? 4);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.regions.length) await readRegion(next++);
    };
    await Promise.all(Array.from({ length: Math.min(limit, this.regions.length) }, worker));

    const seen = new Set<string>();
    const events: CloudTrailEvent[] = [];
    for (const list of found) {
      for (const e of list) {
        if (e.eventId && seen.has(e.eventId)) continue;
        if (e.eventId) seen.add(e.eventId);
        events.push(e);
      }
    }
    events.sort(
      (a, b) =>
        a.eventTime.getTime() - b.eventTime.getTime() || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
    );
    return {
      events,
      regions: stats,
      pages: stats.reduce((s, r) => s + r.pages, 0),
      requests: stats.reduce((s, r) => s + r.requests, 0),
      throttled: stats.reduce((s, r) => s + r.throttled, 0),
      durationMs: this.#clock.now() - began,
    };
  }

  async #page(
    client: CloudTrailClient,
    sdk: typeof import('@aws-sdk/client-cloudtrail'),
    st: RegionLookupStats,
    input: LookupEventsCommandInput,
  ): Promise<LookupEventsCommandOutput> {
    const maxAttempts = Math.max(1, this.#options.maxAttempts ?? 8);
    const base = this.#options.backoffBaseMs ?? 500;
    const cap = this.#options.backoffMaxMs ?? 10_000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await client.send(new sdk.LookupEventsCommand(input));
      } catch (err) {
        const throttled = isThrottle(err);
        if (throttled) st.throttled++;
        if ((throttled || isTransient(err)) && attempt < maxAttempts) {
          st.retries++;
          // Exponential backoff with "equal jitter": never less than half the step, so a throttle always slows us.
          const step = Math.min(cap, base * 2 ** (attempt - 1));
          await this.#clock.sleep(step / 2 + Math.random() * (step / 2));
          continue;
        }
        throw this.#wrap(err, st.region, attempt);
      }
    }
  }

  #wrap(err: unknown, region: string, attempts: number): LookupEventsError {
    const name = errName(err);
    const msg = errMessage(err);
    if (name === 'AccessDeniedException' || name === 'UnauthorizedOperation' || errStatus(err) === 403) {
      return new LookupEventsError(
        `access denied: cloudtrail:LookupEvents in ${region} (${msg}); the identity needs cloudtrail:LookupEvents`,
        region,
        name,
        CloudTrailErrorKind.AWS,
        { cause: err },
      );
    }
    if (name === 'CredentialsProviderError') {
      return new LookupEventsError(
        `no AWS credentials for LookupEvents in ${region}: ${msg}`,
        region,
        name,
        CloudTrailErrorKind.AWS,
        { cause: err },
      );
    }
    if (
      name === 'InvalidTimeRangeException' ||
      name === 'InvalidLookupAttributesException' ||
      name === 'InvalidEventCategoryException'
    ) {
      return new LookupEventsError(
        `LookupEvents in ${region} refused the request: ${name}: ${msg}`,
        region,
        name,
        CloudTrailErrorKind.USAGE,
        { cause: err },
      );
    }
    const why = isThrottle(err) ? `still throttled after ${attempts} attempts` : `failed after ${attempts} attempt(s)`;
    return new LookupEventsError(
      `LookupEvents in ${region} ${why}: ${name ? `${name}: ` : ''}${msg}`,
      region,
      name || undefined,
      CloudTrailErrorKind.AWS,
      { cause: err },
    );
  }

  #toEvent(raw: NonNullable<LookupEventsCommandOutput['Events']>[number], region: string): CloudTrailEvent {
    let record: Record<string, unknown> = {};
    if (raw.CloudTrailEvent) {
      try {
        record = JSON.parse(raw.CloudTrailEvent) as Record<string, unknown>;
      } catch {
        record = {};
      }
    }
    // The summary fields of the response fill in what the embedded record lacks.
    const merged: Record<string, unknown> = {
      eventID: raw.EventId,
      eventName: raw.EventName,
      eventSource: raw.EventSource,
      eventTime: raw.EventTime?.toISOString(),
      readOnly: raw.ReadOnly,
      awsRegion: region,
      resources: raw.Resources?.map((r) => ({ ResourceName: r.ResourceName, ResourceType: r.ResourceType })),
      ...record,
    };
    if (!merged.userIdentity && (raw.Username || raw.AccessKeyId))
      merged.userIdentity = { userName: raw.Username, accessKeyId: raw.AccessKeyId };
    const e = toCloudTrailEvent(merged, this.#classifier);
    if (typeof e === 'string') {
      throw new LookupEventsError(
        `LookupEvents in ${region} returned an event that is not a CloudTrail record: ${e}`,
        region,
        undefined,
        CloudTrailErrorKind.AWS,
      );
    }
    return e;
  }
}

/**
 * The seed's `integrate_cloudtrail_events(start_time, end_time)`: every
 * CloudTrail event of the window, oldest first, from a LookupEventsReader.
 */
export async function integrateCloudtrailEvents(
  reader: LookupEventsReader,
  startTime: Date,
  endTime: Date,
  filter?: LookupFilter,
): Promise<CloudTrailEvent[]> {
  return (await reader.read(startTime, endTime, filter)).events;
}
