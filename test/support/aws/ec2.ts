/** EC2 DescribeInstances (EC2 query protocol), paginated with MaxResults / NextToken, filtered by InstanceId.N. */
import { ec2Items, HandlerError, page, queryResult, xmlText } from './protocol.js';
import type { ServiceHandler } from './types.js';

export interface Ec2Instance {
  instanceId: string;
  instanceType: string;
  state: 'pending' | 'running' | 'stopped' | 'terminated';
  tags?: Record<string, string>;
}

export interface Ec2HandlerOptions {
  /** @default 3 running instances, i-00000000000000001 .. 3 */
  instances?: Ec2Instance[];
  /** Page size when the request gives no MaxResults. @default 1000 */
  defaultPageSize?: number;
}

const STATE_CODES: Record<Ec2Instance['state'], number> = { pending: 0, running: 16, stopped: 80, terminated: 48 };

export function makeInstances(count: number): Ec2Instance[] {
  return Array.from({ length: count }, (_, i) => ({
    instanceId: `i-${String(i + 1).padStart(17, '0')}`,
    instanceType: 't3.micro',
    state: 'running' as const,
    tags: { Name: `instance-${i + 1}`, Environment: 'production' },
  }));
}

function instanceXml(instance: Ec2Instance): string {
  const tags = Object.entries(instance.tags ?? {}).map(
    ([key, value]) => `${xmlText('key', key)}${xmlText('value', value)}`,
  );
  return (
    `${xmlText('instanceId', instance.instanceId)}${xmlText('instanceType', instance.instanceType)}` +
    `<instanceState>${xmlText('code', STATE_CODES[instance.state])}${xmlText('name', instance.state)}</instanceState>` +
    `<tagSet>${ec2Items(tags)}</tagSet>`
  );
}

export function ec2Handler(options: Ec2HandlerOptions = {}): ServiceHandler {
  const instances = options.instances ?? makeInstances(3);
  const defaultPageSize = options.defaultPageSize ?? 1000;
  return {
    name: 'ec2',
    matches: (req) => req.service === 'ec2' && req.operation === 'DescribeInstances',
    handle: (req) => {
      const maxResults = req.params.MaxResults === undefined ? defaultPageSize : Number(req.params.MaxResults);
      if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 1000) {
        throw new HandlerError(
          400,
          'InvalidParameterValue',
          `MaxResults must be between 5 and 1000, got ${req.params.MaxResults}`,
        );
      }
      const wanted = Object.entries(req.params)
        .filter(([name]) => /^InstanceId\.\d+$/.test(name))
        .map(([, id]) => id);
      const selected = wanted.length === 0 ? instances : instances.filter((i) => wanted.includes(i.instanceId));
      const { items, next } = page(selected, req.params.NextToken, maxResults);
      // One reservation per instance keeps the shape real without modelling launches.
      const reservations = items.map(
        (instance, i) =>
          `${xmlText('reservationId', `r-${String(i).padStart(17, '0')}`)}${xmlText('ownerId', '123456789012')}<groupSet/><instancesSet>${ec2Items([instanceXml(instance)])}</instancesSet>`,
      );
      return queryResult(
        req,
        `<reservationSet>${ec2Items(reservations)}</reservationSet>${xmlText('nextToken', next)}`,
      );
    },
  };
}

/** EC2 DescribeRegions answering one region: the read probe every check sends. */
export function describeRegionsHandler(region = 'us-east-1'): ServiceHandler {
  return {
    name: 'ec2-regions',
    matches: (req) => req.service === 'ec2' && req.operation === 'DescribeRegions',
    handle: (req) =>
      queryResult(
        req,
        `<regionInfo><item>${xmlText('regionName', region)}${xmlText('regionEndpoint', `ec2.${region}.amazonaws.com`)}</item></regionInfo>`,
      ),
  };
}
