/**
 * The guard as an AWS SDK v3 plugin. One line makes a client unable to change
 * anything: `guardClient(new EC2Client({}))`. Three layers, each refusing on
 * its own:
 *
 * 1. the decision: the middleware runs first in the `initialize` step, so a
 *    blocked command is never serialized, no credentials or endpoints are
 *    resolved and nothing reaches the network;
 * 2. credentials: the client's provider answers only inside a command the
 *    middleware admitted (presigned POSTs and hand-rolled signers fail);
 * 3. the transport: the client's request handler sends a request only as
 *    part of an admitted command (see clientLayers.ts).
 *
 * A plugin applied to a bare middleware stack installs layer 1 only;
 * `guardClient` installs all three.
 */
import type {
  AbsoluteLocation,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOptions,
  InitializeHandlerOutput,
  InitializeMiddleware,
  MetadataBearer,
  MiddlewareStack,
  Pluggable,
} from '@smithy/types';
import { runAdmitted, type AdmittedCommand, type ClientBinding } from './admission.js';
import { guardCredentials, guardTransport, layerBinding, type LayeredClient } from './clientLayers.js';
import { GuardInstallError } from './errors.js';
import { OperationGuard, type GuardedCall } from './OperationGuard.js';
import type { GuardLogger, GuardOptions } from './options.js';
import { requestParametersOf } from './requestParameters.js';
import { operationSchemaOf, sdkCallOf, serviceOfInput } from './sdkNames.js';

export const INVENTAG_GUARD_MIDDLEWARE_NAME = 'inventagGuardMiddleware';

export const inventagGuardMiddlewareOptions: InitializeHandlerOptions & AbsoluteLocation = {
  name: INVENTAG_GUARD_MIDDLEWARE_NAME,
  step: 'initialize',
  priority: 'high',
  tags: ['INVENTAG', 'GUARD'],
  override: false,
};

/* The guard sits on stacks of every client, whatever their input and output types. */
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyStack = MiddlewareStack<any, any>;

function loggerOf(context: HandlerExecutionContext, guard: OperationGuard): GuardLogger | undefined {
  if (guard.options.logger !== undefined) return guard.options.logger;
  const sdkLogger = context.logger as { warn?: (message: string) => void } | undefined;
  return typeof sdkLogger?.warn === 'function' ? { warn: (message) => sdkLogger.warn?.(message) } : undefined;
}

/** The guard middleware: decide, record, block or run through the breaker, record the outcome. */
export function inventagGuardMiddleware(
  guard: OperationGuard,
  binding: ClientBinding = { guard, layers: { credentials: false, transport: false }, replaced: false },
): InitializeMiddleware<any, MetadataBearer> {
  return (next: InitializeHandler<any, MetadataBearer>, context: HandlerExecutionContext) => {
    return async (args: InitializeHandlerArguments<any>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
      const names = sdkCallOf(context);
      const call: GuardedCall = {
        service: serviceOfInput(names, args.input) ?? names.service,
        operation: names.operation,
        ...(names.clientName === undefined ? {} : { clientName: names.clientName }),
        ...(names.commandName === undefined ? {} : { commandName: names.commandName }),
        ...(guard.recordsParameters
          ? {
              requestParameters: requestParametersOf(
                args.input,
                context.inputFilterSensitiveLog as ((input: unknown) => unknown) | undefined,
                { operation: names.operation, operationSchema: operationSchemaOf(context) },
              ),
            }
          : {}),
      };
      const logger = loggerOf(context, guard);
      const admission = guard.admit(call, logger);
      const admitted: AdmittedCommand = {
        binding,
        call,
        admission,
        active: true,
        credentialsReleased: 0,
        requestsSent: 0,
      };
      const outcome = await guard.run(
        call,
        admission,
        async () => {
          try {
            const output = await runAdmitted(admitted, () => next(args));
            if (binding.layers.transport && admitted.credentialsReleased > 0 && admitted.requestsSent === 0) {
              throw guard.refuse(
                call,
                `${admission.verdict.iamAction ?? call.operation} used the client's credentials but its request never reached the guard's transport check (a presigner or another middleware signed it for use elsewhere: a presigned URL is a grant that outlives the guard and its audit trail)`,
                'not-sent',
                admission.verdict,
                logger,
              );
            }
            return output;
          } finally {
            // Whatever the call left behind (a timer, a stream) gets no credentials and sends nothing as this call.
            admitted.active = false;
          }
        },
        logger,
        // With the transport layer, the request waits there for its attempt's commit (see clientLayers.ts).
        binding.layers.transport ? 'transport' : 'before',
      );
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    };
  };
}

const listsGuard = (stack: Pick<AnyStack, 'identify'>): boolean =>
  stack.identify().some((entry) => entry.split(' ')[0] === INVENTAG_GUARD_MIDDLEWARE_NAME);

/** The binding of each stack the guard was installed on. */
const stackBindings = new WeakMap<object, ClientBinding>();

/**
 * Watches `add` and `addRelativeTo` of a guarded stack: an entry added under
 * the guard's name (with `override: true`) replaces the guard's code while
 * `identify()` still lists the name, so the binding is marked replaced and
 * {@link isGuardInstalled} says false from then on. The replacement is not
 * refused here: the credential and transport layers refuse its calls.
 */
