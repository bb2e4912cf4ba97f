import { join } from 'node:path';
import { type AttemptsRead, startAttemptsRead } from '../../audit/attemptsThread.js';
import { AUDIT_KEY_ENV } from '../../audit/defaults.js';
import { EVIDENCE_LAYOUT } from './EvidenceError.js';

/**
 * Starts a worker's read of an evidence directory's audit trail before the configuration is loaded, so the
 * longest part of `check --evidence` on a large trail starts with the command rather than after its
 * start-up. Until the configuration is known the key can only be the one in the environment; the store opened
 * later takes this read only when it opens the same file with the same key (a key from `auditKeyFile`, or a
 * read-only directory's private copy, start their own), and cancels it otherwise. Undefined for a small or
 * missing trail, which is read as before.
 */
export function startEarlyEvidenceAudit(dir: string, env: NodeJS.ProcessEnv = process.env): AttemptsRead | undefined {
  const key = env[AUDIT_KEY_ENV];
  return startAttemptsRead(join(dir, EVIDENCE_LAYOUT.audit), key ? Buffer.from(key) : undefined);
}
