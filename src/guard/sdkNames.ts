/**
 * The one place the guard reads names from the SDK's handler context.
 * `clientName` and `commandName` are public; the smithy context (`service`,
 * `operation`) is internal to the SDK, so any change to it is absorbed here.
 */
import type { HandlerExecutionContext } from '@smithy/types';

/** The SDK key of the smithy context (`@smithy/types` SMITHY_CONTEXT_KEY). */
const SMITHY_CONTEXT_KEY = '__smithy_context';

export interface SdkCall {
  /** `EC2Client`, when the SDK says. */
  readonly clientName: string | undefined;
  /** `DescribeInstancesCommand`, when the SDK says. */
  readonly commandName: string | undefined;
  /** What the verdict engine is asked about: the client name, else the smithy service name. */
  readonly service: string;
  /** The API operation (`DescribeInstances`, `SendCommand`). */
  readonly operation: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** `arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/name` (any partition). */
const OBJECT_LAMBDA_ARN = /^arn:[a-z-]+:s3-object-lambda:/;

/**
 * The service a call is authorised as, when its input says so rather than
 * its client: an S3 call whose `Bucket` is an Object Lambda access point
 * runs that access point's function and needs `s3-object-lambda:` actions.
 * Never throws.
 */
export function serviceOfInput(call: SdkCall, input: unknown): string | undefined {
  try {
    const bucket = (input as { Bucket?: unknown } | undefined)?.Bucket;
    if (call.clientName === 'S3Client' && typeof bucket === 'string' && OBJECT_LAMBDA_ARN.test(bucket))
      return 's3-object-lambda';
  } catch {
    // An input whose Bucket cannot be read is decided as the client's service.
  }
  return undefined;
}

/** Never throws: names it cannot read become `unknown`, which the verdict engine blocks. */
export function sdkCallOf(context: HandlerExecutionContext): SdkCall {
  try {
    return readNames(context);
  } catch {
    return { clientName: undefined, commandName: undefined, service: 'unknown', operation: 'unknown' };
  }
}

function readNames(context: HandlerExecutionContext): SdkCall {
  const smithy = (context as Record<string, unknown>)[SMITHY_CONTEXT_KEY] as Record<string, unknown> | undefined;
  const clientName = text(context.clientName);
  const commandName = text(context.commandName);
  // A command class carries exactly one `Command` suffix: `SendCommandCommand` is ssm:SendCommand.
  const operation = text(smithy?.operation) ?? commandName?.replace(/Command$/, '') ?? 'unknown';
  const service = clientName ?? text(smithy?.service) ?? 'unknown';
  return { clientName, commandName, service, operation };
}

/** The smithy operation schema of a schema-based client's command, when there is one; never throws. */
export function operationSchemaOf(context: HandlerExecutionContext): unknown {
  try {
    const smithy = (context as Record<string, unknown>)[SMITHY_CONTEXT_KEY] as Record<string, unknown> | undefined;
    return smithy?.operationSchema;
  } catch {
    return undefined;
  }
}
