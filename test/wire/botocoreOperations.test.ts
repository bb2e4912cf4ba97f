/**
 * Every operation of EC2, S3, IAM, DynamoDB, Lambda, STS and CloudTrail, as
 * the installed botocore (the AWS CLI's and boto3's own serializer) builds
 * it, decodes to its own operation name.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRequest } from '../../src/wire/index.js';

interface Captured {
  service: string;
  operation: string;
  request: { method: string; url: string; headers: Record<string, string>; body: string } | null;
  error: string | null;
}

/** Deprecated S3 operations that send exactly the request of their successor (same IAM action). */
const WIRE_IDENTICAL: Record<string, string> = {
  GetBucketLifecycle: 'GetBucketLifecycleConfiguration',
  PutBucketLifecycle: 'PutBucketLifecycleConfiguration',
  GetBucketNotification: 'GetBucketNotificationConfiguration',
  PutBucketNotification: 'PutBucketNotificationConfiguration',
};

const SERVICES = ['ec2', 's3', 'iam', 'dynamodb', 'lambda', 'sts', 'cloudtrail'];
const script = join(import.meta.dirname, '..', 'support', 'botocore', 'operations.py');

function capture(): Captured[] {
  const out = execFileSync('python3', [script, 'capture', ...SERVICES], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIDCAPTURE',
      AWS_SECRET_ACCESS_KEY: 'capture-secret',
      AWS_REGION: 'us-east-1',
    },
  });
  return JSON.parse(out) as Captured[];
}

describe('wire decoder against botocore', () => {
  const captured = capture();

  it('botocore built a request for every operation', () => {
    expect(captured.filter((c) => c.request === null).map((c) => `${c.service}:${c.operation} ${c.error}`)).toEqual([]);
    for (const service of SERVICES) expect(captured.filter((c) => c.service === service).length).toBeGreaterThan(5);
  });

  it('decodes every operation to its own name', () => {
    const wrong: string[] = [];
    for (const c of captured) {
      if (c.request === null) continue;
      const url = new URL(c.request.url);
      const decision = decodeRequest(
        {
          method: c.request.method,
          hostname: url.hostname,
          path: url.pathname + url.search,
          headers: c.request.headers,
          body: Buffer.from(c.request.body, 'base64'),
        },
        { signingName: c.service },
      );
      const got = decision.ok ? decision.operation : `${decision.reason}: ${decision.message}`;
      if (got !== (WIRE_IDENTICAL[c.operation] ?? c.operation))
        wrong.push(`${c.service}:${c.operation} ${c.request.method} ${url.pathname}${url.search} -> ${got}`);
    }
    expect(wrong).toEqual([]);
  });
});
