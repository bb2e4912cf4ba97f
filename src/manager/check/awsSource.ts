import { awsClientConfig, awsOptionsFromConfig, createAwsClient } from '../../aws/clientConfig.js';
import { LocalTrailStore } from '../../cloudtrail/LocalTrailStore.js';
import { LookupEventsReader } from '../../cloudtrail/LookupEventsReader.js';
import { S3TrailStore } from '../../cloudtrail/S3TrailStore.js';
import { parseTrailLocation, type TrailLocation } from '../../cloudtrail/trailStore.js';
import { listPublicKeys } from '../../cloudtrail/PublicKeyRing.js';
import { validationStatesOf, type TrailIntegrityOptions } from '../../cloudtrail/trailIntegrity.js';
import type { AwsClientOptions } from '../../aws/clientConfig.js';
import { guardClient } from '../../guard/plugin.js';
import { analyzePolicies } from '../../policy/analysis/PolicyAnalyzer.js';
import { ComplianceManager } from '../ComplianceManager.js';
import { permissionsEvidence } from '../evidence/permissionsEvidence.js';
import { newToolSessionId } from '../session/toolSession.js';
import { EvidenceError } from './EvidenceError.js';
import { policyDocumentsIn, scanTrail } from './evidenceFiles.js';
import type { CheckRunOptions, GatheredEvidence } from './types.js';

/**
 * Evidence from AWS itself. InvenTag's own calls run under the read-only guard and are recorded in the
 * configured audit trail under a tool session: reported as the tool's own, never scored as the automation's.
 */
