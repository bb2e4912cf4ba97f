/**
 * The guard as an AWS SDK v3 plugin. One line makes a client unable to change
 * anything: `guardClient(new EC2Client({}))`. The middleware runs first in
 * the `initialize` step, so a blocked command is never serialized, no
 * credentials or endpoints are resolved and nothing reaches the network.
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
export function inventagGuardMiddleware(guard: OperationGuard): InitializeMiddleware<any, MetadataBearer> {
  return (next: InitializeHandler<any, MetadataBearer>, context: HandlerExecutionContext) =>
    async (args: InitializeHandlerArguments<any>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
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
      const outcome = await guard.run(call, admission, () => next(args), logger);
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    };
}

/** True when the stack (or the client's stack) already holds the inventag guard. */
export function isGuardInstalled(
  target: { middlewareStack: Pick<AnyStack, 'identify'> } | Pick<AnyStack, 'identify'>,
): boolean {
  const stack = 'middlewareStack' in target ? target.middlewareStack : target;
  return stack.identify().some((entry) => entry.split(' ')[0] === INVENTAG_GUARD_MIDDLEWARE_NAME);
}

function install(stack: AnyStack, guard: OperationGuard): void {
  if (typeof stack?.add !== 'function' || typeof stack.identify !== 'function') {
    throw new GuardInstallError(
      'inventag guard: the target has no AWS SDK v3 middleware stack (add/identify); it cannot be guarded',
    );
  }
  if (isGuardInstalled(stack)) {
    throw new GuardInstallError(
      "inventag guard: this client already has an inventag guard; install it once (clients made with DynamoDBDocumentClient.from() share their base client's stack)",
    );
  }
  try {
    stack.add(inventagGuardMiddleware(guard), inventagGuardMiddlewareOptions);
  } catch (error) {
    throw new GuardInstallError(
      `inventag guard: the middleware stack refused the guard: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (!isGuardInstalled(stack)) {
    throw new GuardInstallError(
      'inventag guard: the guard was added but the stack does not list it; the client is not guarded',
    );
  }
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
  client.middlewareStack.use(plugin);
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