function watchReplacement(stack: AnyStack, binding: ClientBinding): void {
  for (const method of ['add', 'addRelativeTo'] as const) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the stack as `this`
    const original = stack[method] as (middleware: unknown, options?: { name?: unknown; aliases?: unknown }) => void;
    stack[method] = ((middleware: unknown, options?: { name?: unknown; aliases?: unknown }) => {
      const aliases = Array.isArray(options?.aliases) ? (options.aliases as unknown[]) : [];
      if (options?.name === INVENTAG_GUARD_MIDDLEWARE_NAME || aliases.includes(INVENTAG_GUARD_MIDDLEWARE_NAME))
        binding.replaced = true;
      return original.call(stack, middleware, options);
    }) as never;
  }
}

/**
 * True when the guard is really installed. For a client: its guard
 * middleware is in the stack (listed, and not replaced by a same-name
 * `override: true` entry since), and its credentials and request handler
 * are the layers of that same installation. For a bare middleware stack:
 * the middleware.
 */
export function isGuardInstalled(
  target: { middlewareStack: Pick<AnyStack, 'identify'> } | Pick<AnyStack, 'identify'>,
): boolean {
  try {
    const stack = 'middlewareStack' in target ? target.middlewareStack : target;
    if (!listsGuard(stack)) return false;
    const binding = stackBindings.get(stack);
    if (binding === undefined || binding.replaced) return false;
    if (!('middlewareStack' in target) || !('config' in target)) return true;
    return layerBinding(target as unknown as LayeredClient) === binding;
  } catch {
    return false;
  }
}

function install(stack: AnyStack, guard: OperationGuard, binding?: ClientBinding): void {
  const own: ClientBinding = binding ?? { guard, layers: { credentials: false, transport: false }, replaced: false };
  if (typeof stack?.add !== 'function' || typeof stack.identify !== 'function') {
    throw new GuardInstallError(
      'inventag guard: the target has no AWS SDK v3 middleware stack (add/identify); it cannot be guarded',
    );
  }
  if (listsGuard(stack)) {
    throw new GuardInstallError(
      "inventag guard: this client already has an inventag guard; install it once (clients made with DynamoDBDocumentClient.from() share their base client's stack)",
    );
  }
  try {
    stack.add(inventagGuardMiddleware(guard, own), inventagGuardMiddlewareOptions);
  } catch (error) {
    throw new GuardInstallError(
      `inventag guard: the middleware stack refused the guard: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (!listsGuard(stack)) {
    throw new GuardInstallError(
      'inventag guard: the guard was added but the stack does not list it; the client is not guarded',
    );
  }
  stackBindings.set(stack, own);
  watchReplacement(stack, own);
}

/** A plugin that guards every stack it is applied to; all of them share one guard (verdicts, audit, breakers). */
export interface InventagPlugin extends Pluggable<any, any> {
  readonly guard: OperationGuard;
}

/**
 * Creates the guard plugin. Options are validated now: an unknown standard or
 * a negative threshold throws `InvalidOptionsError` naming the field.
 *
 * @example
 * const plugin = getInventagPlugin({ standard: 'soc2', audit });
 * const ec2 = new EC2Client({});
 * ec2.middlewareStack.use(plugin);
 * await ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-1'] })); // throws OperationBlockedError
 */
export function getInventagPlugin(options: GuardOptions | OperationGuard = {}): InventagPlugin {
  const guard = options instanceof OperationGuard ? options : new OperationGuard(options);
  return {
    guard,
    applyToStack: (stack: AnyStack) => install(stack, guard),
  };
}

/**
 * Installs the guard on a client and returns the same client. Throws
 * `GuardInstallError` when it cannot be installed or is already there.
 *
 * @example
 * const s3 = guardClient(new S3Client({}), { standard: 'iso27001' });
 * await s3.send(new ListBucketsCommand({})); // allowed, timed and audited
 * await s3.send(new DeleteBucketCommand({ Bucket: 'b' })); // throws OperationBlockedError, nothing sent
 */
export function guardClient<C extends { middlewareStack: AnyStack }>(
  client: C,
  options: GuardOptions | OperationGuard | InventagPlugin = {},
): C {
  if (typeof client !== 'object' || client === null || typeof client.middlewareStack?.use !== 'function') {
    throw new GuardInstallError(
      'inventag guard: guardClient() needs an AWS SDK v3 client (an object with a middlewareStack)',
    );
  }
  const plugin = isPlugin(options) ? options : getInventagPlugin(options);
  const config = (client as { config?: unknown }).config;
  if (typeof config !== 'object' || config === null) {
    // Not a real client (no configuration): the decision layer is all it can get.
    client.middlewareStack.use(plugin);
    return client;
  }
  const binding: ClientBinding = {
    guard: plugin.guard,
    layers: { credentials: true, transport: true },
    replaced: false,
  };
  install(client.middlewareStack, plugin.guard, binding);
  guardCredentials(client as unknown as LayeredClient, binding);
  guardTransport(client as unknown as LayeredClient, binding);
  return client;
}

function isPlugin(value: unknown): value is InventagPlugin {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as InventagPlugin).applyToStack === 'function' &&
    (value as InventagPlugin).guard instanceof OperationGuard
  );
}
