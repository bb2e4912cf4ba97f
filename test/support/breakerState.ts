/** A monitor state file with breakers ec2:DescribeInstances and s3:ListBuckets OPEN, sts:GetCallerIdentity CLOSED. */
import { ProductionSafetyMonitor } from '../../src/monitor/index.js';

export async function writeBreakerState(path: string): Promise<void> {
  const monitor = new ProductionSafetyMonitor({ circuitBreakerThreshold: 1, circuitBreakerTimeout: 600 });
  const down = Object.assign(new Error('down'), {
    name: 'ServiceUnavailable',
    $fault: 'server',
    $metadata: { httpStatusCode: 503 },
  });
  await monitor
    .breakerFor('ec2', 'DescribeInstances')
    .execute(() => Promise.reject(down))
    .catch(() => undefined);
  await monitor
    .breakerFor('s3', 'ListBuckets')
    .execute(() => Promise.reject(down))
    .catch(() => undefined);
  await monitor.breakerFor('sts', 'GetCallerIdentity').execute(() => 'ok');
  await monitor.saveState(path);
}
