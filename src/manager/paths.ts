import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own directory (where examples/ and policies/ ship). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('inventag: cannot find the package root');
    dir = parent;
  }
  return dir;
}

/** The bundled demo evidence: trail files, policies, identity and a recorded audit store. */
export const demoEvidenceDir = (): string => join(packageRoot(), 'examples', 'demo');

/** Where `inventag check` keeps its last JSON report, for `status`, the dashboard and metrics. */
export const lastReportPath = (dataDirectory: string): string => join(dataDirectory, 'last-report.json');
