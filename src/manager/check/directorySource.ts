import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LocalTrailStore } from '../../cloudtrail/LocalTrailStore.js';
import { analyzePolicies } from '../../policy/analysis/PolicyAnalyzer.js';
import { ComplianceManager } from '../ComplianceManager.js';
import { permissionsEvidence } from '../evidence/permissionsEvidence.js';
import { startEvidenceAudit } from './evidenceAudit.js';
import { EVIDENCE_LAYOUT, EvidenceError } from './EvidenceError.js';
import { identityFromCallerIdentity, policyDocumentsIn, readJson, scanTrail } from './evidenceFiles.js';
import type { CheckRunOptions, EvidenceAuditRead, GatheredEvidence } from './types.js';

/**
 * Evidence exported from an account (or the bundled demo), laid out as EVIDENCE_LAYOUT says. Reads only. The
 * audit trail's read (`audit`, started by {@link startEvidenceAudit}) may still be running on a worker thread
 * (`gathered.audit` is then pending); its errors still come first, as when it is read before anything else.
 */
export async function gatherFromDirectory(
  dir: string,
  options: CheckRunOptions,
  audit: EvidenceAuditRead | undefined = startEvidenceAudit(dir, options),
): Promise<GatheredEvidence> {
  // (A directory that is not there holds no trail either: the audit read never started.)
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new EvidenceError(
      `evidence directory ${dir} not found (expected ${Object.values(EVIDENCE_LAYOUT).join(', ')} inside it)`,
    );
  try {
    // The evidence store is read, never written: this run's own trail stays in the data directory.
    const manager = new ComplianceManager(options.config, {
      audit: false,
      loggers: false,
      subject: { mode: 'demo' },
      observer: true,
    });
    const gathered: GatheredEvidence = { mode: 'demo', manager, identity: undefined, permissions: undefined };
    if (audit) {
      gathered.audit = audit.result;
      gathered.auditIdle = audit.idle;
    }
    readTheRest(dir, options, gathered);
    return gathered;
  } catch (err) {
    audit?.idle();
    await audit?.result;
    throw err;
  }
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
