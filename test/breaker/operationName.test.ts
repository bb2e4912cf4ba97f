/** One operation-name normaliser: the catalog, the guard's breakers and the monitor's breakers name a call alike. */
import { CircuitState } from 'cockatiel';
import { describe, expect, test } from 'vitest';
import { BreakerRegistry } from '../../src/breaker/index.js';
import { canonicalOperationName, resolveOperation } from '../../src/catalog/index.js';
import { OperationGuard, validateAndMonitorOperation } from '../../src/guard/index.js';
import { ProductionSafetyMonitor } from '../../src/monitor/index.js';

describe('canonicalOperationName', () => {
  test.each([
    ['describe_instances', 'DescribeInstances'],
    ['DESCRIBE_INSTANCES', 'DescribeInstances'],
    ['describe-instances', 'DescribeInstances'],
    ['describeInstances', 'DescribeInstances'],
    ['DescribeInstances', 'DescribeInstances'],
    [' list_buckets ', 'ListBuckets'],
    ['list buckets', 'ListBuckets'],
    ['GetBucketCORS', 'GetBucketCORS'],
  ])('%j -> %s', (input, expected) => {
    expect(canonicalOperationName(input)).toBe(expected);
  });

  test.each(['DESCRIBE_INSTANCES', 'describe-instances', 'describeInstances', 'DescribeInstancesCommand'])(
    'the breaker key of %j is the one the catalog and the guard use',
    (spelling) => {
      expect(BreakerRegistry.key('ec2', spelling)).toBe('ec2:DescribeInstances');
      if (!spelling.endsWith('Command'))
        expect(resolveOperation('ec2', spelling).operationName).toBe('DescribeInstances');
    },
  );

  test('a call made by the guard in one spelling and counted by the monitor in another lands on one breaker', async () => {
    const monitor = new ProductionSafetyMonitor({ circuitBreakerThreshold: 2 });
    const guard = new OperationGuard({ monitor });
    const outage = Object.assign(new Error('down'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    for (const spelling of ['DESCRIBE_INSTANCES', 'describe-instances']) {
      await validateAndMonitorOperation(guard, {
        service: 'ec2',
        operation: spelling,
        operationFunc: () => Promise.reject(outage),
      });
    }
    expect(monitor.breakerFor('EC2', 'DescribeInstances').state).toBe(CircuitState.Open);
  });
});
