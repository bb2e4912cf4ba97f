import type { ComplianceConfiguration } from '../manager/config.js';
import { UsageError } from './errors.js';
import { printErr } from './output.js';

/**
 * The effective configuration for a command: the file (`--config` or
 * inventag.config.yaml in the working directory), INVENTAG_* variables, then
 * the command's flags. Unknown keys are warned about on stderr; an invalid
 * value is bad usage (exit 2) with the field named.
 */
export async function configFromFlags(
  file: string | undefined,
  flags: Partial<Record<keyof ComplianceConfiguration, unknown>> = {},
): Promise<ComplianceConfiguration> {
  const { loadConfiguration, ConfigError } = await import('../manager/config.js');
  try {
    const loaded = loadConfiguration({ ...(file ? { file } : {}), flags });
    for (const w of loaded.warnings) printErr(`inventag: warning: ${w}`);
    return loaded.config;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
