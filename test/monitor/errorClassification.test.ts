import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorSeverity } from '../../src/constants.js';
import { ProductionSafetyMonitor, USER_IMPACT, type ClassifiedError } from '../../src/monitor/index.js';
import { clientConfig, startAwsServer, type AwsTestServer } from '../support/awsServer.js';

/** Run `fn`, which must reject, and return what it threw. */
async function thrownBy(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

let server: AwsTestServer;
const monitor = new ProductionSafetyMonitor({ errorThreshold: 1000 });

beforeAll(async () => {
  server = await startAwsServer();
});
afterAll(async () => {
  await server.close();
});

async function stsError(status: number, code: string): Promise<unknown> {
  server.reset();
  server.inject({ kind: 'error', status, code, service: 'sts', times: 1 });
  const sts = new STSClient(clientConfig(server, { maxAttempts: 1 }));
  return thrownBy(() => sts.send(new GetCallerIdentityCommand({})));
}

function expectClassified(
  context: ClassifiedError,
  severity: ErrorSeverity,
  category: string,
  recovery: RegExp,
  retryable: boolean,
): void {
  expect(context.severity).toBe(severity);
  expect(context.category).toBe(category);
  expect(context.userImpact).toBe(USER_IMPACT[severity]);
  expect(context.recoveryAction).toMatch(recovery);
  expect(context.retryable).toBe(retryable);
  expect(context.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  expect(Number.isNaN(Date.parse(context.timestamp))).toBe(false);
}

describe('handleError with errors from real SDK v3 clients', () => {
  it('expired session tokens are CRITICAL and say how to refresh them', async () => {
    const error = await stsError(400, 'ExpiredToken');
    const context = monitor.handleError(error, {
      service: 'sts',
      operation: 'GetCallerIdentity',
      resourceArn: 'arn:aws:iam::123456789012:role/ReadOnly',
    });
    expectClassified(context, ErrorSeverity.CRITICAL, 'expired_credentials', /aws sso login|assume-role/, false);
    expect(context).toMatchObject({
      errorType: 'ExpiredToken',
      service: 'sts',
      operation: 'GetCallerIdentity',
      resourceArn: 'arn:aws:iam::123456789012:role/ReadOnly',
      httpStatusCode: 400,
    });
    expect(context.userImpact).toBe('System cannot proceed, immediate intervention required');
  });

  it('rejected keys (InvalidClientTokenId, EC2 AuthFailure, S3 InvalidAccessKeyId) are CRITICAL', async () => {
    const sts = monitor.handleError(await stsError(403, 'InvalidClientTokenId'), {
      service: 'sts',
      operation: 'GetCallerIdentity',
    });
    expectClassified(sts, ErrorSeverity.CRITICAL, 'invalid_credentials', /aws sts get-caller-identity/, false);

    server.reset();
    server.inject({ kind: 'error', status: 401, code: 'AuthFailure', service: 'ec2', times: 1 });
    const ec2 = new EC2Client(clientConfig(server, { maxAttempts: 1 }));
    const ec2Error = await thrownBy(() => ec2.send(new DescribeInstancesCommand({})));
    expectClassified(
      monitor.handleError(ec2Error, { service: 'ec2', operation: 'DescribeInstances' }),
      ErrorSeverity.CRITICAL,
      'invalid_credentials',
      /get-caller-identity/,
      false,
    );

    server.reset();
    server.inject({ kind: 'error', status: 403, code: 'InvalidAccessKeyId', service: 's3', times: 1 });
    const s3 = new S3Client({ ...clientConfig(server, { maxAttempts: 1 }), forcePathStyle: true });
    const s3Error = await thrownBy(() => s3.send(new ListBucketsCommand({})));
    expectClassified(
      monitor.handleError(s3Error, { service: 's3', operation: 'ListBuckets' }),
      ErrorSeverity.CRITICAL,
      'invalid_credentials',
      /rotate or reconfigure/,
      false,
    );
  });

  it('AccessDenied and UnauthorizedOperation are HIGH and name the permission to grant', async () => {
    const sts = monitor.handleError(await stsError(403, 'AccessDenied'), {
      service: 'sts',
      operation: 'GetCallerIdentity',
    });
    expectClassified(sts, ErrorSeverity.HIGH, 'access_denied', /read permission for sts:GetCallerIdentity/, false);

    server.reset();
    server.inject({ kind: 'error', status: 403, code: 'UnauthorizedOperation', service: 'ec2', times: 1 });
    const ec2 = new EC2Client(clientConfig(server, { maxAttempts: 1 }));
    const error = await thrownBy(() => ec2.send(new DescribeInstancesCommand({})));
    const context = monitor.handleError(error, { service: 'ec2', operation: 'DescribeInstances' });
    expectClassified(
      context,
      ErrorSeverity.HIGH,
      'access_denied',
      /ec2:DescribeInstances.*service control policies/,
      false,
    );
    expect(context.userImpact).toBe('Operation may fail, significant functionality affected');
    expect(context.requestId).toBeTypeOf('string');
  });

  it('throttling (query, EC2 and JSON protocols) is MEDIUM and retryable', async () => {
    const sts = monitor.handleError(await stsError(400, 'Throttling'), {
      service: 'sts',
      operation: 'GetCallerIdentity',
    });
    expectClassified(sts, ErrorSeverity.MEDIUM, 'throttling', /throttling.*backoff/i, true);

    server.reset();
    server.inject({ kind: 'error', status: 503, code: 'RequestLimitExceeded', service: 'ec2', times: 1 });
    const ec2 = new EC2Client(clientConfig(server, { maxAttempts: 1 }));
    const ec2Error = await thrownBy(() => ec2.send(new DescribeInstancesCommand({})));
    expectClassified(
      monitor.handleError(ec2Error, { service: 'ec2', operation: 'DescribeInstances' }),
      ErrorSeverity.MEDIUM,
      'throttling',
      /backoff/,
      true,
    );

    server.reset();
    server.inject({ kind: 'throttle', service: 'dynamodb', times: 1 });
    const ddb = new DynamoDBClient(clientConfig(server, { maxAttempts: 1 }));
    const ddbError = await thrownBy(() => ddb.send(new ListTablesCommand({})));
    const context = monitor.handleError(ddbError, { service: 'dynamodb', operation: 'ListTables' });
    expectClassified(context, ErrorSeverity.MEDIUM, 'throttling', /backoff/, true);
    expect(context.userImpact).toBe('Operation may be retried, minimal user impact');
  });

  it('5xx answers are MEDIUM server errors and retryable', async () => {
    const context = monitor.handleError(await stsError(503, 'ServiceUnavailable'), {
      service: 'sts',
      operation: 'GetCallerIdentity',
    });
    expectClassified(context, ErrorSeverity.MEDIUM, 'server_error', /HTTP 503.*Health Dashboard/, true);
    server.reset();
    server.inject({ kind: 'error', status: 500, code: 'InternalError', service: 's3', times: 1 });
    const s3 = new S3Client({ ...clientConfig(server, { maxAttempts: 1 }), forcePathStyle: true });
    const s3Error = await thrownBy(() => s3.send(new ListBucketsCommand({})));
    expectClassified(
      monitor.handleError(s3Error, { service: 's3', operation: 'ListBuckets' }),
      ErrorSeverity.MEDIUM,
      'server_error',
      /HTTP 500/,
      true,
    );
  });

  it('validation errors are MEDIUM and not retryable; a missing resource is LOW', async () => {
    const validation = monitor.handleError(await stsError(400, 'ValidationError'), {
      service: 'sts',
      operation: 'GetCallerIdentity',
    });
    expectClassified(validation, ErrorSeverity.MEDIUM, 'validation', /fix the request/, false);
    server.reset();
    server.inject({ kind: 'error', status: 404, code: 'NoSuchBucket', service: 's3', times: 1 });
    const s3 = new S3Client({ ...clientConfig(server, { maxAttempts: 1 }), forcePathStyle: true });
    const missing = await thrownBy(() => s3.send(new ListBucketsCommand({})));
    const context = monitor.handleError(missing, { service: 's3', operation: 'ListBuckets' });
    expectClassified(context, ErrorSeverity.LOW, 'not_found', /does not exist/, false);
    expect(context.userImpact).toBe('Operation continues with degraded functionality');
  });
});

describe('handleError with network failures', () => {
  it('a refused connection (real ECONNREFUSED) gets endpoint advice', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((done) => closed.close(() => done()));
    const sts = new STSClient({ ...clientConfig({ url: `http://127.0.0.1:${port}` }), maxAttempts: 1 });
    const error = await thrownBy(() => sts.send(new GetCallerIdentityCommand({})));
    const context = monitor.handleError(error, { service: 'sts', operation: 'GetCallerIdentity' });
    expectClassified(context, ErrorSeverity.MEDIUM, 'network', /Nothing accepted the connection.*endpoint URL/, true);
    expect(context.errorType).toBe('ECONNREFUSED');
  });

  it('a host name that does not resolve gets DNS advice', async () => {
    const sts = new STSClient({ ...clientConfig({ url: 'http://inventag-monitor-test.invalid' }), maxAttempts: 1 });
    const error = await thrownBy(() => sts.send(new GetCallerIdentityCommand({})));
    const context = monitor.handleError(error, { service: 'sts', operation: 'GetCallerIdentity' });
    // ENOTFOUND, or EAI_AGAIN where no resolver answers at all: both are "the name did not resolve".
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(context.errorType);
    expectClassified(context, ErrorSeverity.MEDIUM, 'network', /host name did not resolve/, true);
  });

  it('a request that times out (SDK requestTimeout against a silent server) gets timeout advice', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    try {
      const { port } = silent.address() as AddressInfo;
      const sts = new STSClient({
        ...clientConfig({ url: `http://127.0.0.1:${port}` }),
        maxAttempts: 1,
        requestHandler: { requestTimeout: 150, throwOnRequestTimeout: true },
      });
      const error = await thrownBy(() => sts.send(new GetCallerIdentityCommand({})));
      const context = monitor.handleError(error, { service: 'sts', operation: 'GetCallerIdentity' });
      expectClassified(context, ErrorSeverity.MEDIUM, 'network', /timed out.*requestTimeout/, true);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((done) => silent.close(() => done()));
    }
  });

  it('ETIMEDOUT, as Node raises it from connect(), gets the same advice', () => {
    // Node builds connect errors this way (lib/internal/errors.js exceptionWithHostPort).
    const error = Object.assign(new Error('connect ETIMEDOUT 10.255.255.1:443'), {
      errno: -110,
      code: 'ETIMEDOUT',
      syscall: 'connect',
      address: '10.255.255.1',
      port: 443,
    });
    const context = monitor.handleError(error, { service: 'ec2', operation: 'DescribeInstances' });
    expectClassified(context, ErrorSeverity.MEDIUM, 'network', /timed out/, true);
    expect(context.errorType).toBe('ETIMEDOUT');
  });
});

