import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import {
  getInventagPlugin,
  guardClient,
  isGuardInstalled,
  type GuardOptions,
  type InventagPlugin,
} from '../guard/index.js';

/** How the identity and permission functions reach AWS. */
export interface AwsAccessOptions {
  /**
   * Region of the clients. STS and IAM answer from any region.
   * @default `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`
   */
  region?: string;
  /** @default the SDK's (`AWS_PROFILE`, then `default`) */
  profile?: string;
  /** Endpoint URL for every client, e.g. a VPC endpoint or a local test server. @default AWS's */
  endpoint?: string;
  /** @default the SDK's default credential chain */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** @default the SDK's (3) */
  maxAttempts?: number;
  /**
   * The guard every client gets, or a plugin shared with other clients (one
   * audit trail, one set of breakers). A client passed in that already has a
   * guard keeps it.
   * @default a guard with the GENERAL standard and no audit trail
   */
  guard?: GuardOptions | InventagPlugin;
}

export interface ClientConfig {
  region: string;
  profile?: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts?: number;
}

/** The SDK client configuration the options describe. */
export function clientConfigOf(options: AwsAccessOptions): ClientConfig {
  const config: ClientConfig = {
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  };
  if (options.profile !== undefined) config.profile = options.profile;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (options.maxAttempts !== undefined) config.maxAttempts = options.maxAttempts;
  return config;
}

const isPlugin = (value: unknown): value is InventagPlugin =>
  typeof value === 'object' && value !== null && typeof (value as InventagPlugin).applyToStack === 'function';

/** One plugin for all the clients a call creates, so they share breakers and audit trail. */
export function sharedGuard(options: AwsAccessOptions): InventagPlugin {
  return isPlugin(options.guard) ? options.guard : getInventagPlugin(options.guard ?? {});
}

/** The client, guarded: every call it makes goes through the read-only guard. */
export function ensureGuarded<C extends Parameters<typeof guardClient>[0]>(client: C, plugin: InventagPlugin): C {
  return isGuardInstalled(client) ? client : guardClient(client, plugin);
}

/** AWS's "you may not" error codes across protocols. */
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'Forbidden',
  'NotAuthorized',
]);

export function isAccessDenied(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, Code, $metadata } = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return ACCESS_DENIED.has(Code ?? name ?? '') || (name === 'Unknown' && $metadata?.httpStatusCode === 403);
}
