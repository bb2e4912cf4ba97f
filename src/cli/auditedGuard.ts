import type { GuardOptions } from '../guard/options.js';
import { configFromFlags } from './config.js';
import { UsageError } from './errors.js';

/**
 * Runs `work` with guard options that record every AWS call the command makes
 * in the configured audit store, decided under the configured standard and
 * overrides: InvenTag's own calls are on record like any other automation's.
 */
export async function withAuditedGuard<T>(
  configFile: string | undefined,
  work: (guard: GuardOptions) => Promise<T>,
): Promise<T> {
  const config = await configFromFlags(configFile);
  const { openAuditStore, isAuditStoreTrustError } = await import('../manager/openAuditStore.js');
  const { newToolSessionId } = await import('../manager/session/toolSession.js');
  const { VerdictEngine } = await import('../policy/VerdictEngine.js');
  let store: ReturnType<typeof openAuditStore>;
  try {
    // InvenTag's own calls: on record under a tool session, never scored as the automation's.
    store = openAuditStore(config, { sessionId: newToolSessionId() });
  } catch (err) {
    if (isAuditStoreTrustError(err)) throw err;
    throw new UsageError(`cannot open the audit store: ${(err as Error).message}`, { cause: err });
  }
  try {
    const verdicts = new VerdictEngine({
      standard: config.complianceStandard,
      overrides: config.overrides,
      ...(config.custom ? { custom: config.custom } : {}),
    });
    return await work({ verdicts, audit: store });
  } finally {
    await store.close();
  }
}
