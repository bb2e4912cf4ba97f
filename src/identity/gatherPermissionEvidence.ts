import { PolicyAnalyzer } from '../policy/analysis/PolicyAnalyzer.js';
import type { PolicyAnalysisReport } from '../policy/analysis/types.js';
import { sharedGuard } from './awsAccess.js';
import {
  collectPrincipalPolicies,
  NOT_COLLECTED,
  type CollectedPolicy,
  type CollectPoliciesOptions,
} from './collectPrincipalPolicies.js';
import { getIdentity } from './getIdentity.js';
import { isAwsNetworkErrorInstance } from '../aws/errors.js';
import { isCredentialsError } from './IdentityError.js';
import type { CallerIdentity } from './types.js';
import {
  DEFAULT_PROBES,
  validateAwsPermissions,
  type PermissionProbe,
  type PermissionValidationResult,
} from './validateAwsPermissions.js';

/** What the evidence shows about writing. */
export const WriteVerdict = {
  /** The collected policies allow nothing outside Read and List. */
  READ_ONLY: 'read-only',
  WRITES_ALLOWED: 'writes-allowed',
  /** The policies could not be read or analysed, so nothing is shown. */
  UNKNOWN: 'unknown',
} as const;
export type WriteVerdict = (typeof WriteVerdict)[keyof typeof WriteVerdict];

/** Identity, probes and policy analysis of the current credentials, in one JSON-ready object. */
export interface PermissionEvidence {
  readonly timestamp: string;
  readonly identity: CallerIdentity | null;
  readonly probes: PermissionValidationResult;
  readonly policies: readonly CollectedPolicy[];
  /** Why the policies could not be collected, when they could not. */
  readonly collectionError: string | undefined;
  readonly analysis: PolicyAnalysisReport | undefined;
  readonly writeVerdict: WriteVerdict;
  readonly notEvaluated: readonly string[];
  /** The probes' recommendations, then those the policy analysis calls for. */
  readonly recommendations: readonly string[];
}

export interface GatherEvidenceOptions extends CollectPoliciesOptions {
  /** @default DEFAULT_PROBES */
  probes?: readonly PermissionProbe[];
  /** @default a shared analyzer over the packaged catalog */
  analyzer?: PolicyAnalyzer;
}

/**
 * Everything `inventag permissions` shows: who the caller is, the read
 * probes, and every write the caller's own policies allow. All calls go
 * through one shared guard.
 *
 * @throws CredentialsError when the credentials are missing, expired or refused (its message says what to run)
 * @example
 * ```ts
 * const evidence = await gatherPermissionEvidence({ profile: 'prod-readonly' });
 * if (evidence.writeVerdict !== 'read-only') process.exitCode = 5;
 * ```
 */
export async function gatherPermissionEvidence(options: GatherEvidenceOptions = {}): Promise<PermissionEvidence> {
  const { client, probes: probeList, analyzer, onProgress, ...access } = options;
  const shared = { ...access, guard: sharedGuard(options) };
  let identity: CallerIdentity | null = null;
  let identityError: unknown;
  try {
    identity = await getIdentity(shared);
  } catch (error) {
    // Without working credentials there is nothing to show; say what to run instead.
    if (isCredentialsError(error)) throw error;
    // AWS does not answer: every probe and policy read would wait out the same timeout.
    if (isAwsNetworkErrorInstance(error)) throw error;
    identityError = error;
  }
  const probeOptions = { ...shared, suggestPolicyCheck: false };
  const probes = await validateAwsPermissions(
    probeList ?? DEFAULT_PROBES,
    identity ? { ...probeOptions, identity } : probeOptions,
  );

  let policies: readonly CollectedPolicy[] = [];
  let collectionError: string | undefined;
  let analysis: PolicyAnalysisReport | undefined;
  if (identity) {
    try {
      const collected = await collectPrincipalPolicies(identity, {
        ...shared,
        ...(client ? { client } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
      policies = collected.policies;
      analysis = (analyzer ?? new PolicyAnalyzer({ notEvaluated: [...NOT_COLLECTED, 'condition values'] })).analyze(
        collected.documents,
      );
    } catch (error) {
      collectionError = error instanceof Error ? error.message : String(error);
    }
  } else {
    collectionError = `the caller is unknown, so no policies were read: ${identityError instanceof Error ? identityError.message : String(identityError)}`;
  }
  const writeVerdict =
    analysis === undefined
      ? WriteVerdict.UNKNOWN
      : analysis.readOnly
        ? WriteVerdict.READ_ONLY
        : WriteVerdict.WRITES_ALLOWED;
  const recommendations = [...probes.recommendations];
  if (analysis && !analysis.readOnly) {
    recommendations.push(
      "Remove the non-read actions listed from the principal's policies, or run InvenTag as a role that has only policies/inventag-readonly.json (check it with inventag policy check).",
    );
  }
  if (analysis && analysis.sensitiveReads.length > 0) {
    recommendations.push(
      'Sensitive reads are allowed (object contents, messages, secrets or credentials): scope them to the resources the automation needs, or remove them.',
    );
  }
  if (collectionError) recommendations.push(`The policies were not checked: ${collectionError}`);
  return {
    timestamp: probes.timestamp,
    identity,
    probes,
    policies,
    collectionError,
    analysis,
    writeVerdict,
    notEvaluated: NOT_COLLECTED,
    recommendations,
  };
}
