import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LocalTrailStore } from '../../cloudtrail/LocalTrailStore.js';
import { analyzePolicies } from '../../policy/analysis/PolicyAnalyzer.js';
import { ComplianceManager } from '../ComplianceManager.js';
import { permissionsEvidence } from '../evidence/permissionsEvidence.js';
import { openAuditStore } from '../openAuditStore.js';
import { EVIDENCE_LAYOUT, EvidenceError } from './EvidenceError.js';
import { identityFromCallerIdentity, policyDocumentsIn, readJson, scanTrail } from './evidenceFiles.js';
import type { CheckRunOptions, GatheredEvidence } from './types.js';

/**
 * Evidence exported from an account (or the bundled demo), laid out as EVIDENCE_LAYOUT says. Reads only. A
 * large audit trail is verified and read on a worker thread meanwhile (`gathered.audit` is then pending); its
 * errors still come first, as when it is read before anything else.
 */
export async function gatherFromDirectory(dir: string, options: CheckRunOptions): Promise<GatheredEvidence> {
  const { config } = options;
  const progress = options.onProgress ?? (() => undefined);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new EvidenceError(
      `evidence directory ${dir} not found (expected ${Object.values(EVIDENCE_LAYOUT).join(', ')} inside it)`,
    );
  // The evidence store is read, never written: this run's own trail stays in the data directory.
  const manager = new ComplianceManager(config, {
    audit: false,
    loggers: false,
    subject: { mode: 'demo' },
    observer: true,
  });
  const gathered: GatheredEvidence = { mode: 'demo', manager, identity: undefined, permissions: undefined };

  const auditPath = join(dir, EVIDENCE_LAYOUT.audit);
  if (existsSync(auditPath)) {
    progress(`verifying the audit trail ${auditPath}`);
    const store = openAuditStore(config, { path: auditPath, readonly: true });
    const reading = store
      .verifyWithAttemptsAsync()
      .then(({ verify, attempts, stored }) => ({
        path: auditPath,
        verify,
        entries: attempts,
        stored,
        anchorsReport: true,
      }))
      .finally(() => store.closeSync());
    // Awaited later (by finishCheck, or below when other evidence fails first): never an unhandled rejection.
    reading.catch(() => undefined);
    gathered.audit = reading;
  }
  try {
    readTheRest(dir, options, gathered);
  } catch (err) {
    await gathered.audit;
    throw err;
  }
  return gathered;
}

/** Identity, policies and (to be read later) the CloudTrail files of the evidence directory. */
function readTheRest(dir: string, options: CheckRunOptions, gathered: GatheredEvidence): void {
  const { config } = options;
  const progress = options.onProgress ?? (() => undefined);
  const identityPath = join(dir, EVIDENCE_LAYOUT.identity);
  if (existsSync(identityPath))
    gathered.identity = identityFromCallerIdentity(readJson(identityPath) as Record<string, string>, identityPath);
  const policyDir = join(dir, EVIDENCE_LAYOUT.policies);
  const policyPaths = [...(existsSync(policyDir) ? [policyDir] : []), ...config.policyFiles];
  if (policyPaths.length) {
    progress(`analysing policies in ${policyPaths.join(', ')}`);
    gathered.permissions = permissionsEvidence(analyzePolicies(policyDocumentsIn(policyPaths)));
  }
  const trailDir = join(dir, EVIDENCE_LAYOUT.cloudtrail);
  if (existsSync(trailDir))
    gathered.cloudtrail = (analyzer) =>
      scanTrail(
        new LocalTrailStore(trailDir),
        analyzer,
        options.window ?? {},
        { publicKeys: options.publicKeys },
        options.onProgress,
      );
}