describe('handleError with credential provider failures', () => {
  const saved = { ...process.env };
  let home: string;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'inventag-monitor-creds-'));
    const startUrl = 'https://example.awsapps.com/start';
    writeFileSync(
      join(home, 'config'),
      `[profile expired-sso]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = us-east-1\n`,
    );
    writeFileSync(join(home, 'credentials'), '');
    const cache = join(home, '.aws', 'sso', 'cache');
    mkdirSync(cache, { recursive: true });
    const key = createHash('sha1').update(startUrl).digest('hex');
    writeFileSync(
      join(cache, `${key}.json`),
      JSON.stringify({ startUrl, region: 'us-east-1', accessToken: 'cached-token', expiresAt: '2020-01-01T00:00:00Z' }),
    );
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_DEFAULT_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    ]) {
      delete process.env[name];
    }
    Object.assign(process.env, {
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });
  afterAll(() => {
    process.env = saved;
    rmSync(home, { recursive: true, force: true });
  });

  it('no credentials at all is CRITICAL and says how to configure them', async () => {
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: server.url,
      maxAttempts: 1,
      profile: 'no-such-profile',
    });
    const error = await thrownBy(() => sts.send(new GetCallerIdentityCommand({})));
    expect((error as Error).name).toBe('CredentialsProviderError');
    const context = monitor.handleError(error, { service: 'sts', operation: 'GetCallerIdentity' });
    expectClassified(context, ErrorSeverity.CRITICAL, 'missing_credentials', /AWS_PROFILE.*aws configure/, false);
  });

  it('an expired SSO session is CRITICAL and says to run aws sso login', async () => {
    const before = server.count();
    const sts = new STSClient({ region: 'us-east-1', endpoint: server.url, maxAttempts: 1, profile: 'expired-sso' });
    const error = await thrownBy(() => sts.send(new GetCallerIdentityCommand({})));
    expect(server.count()).toBe(before);
    const context = monitor.handleError(error, { service: 'sts', operation: 'GetCallerIdentity' });
    expectClassified(context, ErrorSeverity.CRITICAL, 'sso_session_expired', /aws sso login --profile/, false);
  });
});

