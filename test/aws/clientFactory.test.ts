import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig, awsRequestHandler, createAwsClient } from '../../src/aws/clientConfig.js';
import { isAwsTimeoutError, toAwsNetworkError } from '../../src/aws/errors.js';
import { cloudTrailHandler } from '../support/aws/cloudtrail.js';
import { startHungServer, type HungServer } from '../support/aws/hungServer.js';
import { startAwsServer, stsHandler, type AwsTestServer } from '../support/awsServer.js';
import { runCli } from '../support/cli.js';
import { startConnectProxy, type ConnectProxy } from '../support/connectProxy.js';

// Every AWS client InvenTag creates comes from src/aws/clientConfig.ts: timeouts, proxy, profile/region/endpoint.
const dir = mkdtempSync(join(tmpdir(), 'inventag-client-factory-'));
const PRINCIPAL = 'arn:aws:iam::123456789012:role/inventory';
const hermetic = {
  HOME: dir,
  AWS_CONFIG_FILE: join(dir, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  INVENTAG_DATA_DIRECTORY: join(dir, 'data'),
  HTTPS_PROXY: '',
  HTTP_PROXY: '',
  https_proxy: '',
  http_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
};

let hung: HungServer;
let server: AwsTestServer;
let proxy: ConnectProxy;
beforeAll(async () => {
  hung = await startHungServer();
  server = await startAwsServer({ handlers: [stsHandler(), cloudTrailHandler({ events: {} })] });
  proxy = await startConnectProxy();
});
afterAll(async () => {
  await Promise.all([hung.close(), server.close(), proxy.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('timeouts', () => {
  it('a client from the factory fails with a TimeoutError on an endpoint that never answers', async () => {
    // Prepare
    const sts = createAwsClient(STSClient, {
      endpoint: hung.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
      maxAttempts: 1,
      timeoutSeconds: 0.5,
    });
    const before = hung.connections;
    // Act
    const error = await sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
    sts.destroy();
    // Assess
    expect(isAwsTimeoutError(error)).toBe(true);
    expect(toAwsNetworkError(error, 'sts:GetCallerIdentity', 0.5)?.message).toMatch(
      /sts:GetCallerIdentity: the AWS endpoint did not answer within 0.5 s timeout/,
    );
    expect(hung.connections - before).toBe(1);
  });

  it('defaults: 30 s per request, 5 s to connect; a bad value is refused with its name', () => {
    const handler = awsRequestHandler();
    expect(handler).toMatchObject({ requestTimeout: 30_000, connectionTimeout: 5_000, throwOnRequestTimeout: true });
    expect(awsRequestHandler({ timeoutSeconds: 2 })).toMatchObject({ requestTimeout: 2000, connectionTimeout: 2000 });
    expect(() => awsRequestHandler({ timeoutSeconds: 0 })).toThrow(/timeoutSeconds must be a positive number/);
    expect(awsClientConfig({ region: 'eu-west-1', profile: 'p', endpoint: 'http://x' })).toMatchObject({
      region: 'eu-west-1',
      profile: 'p',
      endpoint: 'http://x',
    });
  });

  it('inventag identity on a hung endpoint: exit 6 naming the timeout', async () => {
    const before = hung.connections;
    const r = await runCli(['identity', '--endpoint-url', hung.url, '--timeout', '1'], { env: hermetic });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/sts:GetCallerIdentity: the AWS endpoint did not answer within 1 s timeout/);
    expect(r.stderr).toMatch(/raise --timeout/);
    // The SDK's standard retries: three attempts, each cut off by the timeout.
    expect(hung.connections - before).toBe(3);
  });

  it('inventag check on a hung endpoint: exit 6, no report claims anything', async () => {
    const out = join(dir, 'check-hung');
    const r = await runCli(['check', '--endpoint-url', hung.url, '--timeout', '1', '--out', out, '--quiet'], {
      env: hermetic,
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/did not answer within 1 s timeout/);
  });

  it('inventag cloudtrail lookup on a hung endpoint: exit 6', async () => {
    const before = hung.connections;
    const r = await runCli(
      ['cloudtrail', 'lookup', '--principal', PRINCIPAL, '--endpoint-url', hung.url, '--timeout', '1'],
      { env: hermetic, timeoutMs: 120_000 },
    );
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/LookupEvents in us-east-1 failed/);
    expect(hung.connections - before).toBeGreaterThan(0);
  }, 120_000);

  it('--timeout takes seconds; anything else is bad usage', async () => {
    for (const bad of ['0', '-1', 'soon']) {
      const r = await runCli(['identity', '--endpoint-url', hung.url, '--timeout', bad], { env: hermetic });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--timeout must be a number of seconds/);
    }
    const r = await runCli(['check', '--region', 'nowhere', '--out', join(dir, 'x')], { env: hermetic });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--region "nowhere" is not an AWS region/);
  });
});

describe('HTTPS_PROXY / HTTP_PROXY / NO_PROXY', () => {
  it('inventag identity goes through the proxy: one tunnel to the endpoint, and the answer comes back', async () => {
    const [tunnels, requests] = [proxy.tunnels, server.count()];
    const r = await runCli(['identity', '--endpoint-url', server.url, '--json'], {
      env: { ...hermetic, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).arn).toMatch(/^arn:aws:/);
    expect(proxy.tunnels - tunnels).toBe(1);
    expect(proxy.targets.at(-1)).toBe(`127.0.0.1:${server.port}`);
    expect(server.count() - requests).toBe(1);
  });

  it('inventag cloudtrail lookup goes through the proxy too (lower-case http_proxy)', async () => {
    const [tunnels, requests] = [proxy.tunnels, server.count({ operation: 'LookupEvents' })];
    const r = await runCli(['cloudtrail', 'lookup', '--principal', PRINCIPAL, '--endpoint-url', server.url, '--json'], {
      env: { ...hermetic, http_proxy: proxy.url },
    });
    expect(r.code).toBe(0);
    expect(server.count({ operation: 'LookupEvents' }) - requests).toBeGreaterThan(0);
    expect(proxy.tunnels - tunnels).toBeGreaterThan(0);
  });

  it('NO_PROXY naming the host: a direct connection, no tunnel', async () => {
    const [tunnels, requests] = [proxy.tunnels, server.count()];
    const r = await runCli(['identity', '--endpoint-url', server.url, '--json'], {
      env: { ...hermetic, HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' },
    });
    expect(r.code).toBe(0);
    expect(proxy.tunnels - tunnels).toBe(0);
    expect(server.count() - requests).toBe(1);
  });

  it('a proxy that is down is a network error (exit 6), not a silent direct connection', async () => {
    const requests = server.count();
    const r = await runCli(['identity', '--endpoint-url', server.url, '--timeout', '2'], {
      env: { ...hermetic, HTTP_PROXY: 'http://127.0.0.1:9' },
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/cannot reach the AWS endpoint|did not answer/);
    expect(server.count() - requests).toBe(0);
  });
});
