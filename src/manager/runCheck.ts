import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AuditStore } from '../audit/AuditStore.js';
import { awsClientConfig, createAwsClient } from '../aws/clientConfig.js';
import type { AuditEntry } from '../audit/types.js';
import type { CloudTrailEvent } from '../cloudtrail/CloudTrailEvent.js';
import { LocalTrailStore } from '../cloudtrail/LocalTrailStore.js';
import { LookupEventsReader } from '../cloudtrail/LookupEventsReader.js';
import { PrincipalAnalyzer, type AuditRecordRef } from '../cloudtrail/PrincipalAnalyzer.js';
import { S3TrailStore } from '../cloudtrail/S3TrailStore.js';
import { TrailFileReader } from '../cloudtrail/TrailFileReader.js';
import { parseTrailLocation, type TrailStore } from '../cloudtrail/trailStore.js';
import { identityFindings } from '../identity/identityFindings.js';
import { credentialKindOf, parsePrincipalArn } from '../identity/parsePrincipalArn.js';
import type { CallerIdentity } from '../identity/types.js';
import { analyzePolicies } from '../policy/analysis/PolicyAnalyzer.js';
import { parsePolicyText } from '../policy/analysis/parsePolicy.js';
import type { PolicyDocument } from '../policy/analysis/types.js';
import type { ComprehensiveComplianceReport } from '../report/types.js';
import type { AccountSession } from '../sessions/AccountSession.js';
import { ComplianceManager } from './ComplianceManager.js';
import {
  auditEvidence,
  cloudtrailEvidence,
  identityEvidence,
  permissionsEvidence,
  trailScanFacts,
  type CloudtrailScanFacts,
} from './collect.js';
import type { ComplianceConfiguration } from './config.js';

/** Evidence given as files (the bundled demo, or evidence exported from an account), laid out as in examples/demo/. */
export const EVIDENCE_LAYOUT = {
  identity: 'identity.json',
  policies: 'policies',
  cloudtrail: 'cloudtrail',
  audit: 'audit.db',
} as const;

/** Evidence could not be read; the message names the file and what was expected. */
export class EvidenceError extends Error {
  readonly isEvidenceError = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EvidenceError';
  }
}

export interface CheckRunOptions {
  config: ComplianceConfiguration;
  /** Read evidence from this directory instead of AWS (see EVIDENCE_LAYOUT). */
  evidenceDir?: string;
  /** Override the configured minimum compliance score. */
  minScore?: number;
  /** CloudTrail window; default: the last `cloudtrail.lookbackHours` (AWS), every file (evidence directory). */
  window?: { start: Date; end: Date };
  /** Progress lines for a human (stderr). */
  onProgress?: (line: string) => void;
  /** Run in one account through a sanctioned session (`check --org`): its credentials, its audit attribution. */
  session?: AccountSession;
}

export interface CheckRunResult {
  manager: ComplianceManager;
  report: ComprehensiveComplianceReport;
  identity: CallerIdentity | undefined;
}

