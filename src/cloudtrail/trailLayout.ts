/**
 * Finds trail log files in the layout CloudTrail delivers:
 *
 *   [prefix/]AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz
 *   [prefix/]AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/...   (organization trail)
 *
 * The root may sit anywhere on that path (the bucket, `AWSLogs/`, one
 * account, one region). With a time window, only the day folders of the
 * window are listed, so a bucket holding years of logs costs a handful of
 * list calls per account and region.
 */
import type { TrailObject, TrailStore } from './trailStore.js';

export interface TrailFileRef extends TrailObject {
  readonly account: string | undefined;
  readonly region: string | undefined;
  /** `YYYY-MM-DD` of the day folder. */
  readonly day: string | undefined;
}

export interface TrailWalkOptions {
  start?: Date;
  end?: Date;
  /** Only these accounts (12 digits). @default every account found */
  accounts?: readonly string[];
  /** Only these regions. @default every region found */
  regions?: readonly string[];
  /**
   * Which files to find: the log files (`CloudTrail/`) or the digest files
   * of log file validation (`CloudTrail-Digest/`).
   * @default 'logs'
   */
  records?: 'logs' | 'digests';
}

const ACCOUNT_RE = /^\d{12}$/;
const ORG_RE = /^o-[a-z0-9]{10,32}$/;
const YEAR_RE = /^\d{4}$/;
const TWO_RE = /^\d{2}$/;
const DAY_MS = 86_400_000;
// A day folder holds files delivered that day; events from just before
// midnight arrive in the next day's folder, so one more day is read.
const DELIVERY_SLACK_DAYS = 1;
// Above this many days the walker lists year and month folders instead of naming every day.
const MAX_ENUMERATED_DAYS = 400;
// Folders under the root searched for AWSLogs/ when the root is not inside the layout.
const MAX_SEARCH_DEPTH = 3;
const LIST_CONCURRENCY = 8;

type Position =
  | { level: 'search' }
  | { level: 'accounts' }
  | { level: 'orgAccounts' }
  | { level: 'account'; account: string }
  | { level: 'regions'; account: string }
  | { level: 'region' | 'year' | 'month' | 'day'; account: string; region: string; date: string[] }
  | { level: 'skip' };

function positionOf(segs: readonly string[], folder: string): Position {
  const i = segs.lastIndexOf('AWSLogs');
  if (i < 0) return { level: 'search' };
  const rest = segs.slice(i + 1);
  if (rest.length === 0) return { level: 'accounts' };
  const j = ORG_RE.test(rest[0]!) ? 1 : 0;
  if (j === 1 && rest.length === 1) return { level: 'orgAccounts' };
  const account = rest[j]!;
  if (!ACCOUNT_RE.test(account)) return { level: 'skip' };
  const after = rest.slice(j + 1);
  if (after.length === 0) return { level: 'account', account };
  if (after[0] !== folder) return { level: 'skip' };
  if (after.length === 1) return { level: 'regions', account };
  const region = after[1]!;
  const date = after.slice(2);
  const level = (['region', 'year', 'month', 'day'] as const)[date.length];
  return level ? { level, account, region, date } : { level: 'skip' };
}

// CloudTrail delivers gzip files only; other .json files (metadata) are neither logs nor digests.
const DIGEST_MARK = '_CloudTrail-Digest_';
const isLogFile = (key: string): boolean => key.endsWith('.json.gz') && !key.includes(DIGEST_MARK);
const isDigestFile = (key: string): boolean => key.endsWith('.json.gz') && key.includes(DIGEST_MARK);
const ymd = (d: Date): string => d.toISOString().slice(0, 10);

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Every trail file under the store's root that can hold events of the window, in key order per folder. */
export async function* findTrailFiles(store: TrailStore, options: TrailWalkOptions = {}): AsyncGenerator<TrailFileRef> {
  const accounts = options.accounts?.length ? new Set(options.accounts) : undefined;
  const regions = options.regions?.length ? new Set(options.regions) : undefined;
  const digests = options.records === 'digests';
  const folder = digests ? 'CloudTrail-Digest' : 'CloudTrail';
  const isTrailFile = digests ? isDigestFile : isLogFile;
  const firstDay = options.start ? ymd(options.start) : undefined;
  const lastDay = options.end ? ymd(new Date(options.end.getTime() + DELIVERY_SLACK_DAYS * DAY_MS)) : undefined;
  const inRange = (value: string, width: number): boolean =>
    (!firstDay || value >= firstDay.slice(0, width)) && (!lastDay || value <= lastDay.slice(0, width));

  const ref = (o: TrailObject, p: Position): TrailFileRef => {
    if (p.level === 'day') return { ...o, account: p.account, region: p.region, day: p.date.join('-') };
    return { ...o, account: undefined, region: undefined, day: undefined };
  };

  async function* walk(prefix: string, segs: readonly string[], searchDepth: number): AsyncGenerator<TrailFileRef> {
    const p = positionOf(segs, folder);
    if (p.level === 'skip') return;
    if (p.level === 'region' && firstDay && lastDay) {
      const days: string[] = [];
      for (let t = Date.parse(`${firstDay}T00:00:00Z`); ymd(new Date(t)) <= lastDay; t += DAY_MS)
        days.push(ymd(new Date(t)));
      if (days.length <= MAX_ENUMERATED_DAYS) {
        const listed = await mapLimit(days, LIST_CONCURRENCY, (day) =>
          store.list(`${prefix}${day.replaceAll('-', '/')}/`),
        );
        for (const [i, listing] of listed.entries()) {
          const dayPos = positionOf([...segs, ...days[i]!.split('-')], folder);
          for (const f of listing.files) if (isTrailFile(f.key)) yield ref(f, dayPos);
        }
        return;
      }
    }
    const listing = await store.list(prefix);
    if (p.level === 'day' || p.level === 'search') {
      for (const f of listing.files) if (isTrailFile(f.key)) yield ref(f, p);
      if (p.level === 'day') return;
    }
    let dirs = listing.dirs;
    switch (p.level) {
      case 'search':
        if (dirs.includes('AWSLogs')) dirs = ['AWSLogs'];
        else if (searchDepth >= MAX_SEARCH_DEPTH) return;
        break;
      case 'accounts':
        dirs = dirs.filter((d) => ORG_RE.test(d) || (ACCOUNT_RE.test(d) && (!accounts || accounts.has(d))));
        break;
      case 'orgAccounts':
        dirs = dirs.filter((d) => ACCOUNT_RE.test(d) && (!accounts || accounts.has(d)));
        break;
      case 'account':
        // CloudTrail, CloudTrail-Digest and CloudTrail-Insight hold different record kinds.
        dirs = dirs.filter((d) => d === folder);
        break;
      case 'regions':
        dirs = dirs.filter((d) => !regions || regions.has(d));
        break;
      case 'region':
        dirs = dirs.filter((d) => YEAR_RE.test(d) && inRange(d, 4));
        break;
      case 'year':
        dirs = dirs.filter((d) => TWO_RE.test(d) && inRange(`${p.date[0]}-${d}`, 7));
        break;
      case 'month':
        dirs = dirs.filter((d) => TWO_RE.test(d) && inRange(`${p.date[0]}-${p.date[1]}-${d}`, 10));
        break;
    }
    for (const d of dirs) yield* walk(`${prefix}${d}/`, [...segs, d], searchDepth + 1);
  }

  yield* walk('', store.rootSegments, 0);
}