export async function gatherFromAws(options: CheckRunOptions): Promise<GatheredEvidence> {
  const { config } = options;
  const progress = options.onProgress ?? (() => undefined);
  const session = options.session;
  const manager = new ComplianceManager(config, {
    subject: { mode: 'aws' },
    sessionId: newToolSessionId(),
    ...(session ? { audit: session.auditStore, identity: session.identity, loggers: session.loggers } : {}),
  });
  const guard = { ...manager.toolGuard(), ...(session ? { identity: session.identity } : {}) };
  const wrap = <C extends { middlewareStack: { use(plugin: never): void } }>(client: C): C =>
    guardClient(client as never, guard);
  const region = config.aws.regions[0];
  // A profile with role_arn assumes its role through the sanctioned provider, never the SDK's own STS client.
  const ownAudit = manager.auditStore();
  const { baseCredentialsFor } = await import('../../sessions/profileCredentials.js');
  const credentials = session?.credentials ?? (await baseCredentialsFor(config, ownAudit ? { audit: ownAudit } : {}));
  const access = awsOptionsFromConfig(config.aws, credentials);
  const { gatherPermissionEvidence } = await import('../../identity/gatherPermissionEvidence.js');
  progress('asking STS who we are and probing read permissions');
  const evidence = await gatherPermissionEvidence({
    ...access,
    guard,
    ...(config.probes ? { probes: config.probes } : {}),
    ...(session?.analyzer ? { analyzer: session.analyzer } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  // Live policies win; configured policy files stand in when they cannot be collected.
  const analysis =
    evidence.analysis ??
    (config.policyFiles.length ? analyzePolicies(policyDocumentsIn(config.policyFiles)) : undefined);
  const gathered: GatheredEvidence = {
    mode: 'aws',
    manager,
    identity: evidence.identity ?? undefined,
    permissions: permissionsEvidence(
      analysis,
      evidence.probes,
      evidence.collectionError ? { collectionError: evidence.collectionError } : {},
    ),
    regions: config.aws.regions,
  };

  const store = manager.auditStore();
  if (store) {
    progress(`verifying the audit trail ${config.auditStore}`);
    const verify = store.verify();
    const since = new Date(Date.now() - config.cloudtrail.lookbackHours * 3_600_000);
    let entries = [...store.attempts({ since })];
    // In one account of an organization: only that account's calls.
    if (session) entries = entries.filter((e) => session.owns(e));
    gathered.audit = { path: config.auditStore!, verify, entries, stored: store.count(), anchorsReport: false };
  }

  gathered.cloudtrail = async (analyzer, _principal, window) => {
    const end = window?.end ?? new Date();
    const start = window?.start ?? new Date(end.getTime() - config.cloudtrail.lookbackHours * 3_600_000);
    if (config.cloudtrail.trailSource) {
      const location = parseTrailLocation(config.cloudtrail.trailSource);
      if (typeof location === 'string') throw new EvidenceError(`cloudtrail.trailSource: ${location}`);
      const { S3Client } = await import('@aws-sdk/client-s3');
      const trailStore =
        location.kind === 'local'
          ? new LocalTrailStore(location.path)
          : new S3TrailStore(location.bucket, location.prefix, {
              client: wrap(
                createAwsClient(S3Client, access, {
                  followRegionRedirects: true,
                  ...(config.aws.endpoint ? { forcePathStyle: true } : {}),
                }),
              ),
            });
      return scanTrail(
        trailStore,
        analyzer,
        { start, end },
        trailIntegritySources(location, access, wrap, options),
        options.onProgress,
      );
    }
    const regions = config.aws.regions.length ? config.aws.regions : [region ?? process.env.AWS_REGION ?? 'us-east-1'];
    const label = `reading CloudTrail LookupEvents in ${regions.join(', ')} (${config.cloudtrail.requestsPerSecond} requests/s per region)`;
    progress(label);
    const reader = new LookupEventsReader({
      regions,
      ratePerSecond: config.cloudtrail.requestsPerSecond,
      clientConfig: awsClientConfig(access),
      prepareClient: (client) => wrap(client),
      onProgress: (p) =>
        progress(label, {
          done: p.pages,
          unit: 'pages',
          fraction: p.fractionDone,
          ...(p.etaMs !== undefined ? { etaMs: p.etaMs } : {}),
        }),
    });
    const result = await reader.read(start, end);
    for (const e of result.events) analyzer.add(e);
    return {
      source: `LookupEvents (${regions.join(', ')})`,
      window: { start, end },
      eventsRead: result.events.length,
      pages: result.pages,
    };
  };
  return gathered;
}

/**
 * Where `check` gets what log file validation needs, through the read-only guard: CloudTrail's public keys
 * (`--public-keys` offline, else `cloudtrail:ListPublicKeys` in each trail's home region) and, when no digest is
 * found, whether validation is on (`cloudtrail:DescribeTrails`).
 */
function trailIntegritySources(
  location: TrailLocation,
  access: AwsClientOptions,
  wrap: <C extends { middlewareStack: { use(plugin: never): void } }>(client: C) => C,
  options: CheckRunOptions,
): Pick<TrailIntegrityOptions, 'publicKeys' | 'validation'> {
  const cloudtrail = async <T>(
    region: string | undefined,
    use: (client: import('@aws-sdk/client-cloudtrail').CloudTrailClient) => Promise<T>,
  ): Promise<T> => {
    const { CloudTrailClient } = await import('@aws-sdk/client-cloudtrail');
    const client = wrap(createAwsClient(CloudTrailClient, { ...access, ...(region ? { region } : {}) }));
    try {
      return await use(client);
    } finally {
      client.destroy();
    }
  };
  return {
    publicKeys:
      options.publicKeys ?? ((homeRegion, start, end) => cloudtrail(homeRegion, (c) => listPublicKeys(c, start, end))),
    ...(location.kind === 's3'
      ? {
          validation: async () => {
            try {
              const { DescribeTrailsCommand } = await import('@aws-sdk/client-cloudtrail');
              const answer = await cloudtrail(undefined, (c) =>
                c.send(new DescribeTrailsCommand({ includeShadowTrails: true })),
              );
              return validationStatesOf(answer.trailList ?? [], location.bucket, location.prefix);
            } catch (err) {
              return `cloudtrail:DescribeTrails failed: ${(err as Error).message}`;
            }
          },
        }
      : {}),
  };
}
