/**
 * A lock file for a consumer app that installs the packed tarball: the tarball itself plus exactly the versions of
 * its dependencies (and of its required peer dependencies) that this repository's package-lock.json pins. With it,
 * `npm install <tgz>` resolves nothing anew: every package comes from the npm cache `npm ci` filled, and the
 * consumer is tested against the same dependency versions as the rest of the suite.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}
interface Manifest {
  name: string;
  version: string;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** Node's lookup over the lock's paths: the nearest node_modules/<name> from `from` up to the root. */
function lookup(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return undefined;
    const i = base.lastIndexOf('/node_modules/');
    base = i === -1 ? '' : base.slice(0, i);
  }
}

/** Writes package.json and package-lock.json of a consumer app depending on `tarball` (a file name in `appDir`). */
export function writeConsumerApp(root: string, appDir: string, tarball: string, integrity: string): number {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const picked: Record<string, LockEntry> = {};
  const walk = (from: string, deps: Record<string, string>, optional: Record<string, string> = {}): void => {
    for (const name of Object.keys(deps)) {
      const at = lookup(lock.packages, from, name);
      if (!at) {
        if (name in optional) continue;
        throw new Error(`${name} (needed by ${from || pkg.name}) is not in package-lock.json`);
      }
      if (picked[at]) continue;
      // Dev flags describe this repository's tree, not the consumer's: npm recomputes them.
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[at]!;
      picked[at] = entry;
      walk(at, { ...entry.dependencies, ...entry.optionalDependencies }, entry.optionalDependencies);
    }
  };
  const requiredPeers = Object.fromEntries(
    Object.entries(pkg.peerDependencies ?? {}).filter(([name]) => !pkg.peerDependenciesMeta?.[name]?.optional),
  );
  walk('', { ...pkg.dependencies, ...requiredPeers });
  const spec = `file:${tarball}`;
  const app = { name: 'consumer-app', version: '9.9.9', private: true, dependencies: { [pkg.name]: spec } };
  writeFileSync(join(appDir, 'package.json'), JSON.stringify(app, null, 2));
  writeFileSync(
    join(appDir, 'package-lock.json'),
    JSON.stringify(
      {
        name: app.name,
        version: app.version,
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: app.name, version: app.version, dependencies: app.dependencies },
          [`node_modules/${pkg.name}`]: {
            version: pkg.version,
            resolved: spec,
            integrity,
            license: pkg.license,
            dependencies: pkg.dependencies,
            peerDependencies: pkg.peerDependencies,
            peerDependenciesMeta: pkg.peerDependenciesMeta,
            bin: pkg.bin,
            engines: pkg.engines,
          },
          ...picked,
        },
      },
      null,
      2,
    ),
  );
  return Object.keys(picked).length;
}