describe('handleError with anything thrown', () => {
  it.each([
    ['a string', 'boom', /non-Error value was thrown \(string\): boom/],
    ['undefined', undefined, /\(undefined\): undefined/],
    ['null', null, /\(null\)/],
    ['a number', 42, /\(number\): 42/],
    ['an object without a name', { reason: 'x' }, /\(object\): \{"reason":"x"\}/],
  ])('%s is classified, not rethrown', (_label, value, message) => {
    const context = monitor.handleError(value, { service: 'ec2', operation: 'DescribeInstances' });
    expect(context.category).toBe('non_error_thrown');
    expect(context.severity).toBe(ErrorSeverity.MEDIUM);
    expect(context.errorMessage).toMatch(message);
    expect(context.recoveryAction).toMatch(/throw Error objects/);
  });

  it('survives a value whose getters throw and a missing context', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    const context = monitor.handleError(hostile, undefined as unknown as { service: string; operation: string });
    expect(context.service).toBe('unknown');
    expect(context.operation).toBe('unknown');
    expect(context.severity).toBeDefined();
  });

  it('a plain programming error is HIGH and points at the automation', () => {
    const context = monitor.handleError(new TypeError("Cannot read properties of undefined (reading 'Reservations')"), {
      service: 'ec2',
      operation: 'DescribeInstances',
    });
    expect(context).toMatchObject({ severity: ErrorSeverity.HIGH, category: 'unexpected', errorType: 'TypeError' });
    expect(context.stackTrace).toContain('TypeError');
  });

  it('a recovery action given by the caller wins', () => {
    const context = monitor.handleError(new Error('x'), {
      service: 's3',
      operation: 'ListBuckets',
      recoveryAction: 'Page the on-call engineer',
    });
    expect(context.recoveryAction).toBe('Page the on-call engineer');
  });

  it('masks access key IDs and presigned signatures in messages', () => {
    const context = monitor.handleError(
      new Error(
        'The key AKIAIOSFODNN7EXAMPLE failed for https://b.s3.amazonaws.com/k?X-Amz-Signature=abcdef0123&X-Amz-Credential=AKIA%2F',
      ),
      {
        service: 's3',
        operation: 'GetObject',
      },
    );
    expect(context.errorMessage).not.toContain('IOSFODNN7EXAMPLE');
    expect(context.errorMessage).not.toContain('abcdef0123');
    expect(context.errorMessage).toContain('AKIA[REDACTED]');
  });

  it('a listener or logger that throws does not escape handleError', () => {
    const broken = {
      info: () => {
        throw new Error('disk full');
      },
      warn: () => {
        throw new Error('disk full');
      },
      error: () => {
        throw new Error('disk full');
      },
    };
    const fragile = new ProductionSafetyMonitor({ loggers: { errors: broken, metrics: broken }, errorThreshold: 1 });
    fragile.on('errorHandled', () => {
      throw new Error('listener bug');
    });
    expect(() => fragile.handleError(new Error('x'), { service: 's3', operation: 'ListBuckets' })).not.toThrow();
    expect(fragile.getMonitoringSummary().totalErrors).toBe(1);
  });
});

