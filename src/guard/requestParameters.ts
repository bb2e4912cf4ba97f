/**
 * Turns a command's input into something an audit entry can hold. In order:
 *
 * 1. the SDK's own sensitive-member filter (`inputFilterSensitiveLog`; in
 *    schema-based clients it reads the `sensitive` trait of each member, and
 *    keeps only members the model knows), so `SecretString`, `Password`,
 *    Lambda environment variables and the like never leave the process;
 * 2. request bodies dropped: every member the operation's schema marks as the
 *    HTTP payload, a stream, a blob or a free-form document, and the data
 *    members of well-known data-plane writes (DynamoDB items, SQS message
 *    bodies, Kinesis records, S3 object bodies), whatever their type;
 * 3. the audit redactor (secret keys, and secret values inside any string);
 * 4. streams, deep and long values cut down, because a row must stay small.
 */
import { NormalizedSchema } from '@smithy/core/schema';
import { REDACTED, redact } from '../audit/redact.js';

/** What a dropped request body is recorded as. */
export const OMITTED_BODY = '[body omitted]';

/** The SDK's own marker for a sensitive member, recorded as the audit trail's. */
const SDK_SENSITIVE = '***SensitiveInformation***';
const MAX_DEPTH = 5;
const MAX_STRING = 512;
const MAX_ITEMS = 50;
const MAX_SCHEMA_DEPTH = 12;

/**
 * Members holding the data of a data-plane write, by operation. The models
 * mark S3 and Lambda bodies as payloads, but a DynamoDB item or an SQS body is
 * an ordinary member: an auditor needs to know the write was attempted, never
 * what it carried.
 */
export const DATA_PLANE_BODIES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  PutObject: ['Body'],
  UploadPart: ['Body'],
  WriteGetObjectResponse: ['Body'],
  Invoke: ['Payload'],
  InvokeAsync: ['InvokeArgs'],
  InvokeWithResponseStream: ['Payload'],
  PutItem: ['Item', 'ExpressionAttributeValues'],
  UpdateItem: ['ExpressionAttributeValues', 'AttributeUpdates'],
  BatchWriteItem: ['RequestItems'],
  TransactWriteItems: ['TransactItems'],
  ExecuteStatement: ['Parameters'],
  BatchExecuteStatement: ['Statements'],
  ExecuteTransaction: ['TransactStatements'],
  SendMessage: ['MessageBody', 'MessageAttributes', 'MessageSystemAttributes'],
  SendMessageBatch: ['Entries'],
  Publish: ['Message', 'MessageAttributes', 'payload'],
  PublishBatch: ['PublishBatchRequestEntries'],
  PutRecord: ['Data', 'Record'],
  PutRecords: ['Records'],
  PutRecordBatch: ['Records'],
  PutEvents: ['Entries'],
  PutLogEvents: ['logEvents'],
  SendEmail: ['Message', 'Content'],
  SendRawEmail: ['RawMessage'],
  PutSecretValue: ['SecretString', 'SecretBinary'],
  PutParameter: ['Value'],
});

function isBinaryOrStream(value: object): boolean {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  const candidate = value as {
    pipe?: unknown;
    getReader?: unknown;
    arrayBuffer?: unknown;
    [Symbol.asyncIterator]?: unknown;
  };
  return (
    typeof candidate.pipe === 'function' ||
    typeof candidate.getReader === 'function' ||
    typeof candidate.arrayBuffer === 'function' ||
    typeof candidate[Symbol.asyncIterator] === 'function'
  );
}

function summarize(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === SDK_SENSITIVE) return REDACTED;
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[${value.length} chars]` : value;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (value instanceof Date) return value.toISOString();
  if (isBinaryOrStream(value)) return '[binary]';
  if (depth >= MAX_DEPTH) return '[nested]';
  if (value instanceof Set) return summarize([...value], depth);
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => summarize(item, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `…[${value.length - MAX_ITEMS} more]`] : items;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value).slice(0, MAX_ITEMS)) {
    const summarized = summarize(item, depth + 1);
    if (summarized !== undefined) out[key] = summarized;
  }
  return out;
}

/** Whether a member, by its schema, carries a body rather than a parameter. */
function isBody(member: NormalizedSchema): boolean {
  const traits = member.getMergedTraits();
  return (
    traits.httpPayload !== undefined ||
    member.isStreaming() ||
    member.isBlobSchema() ||
    member.isDocumentSchema() ||
    traits.eventPayload !== undefined
  );
}

/** The value with every body member (by the schema) replaced by {@link OMITTED_BODY}. */
function omitSchemaBodies(schema: NormalizedSchema, value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_SCHEMA_DEPTH) return value;
  if (schema.isListSchema() && Array.isArray(value)) {
    const item = schema.getValueSchema();
    return isBody(item) ? value.map(() => OMITTED_BODY) : value.map((v) => omitSchemaBodies(item, v, depth + 1));
  }
  if (schema.isMapSchema()) {
    const item = schema.getValueSchema();
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, isBody(item) ? OMITTED_BODY : omitSchemaBodies(item, v, depth + 1)]),
    );
  }
  if (!schema.isStructSchema()) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, member] of schema.structIterator()) {
    if (out[name] === undefined || out[name] === null) continue;
    out[name] = isBody(member) ? OMITTED_BODY : omitSchemaBodies(member, out[name], depth + 1);
  }
  return out;
}

/** The input schema of an operation schema (`[9, namespace, name, traits, input, output]` or an object). */
function inputSchemaOf(operationSchema: unknown): NormalizedSchema | undefined {
  if (operationSchema === undefined || operationSchema === null) return undefined;
  const input = Array.isArray(operationSchema)
    ? (operationSchema[4] as unknown)
    : (operationSchema as { input?: unknown }).input;
  return input === undefined ? undefined : NormalizedSchema.of(input as Parameters<typeof NormalizedSchema.of>[0]);
}

function omitBodies(value: unknown, operation: string | undefined, operationSchema: unknown): unknown {
  const schema = inputSchemaOf(operationSchema);
  let out = schema === undefined ? value : omitSchemaBodies(schema, value, 0);
  const members = operation === undefined ? undefined : DATA_PLANE_BODIES[operation];
  if (members !== undefined && out !== null && typeof out === 'object' && !Array.isArray(out)) {
    const copy: Record<string, unknown> = { ...(out as Record<string, unknown>) };
    for (const name of members) if (copy[name] !== undefined) copy[name] = OMITTED_BODY;
    out = copy;
  }
  return out;
}

/** What the SDK tells about a command, beyond its input. */
export interface SdkInputMetadata {
  /** The API operation (`PutObject`), for the table of data-plane writes. */
  operation?: string;
  /** The smithy operation schema of a schema-based client (`context[SMITHY_CONTEXT_KEY].operationSchema`). */
  operationSchema?: unknown;
}

/**
 * The input as an audit entry stores it; `filter` is the SDK's
 * `inputFilterSensitiveLog`. A filter or schema that fails records
 * `"[unavailable]"`: unfiltered values never get through.
 */
export function requestParametersOf(
  input: unknown,
  filter: ((input: unknown) => unknown) | undefined,
  sdk: SdkInputMetadata = {},
): unknown {
  let filtered: unknown;
  try {
    filtered = filter === undefined ? input : filter(input);
    filtered = redact(omitBodies(filtered, sdk.operation, sdk.operationSchema));
  } catch {
    return '[unavailable]';
  }
  return summarize(filtered, 0);
}
