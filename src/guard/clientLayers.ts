/**
 * The two layers `guardClient` adds around a client besides the decision at
 * `initialize`: credentials that exist only inside an admitted command, and
 * a transport check that decodes the final HTTP request with the shared
 * wire decoder (src/wire/, the gateway's) and sends it only when it is the
 * admitted, allowed operation. Each refuses on its own, so removing,
 * replacing or fooling the middleware still sends nothing.
 */
import { canonicalOperationName } from '../catalog/operationName.js';
import { OperationType } from '../constants.js';
import { decodeRequest, type WireRequest } from '../wire/index.js';
import { type AdmittedCommand, currentAdmission, type ClientBinding } from './admission.js';
import { GuardInstallError } from './errors.js';

/** What the layers need of an SDK client. */
export interface LayeredClient {
  readonly config: Record<string, unknown>;
}

/** The binding of each layer function the guard installed. */
const bindings = new WeakMap<object, ClientBinding>();

/** The client's name, for audit rows of refusals no command names (`S3Client`). */
const clientNameOf = (client: object): string => {
  const name = (client as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'unknown';
};

/**
 * How long the credentials handed out last must still be valid for the SDK's memoized provider to return its
 * cached copy without running the provider: past the SDK's own refresh window (`EXPIRATION_MS`, 5 minutes),
 * with a margin.
 */
const CACHED_VALID_MS = 10 * 60_000;

/**
 * True when the SDK's credential provider will hand out what it cached, with no fetch: it returned credentials
 * before (with no expiry, or one more than {@link CACHED_VALID_MS} away) and this call does not force a
 * refresh. A provider the user flagged as already memoized runs as given either way.
 */
function cachedWithoutFetch(lastExpiry: number | undefined, options: unknown): boolean {
  if (lastExpiry === undefined) return false;
  if ((options as { forceRefresh?: unknown } | undefined)?.forceRefresh) return false;
  return lastExpiry - Date.now() > CACHED_VALID_MS;
}

/** The expiry of an identity the provider returned: Infinity without one; 0 (expired) when it cannot be read. */
function expiryOf(identity: unknown): number {
  if (typeof identity !== 'object' || identity === null) return 0;
  try {
    const expiration = (identity as { expiration?: unknown }).expiration;
    if (expiration === undefined) return Infinity;
    return expiration instanceof Date && !Number.isNaN(expiration.getTime()) ? expiration.getTime() : 0;
  } catch {
    return 0;
  }
}

/**
 * Replaces `client.config.credentials` with a provider that refuses unless
 * the current async context is a live admission of this client. The SDK's
 * own accessor (which memoizes and attributes a provider) keeps working
 * behind it; the property can no longer be redefined.
 */
export function guardCredentials(client: LayeredClient, binding: ClientBinding): void {
  const config = client.config;
  const descriptor = Object.getOwnPropertyDescriptor(config, 'credentials');
  if (descriptor === undefined)
    throw new GuardInstallError('inventag guard: the client has no credentials setting; it cannot be guarded');
  if (descriptor.configurable === false)
    throw new GuardInstallError(
      'inventag guard: the client’s credentials setting cannot be wrapped (not configurable); it cannot be guarded',
    );
  let stored: unknown = descriptor.value;
  const inner = (): unknown => (descriptor.get ? descriptor.get.call(config) : stored);
  const clientName = clientNameOf(client);
  const guarded = async (options?: unknown): Promise<unknown> => {
    const admitted = currentAdmission(binding);
    if (admitted === undefined) {
      throw binding.guard.refuse(
        { service: clientName, operation: 'ResolveCredentials', clientName },
        'credentials were requested outside a command the guard admitted (a presigned POST, a hand-rolled signer, or a call whose guard middleware was removed or replaced)',
        'no-admitted-command',
      );
    }
    // A provider may fetch (STS, SSO, the instance metadata service): like the request, only once the call's
    // attempt is committed (a commit that failed ends the call here; the guard reports it as blocked). Only
    // when the SDK's cached copy is sure to be handed out (see cachedWithoutFetch) does it go on meanwhile.
    if (admitted.admission.committed !== undefined && !cachedWithoutFetch(lastExpiry, options))
      await admitted.admission.committed;
    admitted.credentialsReleased += 1;
    const provider = inner();
    const identity: unknown = await (typeof provider === 'function'
      ? (provider as (o?: unknown) => unknown)(options)
      : provider);
    lastExpiry = expiryOf(identity);
    return identity;
  };
  /** When the credentials this wrapper handed out last expire (ms; Infinity: never); undefined until then. */
  let lastExpiry: number | undefined;
  // The SDK treats a provider with these flags as already memoized, bound and attributed: it calls it every time.
  Object.assign(guarded, { memoized: true, configBound: true, attributed: true });
  bindings.set(guarded, binding);
  Object.defineProperty(config, 'credentials', {
    get: () => guarded,
    set: (value: unknown) => {
      lastExpiry = undefined;
      if (descriptor.set) descriptor.set.call(config, value);
      else stored = value;
    },
    enumerable: true,
    configurable: false,
  });
}

interface RequestHandlerLike {
  handle(request: unknown, options?: unknown): Promise<unknown>;
}

/**
 * Wraps `client.config.requestHandler` so every HTTP request is decoded
 * with the shared wire decoder and sent only when it is the operation the
 * guard admitted for the current call on this client, and that operation is
 * allowed (read-only, or allowed by your overrides). What the guard decided
 * on names is checked here against what is sent.
 */
export function guardTransport(client: LayeredClient, binding: ClientBinding): void {
  const config = client.config;
  const handler = config.requestHandler as RequestHandlerLike | undefined;
  if (typeof handler?.handle !== 'function')
    throw new GuardInstallError('inventag guard: the client has no request handler; it cannot be guarded');
  const clientName = clientNameOf(client);
  const { guard } = binding;
  const handle = async (request: unknown, options?: unknown): Promise<unknown> => {
    const decoded = decodeRequest(request as WireRequest, signingNameOf(config));
    const admitted = currentAdmission(binding);
    const rawMethod = (request as { method?: unknown }).method;
    const method = typeof rawMethod === 'string' ? rawMethod.toUpperCase() : '';
    // A REST read newer than the route table (GET/HEAD only) is sent as the admitted read it is.
    if (
      !decoded.ok &&
      decoded.reason === 'unknown-operation' &&
      (method === 'GET' || method === 'HEAD') &&
      admitted?.admission.verdict.isValid === true &&
      admitted.admission.verdict.operationType === OperationType.READ_ONLY
    ) {
      return send(admitted, request, options);
    }
    if (!decoded.ok)
      throw guard.refuse(
        { service: decoded.signingName ?? clientName, operation: 'UnidentifiedRequest', clientName },
        `the transport check could not identify the request (${decoded.reason}${decoded.message ? `: ${decoded.message}` : ''})`,
        'transport-mismatch',
      );
    const sent = { service: decoded.signingName, operation: decoded.operation, clientName };
    // Classified, not counted: the call was decided (and counted) once, at initialize.
    const truth = guard.decide(decoded.signingName, decoded.operation, false).verdict;
    const what = truth.iamAction ?? `${decoded.signingName}:${decoded.operation}`;
    if (admitted === undefined)
      throw guard.refuse(
        sent,
        `${what} reached the transport outside any command the guard admitted (its guard middleware was removed or replaced)`,
        'no-admitted-command',
        truth,
      );
    const admittedAction = admitted.admission.verdict.iamAction;
    const same =
      truth.iamAction !== undefined && admittedAction !== undefined
        ? truth.iamAction === admittedAction
        : canonicalOperationName(decoded.operation) === canonicalOperationName(admitted.call.operation);
    // Named on the wire (Action=, X-Amz-Target, the CBOR path), the operation must be the admitted one. Matched
    // from a REST route, bindings can overlap (GetObjectAttributes looks like GetObject without its ?attributes
    // marker): there a read that decodes as another allowed read goes, and anything that decodes as a write does not.
    const routeOverlap = decoded.source === 'route' && truth.isValid && truth.operationType === OperationType.READ_ONLY;
    if (!same && !routeOverlap)
      throw guard.refuse(
        sent,
        `the request sends ${what} but the guard admitted ${admittedAction ?? admitted.call.operation} for this call (the command or a middleware changed it after the verdict)`,
        'transport-mismatch',
        truth,
      );
    if (!truth.isValid)
      throw guard.refuse(sent, `the request sends ${what}: ${truth.validationMessage}`, 'transport-mismatch', truth);
    return send(admitted, request, options);
  };
  /**
   * Sends once the call's attempt is committed to the audit trail (the guard staged it at `initialize`; the
   * commit ran meanwhile, while the request was serialized and signed). A commit that failed sends nothing:
   * its error ends the call, which the guard then reports as blocked (`audit-unavailable`).
   */
  const send = async (admitted: AdmittedCommand, request: unknown, options: unknown): Promise<unknown> => {
    if (admitted.admission.committed !== undefined) await admitted.admission.committed;
    if (!admitted.active)
      throw guard.refuse(
        { service: clientName, operation: 'UnidentifiedRequest', clientName },
        'the request reached the transport after its command ended',
        'no-admitted-command',
      );
    admitted.requestsSent += 1;
    return handler.handle(request, options);
  };
  bindings.set(handle, binding);
  const proxy = new Proxy(handler, {
    get(target, property) {
      if (property === 'handle') return handle;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  Object.defineProperty(config, 'requestHandler', {
    value: proxy,
    writable: false,
    enumerable: true,
    configurable: false,
  });
}

/** The signing name to decode an unsigned request with (a client without credentials): the client's own. */
function signingNameOf(config: Record<string, unknown>): { signingName?: string } {
  try {
    const name = config.signingName ?? config.defaultSigningName;
    return typeof name === 'string' && name !== '' ? { signingName: name } : {};
  } catch {
    return {};
  }
}

/** The binding whose credential and transport layers the client carries, when it carries both of one guard. */
export function layerBinding(client: LayeredClient): ClientBinding | undefined {
  try {
    const credentials = client.config.credentials;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity, never called here
    const handle = (client.config.requestHandler as RequestHandlerLike | undefined)?.handle;
    const a = typeof credentials === 'function' ? bindings.get(credentials) : undefined;
    const b = typeof handle === 'function' ? bindings.get(handle) : undefined;
    return a !== undefined && a === b ? a : undefined;
  } catch {
    return undefined;
  }
}