describe('guard blocks and open circuits', () => {
  const blocked = () =>
    Object.assign(new Error('inventag guard blocked EC2Client TerminateInstancesCommand: Operation blocked'), {
      name: 'OperationBlockedError',
      isOperationBlockedError: true,
      verdict: { riskLevel: 'CRITICAL' },
    });

  it('a guard block is HIGH, not retryable, and recorded as a security event', () => {
    const local = new ProductionSafetyMonitor();
    const events: string[] = [];
    local.on('securityEvent', (e) => events.push(`${e.kind} ${e.service}:${e.operation} ${e.riskLevel}`));
    const context = local.handleError(blocked(), { service: 'ec2', operation: 'TerminateInstances' });
    expect(context).toMatchObject({ severity: ErrorSeverity.HIGH, category: 'operation_blocked', retryable: false });
    expect(context.recoveryAction).toMatch(/guard refused ec2:TerminateInstances/);
    expect(events).toEqual(['operation_blocked ec2:TerminateInstances CRITICAL']);
    expect(local.getMonitoringSummary().blockedOperations).toBe(1);
  });

  it('a block the guard already reported is counted once when the caller also passes it to handleError', () => {
    const local = new ProductionSafetyMonitor();
    local.recordSecurityEvent({
      kind: 'operation_blocked',
      service: 'ec2',
      operation: 'TerminateInstances',
      message: 'blocked',
      riskLevel: 'HIGH',
    });
    local.handleError(blocked(), { service: 'ec2', operation: 'terminate_instances' });
    local.handleError(blocked(), { service: 'ec2', operation: 'TerminateInstances' });
    expect(local.getMonitoringSummary()).toMatchObject({ blockedOperations: 2, securityEvents: 2 });
  });

  it("the guard's CircuitOpenError and cockatiel's BrokenCircuitError are LOW circuit_open", async () => {
    const local = new ProductionSafetyMonitor({ circuitBreakerThreshold: 1 });
    const breaker = local.breakerFor('sts', 'GetCallerIdentity');
    await expect(
      breaker.execute(() =>
        Promise.reject(Object.assign(new Error('down'), { $fault: 'server', $metadata: { httpStatusCode: 503 } })),
      ),
    ).rejects.toThrow('down');
    const open = await thrownBy(() => breaker.execute(() => 'never'));
    const context = local.handleError(open, { service: 'sts', operation: 'GetCallerIdentity' });
    expect(context).toMatchObject({ severity: ErrorSeverity.LOW, category: 'circuit_open', retryable: true });
    const guardOpen = Object.assign(new Error('inventag circuit breaker for sts:GetCallerIdentity is open'), {
      name: 'CircuitOpenError',
      isCircuitOpenError: true,
    });
    expect(local.handleError(guardOpen, { service: 'sts', operation: 'GetCallerIdentity' }).category).toBe(
      'circuit_open',
    );
  });
});
