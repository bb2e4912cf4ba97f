import { awsClientConfig, type AwsClientConfig, type AwsClientOptions } from '../aws/clientConfig.js';
import {
  getInventagPlugin,
  guardClient,
  isGuardInstalled,
  type GuardOptions,
  type InventagPlugin,
} from '../guard/index.js';

/** How the identity and permission functions reach AWS (region, profile, endpoint, credentials, timeouts). */
export interface AwsAccessOptions extends AwsClientOptions {
  /**
   * The guard every client gets, or a plugin shared with other clients (one
   * audit trail, one set of breakers). A client passed in that already has a
   * guard keeps it.
   * @default a guard with the GENERAL standard and no audit trail
   */
  guard?: GuardOptions | InventagPlugin;
}

export type ClientConfig = AwsClientConfig;

/** The SDK client configuration the options describe (timeouts and proxy included). */
export function clientConfigOf(options: AwsAccessOptions): ClientConfig {
  return awsClientConfig(options);
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
