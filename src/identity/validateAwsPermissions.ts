import { isOperationBlockedError } from '../guard/index.js';
import { clientConfigOf, ensureGuarded, isAccessDenied, sharedGuard, type AwsAccessOptions } from './awsAccess.js';
import { toCredentialsError } from './credentialErrors.js';
import { getIdentity } from './getIdentity.js';
import { isCredentialsError } from './IdentityError.js';
import type { CallerIdentity } from './types.js';

/** One read call that shows the credentials can do what InvenTag needs. */
export interface PermissionProbe {
  /** IAM prefix or SDK package name: `sts`, `ec2`, `s3`, `cloudtrail`, `iam`. */
  readonly service: string;
  /** As the seed writes it (`describe_regions`) or as the SDK does (`DescribeRegions`, `DescribeRegionsCommand`). */
  readonly operation: string;
  /** The command input. @default {} */
  readonly input?: Record<string, unknown>;
}

/** The seed's default probes. */
export const DEFAULT_PROBES: readonly PermissionProbe[] = [
  { service: 'sts', operation: 'get_caller_identity' },
  { service: 'ec2', operation: 'describe_regions' },
  { service: 's3', operation: 'list_buckets' },
];

export const PermissionStatus = {
  PASSED: 'PASSED',
  /** AWS answered AccessDenied. */
  FAILED: 'FAILED',
  /** The guard refused the probe: it is not read-only. Nothing was sent. */
  BLOCKED: 'BLOCKED',
  ERROR: 'ERROR',
} as const;
export type PermissionStatus = (typeof PermissionStatus)[keyof typeof PermissionStatus];

export const OverallPermissionStatus = {
  VALID: 'VALID',
  PARTIAL: 'PARTIAL',
  INVALID: 'INVALID',
} as const;
export type OverallPermissionStatus = (typeof OverallPermissionStatus)[keyof typeof OverallPermissionStatus];

export interface PermissionCheck {
  readonly service: string;
  readonly operation: string;
  readonly status: PermissionStatus;
  readonly message: string;
  /** The AWS error code, for FAILED and ERROR. */
  readonly errorCode?: string;
}

/** The seed's `validate_aws_permissions()` result, in camelCase. */
export interface PermissionValidationResult {
  readonly timestamp: string;
  readonly userIdentity: CallerIdentity | null;
  readonly permissionChecks: readonly PermissionCheck[];
  readonly overallStatus: OverallPermissionStatus;
  readonly recommendations: readonly string[];
}

/** SDK package names whose IAM prefix differs. */
const PACKAGE_OF: Record<string, string> = {
  logs: 'cloudwatch-logs',
  states: 'sfn',
  events: 'eventbridge',
  monitoring: 'cloudwatch',
  elasticloadbalancing: 'elastic-load-balancing-v2',
  es: 'opensearch',
  tag: 'resource-groups-tagging-api',
};

const pascal = (operation: string): string =>
  operation
    .replace(/Command$/, '')
    .replace(/^[a-z0-9-]+:/, '')
    .split(/[_\s-]+/)
    .map((part) => (part === '' ? '' : part[0]?.toUpperCase() + part.slice(1)))
    .join('');

type SdkModule = Record<string, unknown>;
type Sendable = {
  send(command: unknown): Promise<unknown>;
  middlewareStack: Parameters<typeof ensureGuarded>[0]['middlewareStack'];
  destroy(): void;
};

async function loadSdk(service: string): Promise<SdkModule | undefined> {
  const name = PACKAGE_OF[service.toLowerCase()] ?? service.toLowerCase();
  try {
    return (await import(`@aws-sdk/client-${name}`)) as SdkModule;
  } catch {
    return undefined;
  }
}

const errorCode = (error: unknown): string => {
  const { name, Code } = (error ?? {}) as { name?: string; Code?: string };
  return Code ?? name ?? 'Error';
};
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export interface ValidatePermissionsOptions extends AwsAccessOptions {
  /** The identity, when the caller already has it (saves a GetCallerIdentity call). */
  identity?: CallerIdentity;
  /**
   * When every probe passes, recommend checking the policies for writes as well.
   * @default true
   */
  suggestPolicyCheck?: boolean;
}

/**
 * Runs read probes with the current credentials, each through the guard, and
 * reports what passed: the seed's `validate_aws_permissions()`. A probe that
 * is not read-only is BLOCKED by the guard and never sent.
 *
 * @param probes - the calls to try @default DEFAULT_PROBES (sts get_caller_identity, ec2 describe_regions, s3 list_buckets)
 * @example
 * ```ts
 * const result = await validateAwsPermissions();
 * console.log(result.overallStatus);
 * for (const c of result.permissionChecks) console.log(`${c.service}:${c.operation} - ${c.status}`);
 * ```
 */
/** SDK clients that are optional peer dependencies of the package: a default probe needing one is skipped when it is absent. */
const OPTIONAL_PROBE_SDKS = new Set(['ec2']);

