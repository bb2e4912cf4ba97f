import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AccountStatusEntry, ComplianceSnapshot, SnapshotSource } from '../../metrics/snapshot.js';
import { SnapshotError } from '../../metrics/errors.js';
import type { OrgReport } from '../../org/types.js';
import type { ComprehensiveComplianceReport } from '../../report/types.js';
import { ComplianceManager } from '../ComplianceManager.js';
import { loadConfiguration } from '../config.js';
import { lastOrgReportPath, lastReportPath } from '../paths.js';
import { runCheck } from '../check/runCheck.js';
import { auditEvidence } from '../evidence/auditEvidence.js';
import { cloudtrailFactsFromSection } from '../evidence/cloudtrailEvidence.js';
import { openAuditStore } from '../openAuditStore.js';
import { isToolSession } from '../session/toolSession.js';

export interface SnapshotSourceOptions {
  config?: string | undefined;
  /** Audit store to follow (default: the configured one). */
  store?: string | undefined;
  /** An evidence directory to assess once (the bundled demo, exported evidence). */
  evidence?: string | undefined;
}

/**
 * A snapshot source for `inventag metrics` and `inventag dashboard`: either
 * an evidence directory assessed once, or the local history, which is the
 * audit store (followed as it grows: new entries are counted on each
 * snapshot) plus the CloudTrail section of the last `inventag check`.
 */
export async function loadSnapshotSource(options: SnapshotSourceOptions): Promise<SnapshotSource> {
  const { config } = loadConfiguration(options.config ? { file: options.config } : {});
  if (options.evidence) {
    const { manager } = await runCheck({ config, evidenceDir: resolve(options.evidence) });
    return manager;
  }
  const storePath = resolve(options.store ?? config.auditStore!);
  const manager = new ComplianceManager(config, { audit: false, loggers: false, observer: true });
  const last = lastReportPath(config.dataDirectory);
  if (existsSync(last)) {
    const report = JSON.parse(readFileSync(last, 'utf8')) as ComprehensiveComplianceReport;
    const section = report.sections.cloudtrail;
    if (section)
      manager.addEvidence({
        key: 'cloudtrail',
        source: 'cloudtrail',
        section,
        findings: [],
        checks: [],
        facts: cloudtrailFactsFromSection(section),
      });
  }
  const accounts = lastOrgAccounts(config.dataDirectory);
  let lastSequence = 0;
  let length = 0;
  let head: string | undefined;
  // The chain is verified whenever its head moved (anchored at the last verified head, so a rewrite of what
  // was already verified is caught too): InvenTagAuditChainVerificationFailed can fire.
  let verification: { head: string | undefined; ok: boolean; checked: number; problem?: string } | undefined;
  let anchor: { sequence: number; hash: string } | undefined;
  let verifiedBefore = 0;
  const follow = (): void => {
    if (!existsSync(storePath)) return;
    const store = openAuditStore(config, { path: storePath, readonly: true });
    try {
      const fresh = [...store.entries({ afterSequence: lastSequence })];
      manager.ingestAuditEntries(fresh.filter((e) => !isToolSession(e.sessionId)));
      for (const e of fresh) lastSequence = Math.max(lastSequence, e.sequence);
      length = store.count();
      const h = store.head();
      head = h ? `${h.sequence}:${h.hash}` : undefined;
      if (verification === undefined || verification.head !== head || !verification.ok) {
        // Incremental: only the entries after the last verified head (which must still be there unchanged); a
        // failure is confirmed by a full walk anchored at that head (a retention cleanup may have pruned it).
        let v = anchor ? store.verifyFrom(anchor).result : store.verify();
        // Entries verified in all: those verified before the resumed head and the ones walked now.
        if (v.ok) v = { ...v, checked: (v.from === undefined ? 0 : verifiedBefore) + v.checked };
        verifiedBefore = v.ok ? v.checked : 0;
        verification = {
          head,
          ok: v.ok,
          checked: v.checked,
          ...(v.firstBad
            ? { problem: `entry ${v.firstBad.sequence} ${v.firstBad.reason}: ${v.firstBad.message}` }
            : {}),
        };
        if (v.ok && v.head) anchor = { sequence: v.head.sequence, hash: v.head.hash };
        // The followed trail is evidence of the assessment, as it is for `check`: a broken chain is CRITICAL.
        manager.addEvidence(auditEvidence(v, storePath, length));
      }
    } finally {
      store.closeSync();
    }
  };
  follow();
  return {
    async getSnapshot(): Promise<ComplianceSnapshot> {
      follow();
      const snapshot = await manager.getSnapshot();
      return {
        ...snapshot,
        ...(accounts ? { accounts } : {}),
        audit: {
          length,
          ...(head ? { head } : {}),
          ...(verification
            ? {
                verified: verification.ok,
                checked: verification.checked,
                ...(verification.problem ? { problem: verification.problem } : {}),
              }
            : {}),
        },
      };
    },
  };
}

/** The accounts of the last `check --org` run (its org report's rows), when there was one. */
function lastOrgAccounts(dataDirectory: string): AccountStatusEntry[] | undefined {
  const path = lastOrgReportPath(dataDirectory);
  if (!existsSync(path)) return undefined;
  let rows: OrgReport['accounts'];
  try {
    const report = JSON.parse(readFileSync(path, 'utf8')) as Partial<OrgReport> | null;
    if (!report || !Array.isArray(report.accounts)) throw new Error('no "accounts" list');
    rows = report.accounts as OrgReport['accounts'];
  } catch (err) {
    throw new SnapshotError(
      `${path} is not an org report of inventag check --org (${(err as Error).message}); run check --org again or remove it`,
      path,
    );
  }
  return rows.map((a) => ({
    accountId: a.accountId,
    verdict: a.verdict,
    complianceScore: a.complianceScore,
    writesFound: a.writesFound,
    findings: { ...a.findings },
  }));
}
