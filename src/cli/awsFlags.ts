/**
 * The aws-cli style connection flags every command that calls AWS takes:
 * `--profile`, `--region`, `--endpoint-url` and `--timeout`. One parser, so
 * `check`, `cloudtrail lookup`, `identity` and `permissions` read them alike.
 */
import type { Command } from 'commander';
import type { AwsClientOptions, AwsConnectionSettings } from '../aws/clientConfig.js';
import { UsageError } from './errors.js';

export interface AwsFlags {
  profile?: string;
  /** A string, or a list for commands that take the flag more than once. */
  region?: string | string[];
  endpointUrl?: string;
  timeout?: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Adds the flags. `region: 'many'` makes `--region` repeatable (commands that
 * read several regions); `false` leaves `--region` to the command.
 */
export function addAwsFlags(command: Command, region: 'one' | 'many' | false = 'one'): Command {
  command.option('--profile <name>', 'AWS profile (default: AWS_PROFILE, then "default")');
  if (region === 'one')
    command.option('--region <region>', 'AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1)');
  if (region === 'many')
    command.option(
      '--region <region>',
      'a region (repeat for several; default: AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1)',
      collect,
    );
  return command
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (a VPC endpoint or a local test server)')
    .option(
      '--timeout <seconds>',
      'seconds an AWS request may wait for an answer before it fails as an AWS error (exit 6; default 30)',
    );
}

/** The timeout in seconds, or undefined when not given; bad values are usage errors naming the flag. */
export function timeoutOf(flags: Pick<AwsFlags, 'timeout'>): number | undefined {
  if (flags.timeout === undefined) return undefined;
  const n = Number(flags.timeout);
  if (flags.timeout.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 3600)
    throw new UsageError(
      `--timeout must be a number of seconds above 0 and at most 3600, got ${JSON.stringify(flags.timeout)}`,
    );
  return n;
}

/** The regions given, validated (empty when none). */
export function regionsOf(flags: Pick<AwsFlags, 'region'>): string[] {
  const list = flags.region === undefined ? [] : Array.isArray(flags.region) ? flags.region : [flags.region];
  for (const r of list)
    if (!REGION.test(r)) throw new UsageError(`--region ${JSON.stringify(r)} is not an AWS region such as "us-east-1"`);
  return list;
}

/** The client options the flags describe; each bad flag is a usage error (exit 2) that names it. */
export function awsOptionsOf(flags: AwsFlags): AwsClientOptions {
  const options: AwsClientOptions = {};
  if (flags.profile !== undefined) {
    if (flags.profile.trim() === '') throw new UsageError('--profile must name a profile');
    options.profile = flags.profile;
  }
  const region = regionsOf(flags)[0];
  if (region) options.region = region;
  if (flags.endpointUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(flags.endpointUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      throw new UsageError(
        `--endpoint-url: ${JSON.stringify(flags.endpointUrl)} is not an http(s) URL; expected e.g. https://sts.eu-west-1.amazonaws.com`,
      );
    options.endpoint = flags.endpointUrl;
  }
  const timeout = timeoutOf(flags);
  if (timeout !== undefined) options.timeoutSeconds = timeout;
  return options;
}

/** `--profile`, `--region` (repeatable), `--endpoint-url` and `--timeout` win over the configuration's `aws`. */
export function applyAwsFlags(aws: AwsConnectionSettings & { regions: string[] }, flags: AwsFlags): void {
  const given = awsOptionsOf(flags);
  if (given.profile) aws.profile = given.profile;
  const regions = regionsOf(flags);
  if (regions.length) aws.regions = regions;
  if (given.endpoint) aws.endpoint = given.endpoint;
  if (given.timeoutSeconds) aws.timeoutSeconds = given.timeoutSeconds;
}