export async function validateAwsPermissions(
  probes: readonly PermissionProbe[] = DEFAULT_PROBES,
  options: ValidatePermissionsOptions = {},
): Promise<PermissionValidationResult> {
  const timestamp = new Date().toISOString();
  const plugin = sharedGuard(options);
  const config = clientConfigOf(options);
  const checks: PermissionCheck[] = [];
  const recommendations: string[] = [];

  let identity: CallerIdentity | null = options.identity ?? null;
  let identityError: unknown;
  if (!identity) {
    try {
      identity = await getIdentity({ ...options, guard: plugin });
    } catch (error) {
      identityError = error;
    }
  }
  // getIdentity() has already turned credential failures into a CredentialsError.
  const credentialsError = isCredentialsError(identityError) ? identityError : undefined;

  const clients = new Map<string, Sendable>();
  try {
    for (const probe of probes) {
      const operation = pascal(probe.operation);
      const service = probe.service.toLowerCase();
      if (service === 'sts' && operation === 'GetCallerIdentity' && !probe.input) {
        checks.push(identity ? pass(probe, `caller is ${identity.arn}`) : failure(probe, identityError));
        continue;
      }
      if (credentialsError) {
        checks.push({
          service: probe.service,
          operation: probe.operation,
          status: PermissionStatus.ERROR,
          message: credentialsError.message,
          errorCode: errorCode(credentialsError.cause ?? credentialsError),
        });
        continue;
      }
      const sdk = await loadSdk(service);
      const Command = sdk?.[`${operation}Command`] as (new (input: unknown) => unknown) | undefined;
      const clientName =
        sdk &&
        Object.keys(sdk).find((key) => key.endsWith('Client') && key !== '__Client' && typeof sdk[key] === 'function');
      if (!sdk && probes === DEFAULT_PROBES && OPTIONAL_PROBE_SDKS.has(service)) {
        // An optional peer dependency the user did not install: the default probe is left out, and said so.
        recommendations.push(
          `The default ${probe.service}:${probe.operation} probe was not run: npm i @aws-sdk/client-${service} to run it.`,
        );
        continue;
      }
      if (!sdk || !Command || !clientName) {
        const what = sdk
          ? `the SDK client for "${service}" has no ${operation}Command`
          : `no AWS SDK v3 client is installed for "${service}" (npm i @aws-sdk/client-${PACKAGE_OF[service] ?? service})`;
        checks.push({
          service: probe.service,
          operation: probe.operation,
          status: PermissionStatus.ERROR,
          message: what,
        });
        continue;
      }
      let client = clients.get(clientName);
      if (!client) {
        const Client = sdk[clientName] as new (config: unknown) => Sendable;
        client = ensureGuarded(new Client(service === 's3' ? { ...config, forcePathStyle: true } : config), plugin);
        clients.set(clientName, client);
      }
      try {
        await client.send(new Command(probe.input ?? {}));
        checks.push(pass(probe, `${operation} succeeded`));
      } catch (error) {
        checks.push(failure(probe, error));
      }
    }
  } finally {
    for (const client of clients.values()) client.destroy();
  }

  const passed = checks.filter((c) => c.status === PermissionStatus.PASSED).length;
  const overallStatus =
    checks.length > 0 && passed === checks.length
      ? OverallPermissionStatus.VALID
      : passed > 0
        ? OverallPermissionStatus.PARTIAL
        : OverallPermissionStatus.INVALID;

  if (credentialsError) recommendations.push(`Fix the credentials: ${credentialsError.message}`);
  const failed = checks.filter((c) => c.status === PermissionStatus.FAILED);
  if (failed.length > 0) {
    recommendations.push(
      `Grant the read permissions InvenTag needs (${failed.map((c) => `${c.service}:${c.operation}`).join(', ')}); policies/inventag-readonly.json lists them all.`,
    );
  }
  for (const blocked of checks.filter((c) => c.status === PermissionStatus.BLOCKED)) {
    recommendations.push(
      `Remove the probe ${blocked.service}:${blocked.operation}: it is not read-only, so the guard refuses it and it proves nothing about read access.`,
    );
  }
  if (checks.some((c) => c.status === PermissionStatus.ERROR) && !credentialsError)
    recommendations.push('Check the network path to AWS (endpoint, proxy, region) and retry the probes that errored.');
  for (const finding of identity?.findings ?? []) recommendations.push(finding.recommendation);
  if (checks.length === 0) recommendations.push('No probes were given: nothing was checked.');
  if (overallStatus === OverallPermissionStatus.VALID && (options.suggestPolicyCheck ?? true)) {
    recommendations.push(
      'Read access works. Check that the same credentials cannot write: inventag permissions analyses their policies.',
    );
  }
  return { timestamp, userIdentity: identity, permissionChecks: checks, overallStatus, recommendations };
}

function pass(probe: PermissionProbe, message: string): PermissionCheck {
  return { service: probe.service, operation: probe.operation, status: PermissionStatus.PASSED, message };
}

function failure(probe: PermissionProbe, error: unknown): PermissionCheck {
  const base = { service: probe.service, operation: probe.operation };
  if (isOperationBlockedError(error)) return { ...base, status: PermissionStatus.BLOCKED, message: error.message };
  const credentials = isCredentialsError(error) ? error : toCredentialsError(error);
  if (credentials)
    return {
      ...base,
      status: PermissionStatus.ERROR,
      message: credentials.message,
      errorCode: errorCode(credentials.cause ?? credentials),
    };
  if (isAccessDenied(error))
    return { ...base, status: PermissionStatus.FAILED, message: errorMessage(error), errorCode: errorCode(error) };
  return { ...base, status: PermissionStatus.ERROR, message: errorMessage(error), errorCode: errorCode(error) };
}
