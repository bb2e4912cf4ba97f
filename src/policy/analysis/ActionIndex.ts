import { loadCatalogData, type CatalogAction, type CatalogData } from '../../catalog/data.js';
import { compileWildcard } from '../../catalog/wildcard.js';

interface ServiceSlice {
  readonly prefix: string;
  /** Index of the service's first action in {@link ActionIndex.actions}. */
  readonly start: number;
  /** Lower-cased action names, in index order. */
  readonly names: readonly string[];
  /** Lower-cased name -> absolute index. */
  readonly byName: ReadonlyMap<string, number>;
}

/** A compiled wildcard (see catalog/wildcard.ts): IAM matches `*` (any run) and `?` (one character), case-insensitively. */
type NameMatcher = (lowerName: string) => boolean;

function namePart(lowerPattern: string): NameMatcher | 'all' | { exact: string } {
  if (/^\*+$/.test(lowerPattern)) return 'all';
  if (!/[*?]/.test(lowerPattern)) return { exact: lowerPattern };
  const matcher = compileWildcard(lowerPattern);
  return (name) => matcher.test(name);
}

/**
 * The IAM action catalog laid out for set arithmetic: every action has a
 * number, so a policy's allowed actions are a byte array, and `Deny`,
 * `NotAction` and conditions are element-wise operations on it.
 */
export class ActionIndex {
  readonly actions: readonly CatalogAction[];
  readonly catalog: CatalogData;
  private readonly services: readonly ServiceSlice[];
  private readonly byPrefix: ReadonlyMap<string, ServiceSlice>;

  constructor(catalog: CatalogData = loadCatalogData()) {
    this.catalog = catalog;
    const actions: CatalogAction[] = [];
    const services: ServiceSlice[] = [];
    for (const service of catalog.services.values()) {
      const start = actions.length;
      const names: string[] = [];
      const byName = new Map<string, number>();
      for (const [lower, action] of service.actions) {
        byName.set(lower, actions.length);
        names.push(lower);
        actions.push(action);
      }
      services.push({ prefix: service.prefix, start, names, byName });
    }
    this.actions = actions;
    this.services = services;
    this.byPrefix = new Map(services.map((s) => [s.prefix, s]));
  }

  get size(): number {
    return this.actions.length;
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
        target.fill(value, slice.start, slice.start + slice.names.length);
        count += slice.names.length;
      } else if (typeof actionMatcher === 'object') {
        const index = slice.byName.get(actionMatcher.exact);
        if (index !== undefined) {
          target[index] = value;
          count++;
        }
      } else {
        const { names, start } = slice;
        for (let i = 0; i < names.length; i++) {
          if (actionMatcher(names[i] as string)) {
            target[start + i] = value;
            count++;
          }
        }
      }
    }
    return count;
  }
}

let shared: ActionIndex | undefined;

/** The index over the packaged catalog, built once per process. */
export function defaultActionIndex(): ActionIndex {
  shared ??= new ActionIndex();
  return shared;
}
