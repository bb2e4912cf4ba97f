/**
 * Every command class of five SDK clients, sent through a guarded client with
 * empty input (the guard runs before serialization, so no input is needed).
 * The expected verdict comes from the action catalog and the IAM access
 * level, not from the guard; a second, independent check says no command
 * named like a write (`Create*`, `Delete*`, `Put*` ...) ever reaches AWS.
 */
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as ec2 from '@aws-sdk/client-ec2';
import * as iam from '@aws-sdk/client-iam';
import * as lambda from '@aws-sdk/client-lambda';
import * as s3 from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLevel } from '../../src/catalog/data.js';
import { resolveOperation } from '../../src/catalog/resolve.js';
import { guardClient, isOperationBlockedError } from '../../src/guard/index.js';
import { DELIBERATE_OVERRIDES } from '../../src/policy/deliberateOverrides.js';
import { clientConfig, startAwsServer, type AwsTestServer } from '../support/awsServer.js';

/* Command classes and clients are used generically here. */
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyClient = { send(command: any): Promise<unknown>; middlewareStack: any; destroy(): void };
type CommandClass = new (input: object) => unknown;

const WRITE_NAME =
  /^(Create|Delete|Put|Update|Modify|Terminate|Run|Start|Stop|Reboot|Attach|Detach|Associate|Disassociate|Authorize|Revoke|Allocate|Release|Import|Copy|Restore|Reset|Replace|Tag|Untag|Enable|Disable|Register|Deregister|Invoke|Publish|Upload|Upgrade|Purchase|Cancel|Accept|Reject|Set|Add|Remove|Change|Upgrade|Restart)[A-Z]/;

function commandClasses(module: Record<string, unknown>): [string, CommandClass][] {
  return Object.entries(module)
    .filter(
      ([name, value]) =>
        /^[A-Z][A-Za-z0-9]*Command$/.test(name) &&
        typeof value === 'function' &&
        typeof (value as { prototype?: { resolveMiddleware?: unknown } }).prototype?.resolveMiddleware === 'function',
    )
    .map(([name, value]) => [name, value as CommandClass]);
}

/** The seed's read pattern, for operations newer than the IAM data. */
const READ_NAME = /^(Describe|List|Get|Head|Search|Lookup|BatchGet)[A-Z0-9]/;

/**
 * The catalog's reading of a command: read-only when every IAM action it
 * needs is Read or List; for an operation the IAM data does not know yet,
 * when its name reads (the seed's classification method 2).
 */
function expectedReadOnly(clientName: string, commandName: string): boolean {
  const resolved = resolveOperation(clientName, commandName, { sdkCommand: true });
  if (resolved.actions.length === 0) return READ_NAME.test(resolved.operationName);
  return resolved.actions.every(
    (a) =>
      (a.accessLevel === AccessLevel.READ || a.accessLevel === AccessLevel.LIST) &&
      DELIBERATE_OVERRIDES[a.iamAction] === undefined,
  );
}

async function attempt(client: AnyClient, Command: CommandClass, input: object): Promise<unknown> {
  return client.send(new Command(input)).then(
    () => undefined,
    (e: unknown) => e,
  );
}

function labelOf(error: unknown): string | undefined {
  return /No value provided for input HTTP label: (\w+)/.exec(error instanceof Error ? error.message : '')?.[1];
}

const CLIENTS: [string, Record<string, unknown>, new (config: object) => AnyClient][] = [
  ['EC2Client', ec2, ec2.EC2Client],
  ['S3Client', s3, s3.S3Client],
  ['LambdaClient', lambda, lambda.LambdaClient],
  ['IAMClient', iam, iam.IAMClient],
  ['DynamoDBClient', dynamodb, dynamodb.DynamoDBClient],
];

describe('every command class of five SDK clients', () => {
  let server: AwsTestServer;
  beforeAll(async () => {
    server = await startAwsServer();
  });
  afterAll(() => server.close());

  for (const [clientName, module, Client] of CLIENTS) {
    it(`${clientName}: writes are blocked with zero requests, reads reach the server`, async () => {
      const client = guardClient(new Client({ ...clientConfig(server, { maxAttempts: 1 }), forcePathStyle: true }));
      const commands = commandClasses(module);
      expect(commands.length).toBeGreaterThan(20);
      const wronglyAllowed: string[] = [];
      const wronglyBlocked: string[] = [];
      const writeNamedSent: string[] = [];
      const readsNotSent: string[] = [];
      let reads = 0;
      let writes = 0;
      for (const [commandName, Command] of commands) {
        const before = server.count();
        let error = await attempt(client, Command, {});
        // A REST read stops at the SDK's own check of a required path label; fill labels in until it is sent.
        const input: Record<string, string> = {};
        for (let label = labelOf(error); label !== undefined && input[label] === undefined; label = labelOf(error)) {
          input[label] = 'inventag-logs';
          error = await attempt(client, Command, input);
        }
        const sent = server.count() - before;
        const readOnly = expectedReadOnly(clientName, commandName);
        if (readOnly) {
          reads += 1;
          if (isOperationBlockedError(error)) wronglyBlocked.push(`${commandName}: ${error.verdict.validationMessage}`);
          else if (sent === 0) readsNotSent.push(`${commandName}: ${String(error)}`);
        } else {
          writes += 1;
          if (!isOperationBlockedError(error) || sent !== 0) wronglyAllowed.push(`${commandName} (sent ${sent})`);
        }
        if (WRITE_NAME.test(commandName) && sent !== 0) writeNamedSent.push(commandName);
      }
      client.destroy();
      expect(wronglyAllowed).toEqual([]);
      expect(writeNamedSent).toEqual([]);
      expect(wronglyBlocked).toEqual([]);
      expect(readsNotSent).toEqual([]);
      expect(reads).toBeGreaterThan(0);
      expect(writes).toBeGreaterThan(reads / 4);
    });
  }
});
