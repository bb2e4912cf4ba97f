import { join, resolve } from 'node:path';
import { type AttemptsRead, startAttemptsRead } from '../../audit/attemptsThread.js';
import { auditKeyFromEnv } from '../../audit/defaults.js';
import { EVIDENCE_LAYOUT } from './EvidenceError.js';

/**
 * Where a read begun by the bin waits for the command: on the process, because the bin's bundled copy of this
 * module and the command's copy loaded from dist/ are two modules.
 */
const SLOT = Symbol.for('inventag.earlyEvidenceAudit');
type Slot = { dir: string; read: AttemptsRead | undefined };
const slots = globalThis as unknown as Record<typeof SLOT, Slot | undefined>;

function begin(dir: string, env: NodeJS.ProcessEnv): AttemptsRead | undefined {
  // The key as the configuration's store will read it, when the configuration names no `auditKeyFile`.
  const key = auditKeyFromEnv(env);
  return startAttemptsRead(join(dir, EVIDENCE_LAYOUT.audit), key === undefined ? undefined : Buffer.from(key));
}

/**
 * Called by the bin as soon as it sees `inventag check --evidence DIR`, before it loads the command's modules:
 * begins the read {@link startEarlyEvidenceAudit} would, for the command to take. A read nobody takes does not
 * keep the process alive (a usage error, `--help`).
 */
export function prestartEvidenceAudit(dir: string, env: NodeJS.ProcessEnv = process.env): void {
  slots[SLOT]?.read?.cancel();
  slots[SLOT] = { dir: resolve(dir), read: begin(dir, env) };
}

/**
 * Starts a worker's read of an evidence directory's audit trail before the configuration is loaded (or takes
 * the one the bin began for this directory), so the longest part of `check --evidence` on a large trail runs
 * beside the command's start-up rather than after it. Until the configuration is known the key can only be
 * the one in the environment; the store opened later takes this read only when it opens the same file with
 * the same key (a key from `auditKeyFile`, or a read-only directory's private copy, start their own), and
 * cancels it otherwise. Undefined for a small or missing trail, which is read as before.
 */
export function startEarlyEvidenceAudit(dir: string, env: NodeJS.ProcessEnv = process.env): AttemptsRead | undefined {
  const slot = slots[SLOT];
  slots[SLOT] = undefined;
  if (slot !== undefined) {
    if (slot.dir === resolve(dir)) return slot.read;
    slot.read?.cancel();
  }
  return begin(dir, env);
}