function identityFromCallerIdentity(
  data: { Arn?: string; UserId?: string; Account?: string; AccessKeyId?: string },
  source: string,
): CallerIdentity {
  if (typeof data.Arn !== 'string')
    throw new EvidenceError(`${source}: expected a GetCallerIdentity response with an "Arn" string`);
  const parsed = parsePrincipalArn(data.Arn);
  const credentialKind = credentialKindOf(data.AccessKeyId, parsed.type);
  return {
    ...parsed,
    arn: data.Arn,
    userId: data.UserId ?? '',
    accessKeyId: undefined,
    credentialKind,
    findings: identityFindings(parsed, credentialKind),
  };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EvidenceError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (err as Error).message}`,
      { cause: err },
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new EvidenceError(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

function policyDocumentsIn(paths: readonly string[]): PolicyDocument[] {
  const docs: PolicyDocument[] = [];
  for (const path of paths) {
    let files: string[];
    try {
      files = statSync(path).isDirectory()
        ? readdirSync(path)
            .filter((f) => f.endsWith('.json'))
            .sort()
            .map((f) => join(path, f))
        : [path];
    } catch (err) {
      throw new EvidenceError(
        `cannot read policy location ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message}`,
        { cause: err },
      );
    }
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new EvidenceError(`cannot read policy file ${file}: ${(err as Error).message}`, { cause: err });
      }
      docs.push(parsePolicyText(text, file));
    }
  }
  return docs;
}

async function scanTrail(
  store: TrailStore,
  analyzer: PrincipalAnalyzer,
  window: { start?: Date; end?: Date },
): Promise<CloudtrailScanFacts> {
  const reader = new TrailFileReader(store, {
    ...(window.start ? { start: window.start } : {}),
    ...(window.end ? { end: window.end } : {}),
  });
  let first: Date | undefined;
  let last: Date | undefined;
  const summary = await reader.scan((event: CloudTrailEvent) => {
    analyzer.add(event);
    if (!first || event.eventTime < first) first = event.eventTime;
    if (!last || event.eventTime > last) last = event.eventTime;
  });
  return trailScanFacts(summary, {
    start: window.start ?? first ?? new Date(0),
    end: window.end ?? last ?? new Date(),
  });
}

const auditRefs = (entries: readonly AuditEntry[]): AuditRecordRef[] =>
  entries
    .filter((e) => e.kind === 'attempt' && e.service && e.operation)
    .map((e) => ({
      timestamp: e.timestamp,
      service: e.service!,
      operation: e.operation!,
      iamAction: e.iamAction,
      decision: e.decision,
    }));

/**
 * The whole assessment behind `inventag check`: identity, permission probes
 * and policy analysis, CloudTrail for the principal, the audit trail's
 * integrity and its operations; then the report.
 */
export async function runCheck(options: CheckRunOptions): Promise<CheckRunResult> {
  const { config } = options;
  const progress = options.onProgress ?? (() => undefined);
  const dir = options.evidenceDir;
  let identity: CallerIdentity | undefined;
  let entries: AuditEntry[] = [];

  if (dir) {
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new EvidenceError(
        `evidence directory ${dir} not found (expected ${Object.values(EVIDENCE_LAYOUT).join(', ')} inside it)`,
      );
    // The evidence store is read, never written: this run's own trail stays in the data directory.
    const manager = new ComplianceManager(config, { audit: false, loggers: false, subject: { mode: 'demo' } });
    const auditPath = join(dir, EVIDENCE_LAYOUT.audit);
    if (existsSync(auditPath)) {
      progress(`verifying the audit trail ${auditPath}`);
      const store = AuditStore.open({ path: auditPath, readonly: true });
      try {
        const verify = store.verify();
        entries = [...store.entries()];
        manager.addEvidence(auditEvidence(verify, auditPath));
        manager.setEvidenceChainHead(verify.head);
        manager.ingestAuditEntries(entries);
      } finally {
        store.closeSync();
      }
    }
    const identityPath = join(dir, EVIDENCE_LAYOUT.identity);
    if (existsSync(identityPath)) {
      identity = identityFromCallerIdentity(readJson(identityPath) as Record<string, string>, identityPath);
      manager.addEvidence(identityEvidence(identity));
      manager.setIdentity({
        arn: identity.arn,
        ...(identity.account ? { account: identity.account } : {}),
        type: identity.type,
      });
    }
    const policyDir = join(dir, EVIDENCE_LAYOUT.policies);
    const policyPaths = [...(existsSync(policyDir) ? [policyDir] : []), ...config.policyFiles];
    if (policyPaths.length) {
      progress(`analysing policies in ${policyPaths.join(', ')}`);
      manager.addEvidence(permissionsEvidence(analyzePolicies(policyDocumentsIn(policyPaths))));
    }
    const trailDir = join(dir, EVIDENCE_LAYOUT.cloudtrail);
    const principal = config.cloudtrail.principal ?? identity?.arn;
    if (existsSync(trailDir) && principal && config.enableCloudtrailIntegration) {
      progress(`scanning CloudTrail files in ${trailDir} for ${principal}`);
      const analyzer = new PrincipalAnalyzer(principal, { keepEventsForCorrelation: true });
      const facts = await scanTrail(new LocalTrailStore(trailDir), analyzer, options.window ?? {});
      manager.addEvidence(cloudtrailEvidence(analyzer.result({ audit: auditRefs(entries) }), facts));
      manager.setSubject({
        mode: 'demo',
        ...(identity?.account ? { account: identity.account } : {}),
        principal,
        window: { start: facts.window.start.toISOString(), end: facts.window.end.toISOString() },
      });
    }
    return {
      manager,
      report: manager.generateComprehensiveComplianceReport(
        options.minScore === undefined ? {} : { minComplianceScore: options.minScore },
      ),
      identity,
    };
  }

  // Against AWS: every call below goes through this manager's guard.
  const session = options.session;
  const manager = new ComplianceManager(config, {
    subject: { mode: 'aws' },
    ...(session ? { audit: session.auditStore, identity: session.identity, loggers: session.loggers } : {}),
  });
  // InvenTag's own AWS calls are guarded and audited like any other automation's.
  const ownAudit = manager.auditStore();
  const guard = {
    verdicts: manager.verdicts,
    monitor: manager.operationMonitor,
    ...(ownAudit ? { audit: ownAudit } : {}),
    ...(session ? { identity: session.identity } : {}),
  };
  const region = config.aws.regions[0];
  // A profile with role_arn assumes its role through the sanctioned provider, never the SDK's own STS client.
  const { baseCredentialsFor } = await import('../sessions/profileCredentials.js');
  const credentials = session?.credentials ?? (await baseCredentialsFor(config, ownAudit ? { audit: ownAudit } : {}));
  const access = {
    ...(config.aws.profile && !credentials ? { profile: config.aws.profile } : {}),
    ...(region ? { region } : {}),
    ...(config.aws.endpoint ? { endpoint: config.aws.endpoint } : {}),
    ...(config.aws.timeoutSeconds ? { timeoutSeconds: config.aws.timeoutSeconds } : {}),
    ...(config.aws.connectTimeoutSeconds ? { connectTimeoutSeconds: config.aws.connectTimeoutSeconds } : {}),
    ...(credentials ? { credentials } : {}),
  };
  const { gatherPermissionEvidence } = await import('../identity/gatherPermissionEvidence.js');
  progress('asking STS who we are, probing read permissions, collecting identity policies');
  const evidence = await gatherPermissionEvidence({
    ...access,
    guard,
    ...(config.probes ? { probes: config.probes } : {}),
    ...(session?.analyzer ? { analyzer: session.analyzer } : {}),
  });
  identity = evidence.identity ?? undefined;
  if (identity) {
    manager.addEvidence(identityEvidence(identity));
    manager.setIdentity({
      arn: identity.arn,
      ...(identity.account ? { account: identity.account } : {}),
      type: identity.type,
    });
  }
  // Live policies win; configured policy files stand in when they cannot be collected.
  const analysis =
    evidence.analysis ??
    (config.policyFiles.length ? analyzePolicies(policyDocumentsIn(config.policyFiles)) : undefined);
  manager.addEvidence(
    permissionsEvidence(
      analysis,
      evidence.probes,
      evidence.collectionError ? { collectionError: evidence.collectionError } : {},
    ),
  );

  const store = ownAudit;
  if (store) {
    progress(`verifying the audit trail ${config.auditStore}`);
    manager.addEvidence(auditEvidence(store.verify(), config.auditStore!));
    entries = [...store.entries({ since: new Date(Date.now() - config.cloudtrail.lookbackHours * 3_600_000) })];
    if (session) entries = entries.filter((e) => session.owns(e));
    manager.ingestAuditEntries(entries.filter((e) => e.sessionId !== store.sessionId));
  }

  const principal = config.cloudtrail.principal ?? identity?.arn;
  if (config.enableCloudtrailIntegration && principal) {
    const end = options.window?.end ?? new Date();
    const start = options.window?.start ?? new Date(end.getTime() - config.cloudtrail.lookbackHours * 3_600_000);
    const analyzer = new PrincipalAnalyzer(principal, {
      keepEventsForCorrelation: true,
      ...(session ? { sessionRoles: session.sanctioned } : {}),
    });
    let facts: CloudtrailScanFacts;
    if (config.cloudtrail.trailSource) {
      const location = parseTrailLocation(config.cloudtrail.trailSource);
      if (typeof location === 'string') throw new EvidenceError(`cloudtrail.trailSource: ${location}`);
      progress(`scanning CloudTrail files in ${config.cloudtrail.trailSource}`);
      const { S3Client } = await import('@aws-sdk/client-s3');
      const trailStore =
        location.kind === 'local'
          ? new LocalTrailStore(location.path)
          : new S3TrailStore(location.bucket, location.prefix, {
              client: manager.guard(
                createAwsClient(S3Client, access, {
                  followRegionRedirects: true,
                  ...(config.aws.endpoint ? { forcePathStyle: true } : {}),
                }),
              ),
            });
      facts = await scanTrail(trailStore, analyzer, { start, end });
    } else {
      const regions = config.aws.regions.length
        ? config.aws.regions
        : [region ?? process.env.AWS_REGION ?? 'us-east-1'];
      progress(`reading CloudTrail LookupEvents in ${regions.join(', ')} (2 requests/s per region)`);
      const reader = new LookupEventsReader({
        regions,
        ratePerSecond: config.cloudtrail.requestsPerSecond,
        clientConfig: awsClientConfig(access),
        prepareClient: (client) => manager.guard(client),
      });
      const result = await reader.read(start, end);
      for (const e of result.events) analyzer.add(e);
      facts = {
        source: `LookupEvents (${regions.join(', ')})`,
        window: { start, end },
        eventsRead: result.events.length,
        pages: result.pages,
      };
    }
    manager.addEvidence(cloudtrailEvidence(analyzer.result({ audit: auditRefs(entries) }), facts));
    manager.setSubject({
      mode: 'aws',
      ...(identity?.account ? { account: identity.account } : {}),
      principal,
      regions: config.aws.regions,
      window: { start: start.toISOString(), end: end.toISOString() },
    });
  }
  return {
    manager,
    report: manager.generateComprehensiveComplianceReport(
      options.minScore === undefined ? {} : { minComplianceScore: options.minScore },
    ),
    identity,
  };
}
