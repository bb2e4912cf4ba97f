import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eachAttempt } from '../../audit/attemptColumns.js';
import { openAuditStore } from '../openAuditStore.js';
import { EVIDENCE_LAYOUT } from './EvidenceError.js';
import type { CheckRunOptions, EvidenceAuditRead } from './types.js';

/**
 * Starts reading an evidence directory's audit trail: its verification, its attempts and its size, in one
 * pass, on a worker thread when the trail is large, so the caller reads the rest of the evidence meanwhile.
 * Undefined when the directory holds no trail. The store is opened here, so an error opening it is thrown at
 * once; an error reading it rejects the promise, which nothing leaves unhandled. A read already started
 * (`options.auditRead`) is taken when it read this store's file with its key, and cancelled otherwise. Once the
 * caller says it is `idle`, this thread walks the newest part of a trail the worker is still reading.
 */
export function startEvidenceAudit(dir: string, options: CheckRunOptions): EvidenceAuditRead | undefined {
  const path = join(dir, EVIDENCE_LAYOUT.audit);
  if (!existsSync(path)) return undefined;
  options.onProgress?.(`verifying the audit trail ${path}`);
  // The evidence store is read, never written: this run's own trail stays in the data directory.
  let store;
  try {
    store = openAuditStore(options.config, { path, readonly: true });
  } catch (err) {
    options.auditRead?.cancel();
    throw err;
  }
  let idle = (): void => undefined;
  const help = new Promise<void>((done) => {
    idle = done;
  });
  const reading = store
    .verifyWithAttemptColumnsAsync(options.auditRead, { help })
    .then(({ verify, columns, stored }) => ({
      path,
      verify,
      // Built as they are read (twice at most), never all kept at once.
      entries: eachAttempt(columns),
      stored,
      anchorsReport: true,
    }))
    .finally(() => store.closeSync());
  reading.catch(() => undefined);
  return { result: reading, idle };
}
