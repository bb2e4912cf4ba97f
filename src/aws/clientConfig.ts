/**
 * The one place InvenTag builds the configuration of an AWS SDK v3 client.
 * Every client it creates (STS, IAM, S3, CloudTrail, the probes' clients)
 * gets its region, profile, endpoint and credentials from here, plus two
 * things the SDK does not give a Node client by default:
 *
 * - timeouts: without them a request to an endpoint that accepts the
 *   connection and never answers waits forever;
 * - HTTPS_PROXY / HTTP_PROXY / NO_PROXY: SDK v3 on Node ignores them.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AWS_TIMEOUT_DEFAULTS } from './defaults.js';
import { EnvProxyAgent, proxyConfigured } from './proxyAgent.js';

export { AWS_TIMEOUT_DEFAULTS };

/** How a client reaches AWS. */
export interface AwsClientOptions {
  /** @default `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1` */
  region?: string;
  /** @default the SDK's (`AWS_PROFILE`, then `default`) */
  profile?: string;
  /** Endpoint URL, e.g. a VPC endpoint or a local test server. @default AWS's */
  endpoint?: string;
  /** @default the SDK's default credential chain */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** @default the SDK's (3) */
  maxAttempts?: number;
  /**
   * Seconds a request may wait for the response to start, and for the next
   * byte of a response body. A request that takes longer fails with a
   * `TimeoutError` (the SDK retries it like any transient error).
   * @default 30
   */
  timeoutSeconds?: number;
  /** Seconds to establish the connection. @default 5, or `timeoutSeconds` when that is shorter */
  connectTimeoutSeconds?: number;
}

/** The options of the SDK's Node HTTP handler that InvenTag sets. */
export interface AwsRequestHandlerOptions {
  connectionTimeout: number;
  requestTimeout: number;
  throwOnRequestTimeout: boolean;
  socketTimeout: number;
  httpAgent?: EnvProxyAgent;
  httpsAgent?: EnvProxyAgent;
}

/** What `awsClientConfig` returns: accepted by every SDK v3 client constructor. */
export interface AwsClientConfig {
  region: string;
  profile?: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts?: number;
  requestHandler: AwsRequestHandlerOptions;
}

/** Thrown for an option no client could use; the message names it and what is allowed. */
export class AwsClientConfigError extends Error {
  readonly isAwsClientConfigError = true;
  constructor(message: string) {
    super(message);
    this.name = 'AwsClientConfigError';
  }
}

function seconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new AwsClientConfigError(`${name} must be a positive number of seconds, got ${String(value)}`);
  return value;
}

/** The region the options name, or the SDK's usual environment variables. */
export function regionOf(options: Pick<AwsClientOptions, 'region'>, env: NodeJS.ProcessEnv = process.env): string {
  return options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/**
 * The options of the SDK's Node HTTP handler for `options`: the timeouts,
 * and the proxy agent when a proxy variable is set. For a client whose other
 * settings come from elsewhere: `new S3Client({ ...config, requestHandler: awsRequestHandler() })`.
 */
export function awsRequestHandler(
  options: Pick<AwsClientOptions, 'timeoutSeconds' | 'connectTimeoutSeconds'> = {},
): AwsRequestHandlerOptions {
  const timeout = seconds('timeoutSeconds', options.timeoutSeconds, AWS_TIMEOUT_DEFAULTS.requestSeconds);
  const connect = seconds(
    'connectTimeoutSeconds',
    options.connectTimeoutSeconds,
    Math.min(AWS_TIMEOUT_DEFAULTS.connectSeconds, timeout),
  );
  const handler: AwsRequestHandlerOptions = {
    connectionTimeout: Math.round(connect * 1000),
    requestTimeout: Math.round(timeout * 1000),
    // Without it the SDK only logs a warning when requestTimeout passes.
    throwOnRequestTimeout: true,
    socketTimeout: Math.round(timeout * 1000),
  };
  if (proxyConfigured()) {
    const agent = new EnvProxyAgent();
    handler.httpAgent = agent;
    handler.httpsAgent = agent;
  }
  return handler;
}

/**
 * The SDK client configuration for `options`. Use one per client or per
 * group of clients that belong together: with a proxy configured, the
 * clients built from one result share its proxy agent (and its sockets).
 *
 * @example
 * const sts = new STSClient(awsClientConfig({ region: 'eu-west-1', timeoutSeconds: 10 }));
 */
export function awsClientConfig(options: AwsClientOptions = {}): AwsClientConfig {
  const config: AwsClientConfig = { region: regionOf(options), requestHandler: awsRequestHandler(options) };
  if (options.profile !== undefined) config.profile = options.profile;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (options.maxAttempts !== undefined) config.maxAttempts = options.maxAttempts;
  return config;
}

/**
 * A new SDK client configured by `awsClientConfig(options)`, with `extra`
 * (client-specific settings such as S3's `forcePathStyle`) on top.
 *
 * @example
 * const s3 = createAwsClient(S3Client, { endpoint }, { forcePathStyle: true });
 */
export function createAwsClient<C, Config extends object>(
  Client: new (config: Config) => C,
  options: AwsClientOptions = {},
  extra: Partial<Config> = {},
): C {
  return new Client({ ...awsClientConfig(options), ...extra } as unknown as Config);
}

/** The `aws` section of InvenTag's configuration, as far as clients need it. */
export interface AwsConnectionSettings {
  profile?: string | undefined;
  regions: readonly string[];
  endpoint?: string | undefined;
  timeoutSeconds?: number | undefined;
  connectTimeoutSeconds?: number | undefined;
}

/**
 * The client options of a configuration's `aws` section (profile, first region, endpoint, timeouts), with
 * `credentials` when InvenTag resolved them itself; then the profile is not passed (the credentials win).
 */
export function awsOptionsFromConfig(
  aws: AwsConnectionSettings,
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): AwsClientOptions {
  const region = aws.regions[0];
  return {
    ...(aws.profile && !credentials ? { profile: aws.profile } : {}),
    ...(region ? { region } : {}),
    ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
    ...(aws.timeoutSeconds ? { timeoutSeconds: aws.timeoutSeconds } : {}),
    ...(aws.connectTimeoutSeconds ? { connectTimeoutSeconds: aws.connectTimeoutSeconds } : {}),
    ...(credentials ? { credentials } : {}),
  };
}
