import { describe, expect, it } from 'vitest';
import { VerdictEngine } from '../../src/policy/VerdictEngine.js';

describe('VerdictEngine cache', () => {
  it('answers a repeated call from the cache with the same verdict', () => {
    const engine = new VerdictEngine();
    const first = engine.decide('ec2', 'DescribeInstances');
    expect(engine.decide('ec2', 'DescribeInstances')).toBe(first);
    expect(first.isValid).toBe(true);
  });

  it('keeps SDK command names and plain names apart', () => {
    const engine = new VerdictEngine();
    // Plain names: `SendCommandCommand` is not an operation; as an SDK command class it is ssm:SendCommand.
    const sdk = engine.decideSdk('SSMClient', 'SendCommandCommand');
    const plain = engine.decide('SSMClient', 'SendCommandCommand');
    expect(sdk.iamAction).toBe('ssm:SendCommand');
    expect(engine.decideSdk('SSMClient', 'SendCommandCommand')).toBe(sdk);
    expect(plain).not.toBe(sdk);
    expect(engine.decide('SSMClient', 'SendCommandCommand')).toEqual(plain);
  });

  it('stays correct past its bound: every verdict matches a fresh engine', () => {
    const small = new VerdictEngine({ cacheSize: 3 });
    const ops: [string, string][] = [
      ['ec2', 'DescribeInstances'],
      ['ec2', 'TerminateInstances'],
      ['s3', 'ListBuckets'],
      ['s3', 'PutObject'],
      ['iam', 'GetUser'],
      ['iam', 'CreateUser'],
      ['sts', 'GetCallerIdentity'],
    ];
    for (let round = 0; round < 5; round++)
      for (const [service, operation] of ops) {
        const fresh = new VerdictEngine().decide(service, operation);
        const v = small.decide(service, operation);
        expect([v.iamAction, v.isValid, v.operationType]).toEqual([
          fresh.iamAction,
          fresh.isValid,
          fresh.operationType,
        ]);
      }
  });
});
