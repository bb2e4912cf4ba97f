import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/contracts.js';
import { VerdictEngine } from '../../src/policy/index.js';
import { SessionLedger } from '../../src/manager/session/SessionLedger.js';

const engine = new VerdictEngine();
const at = Date.parse('2026-11-20T10:00:30Z');

describe('SessionLedger filing', () => {
  it("files verdicts and outcomes under the IAM action's names, the SDK's where the verdict named none", () => {
    const ledger = new SessionLedger();
    // S3's ListBuckets is the IAM action s3:ListAllMyBuckets: counted under that name.
    const list = engine.decide('s3', 'ListBuckets');
    expect(list.iamAction).toBe('s3:ListAllMyBuckets');
    ledger.noteVerdict(list, at);
    ledger.noteVerdict(list, at + 1);
    ledger.noteOutcome('s3', 'ListBuckets', 0.25, true, at);
    ledger.noteOutcome('s3', 'ListBuckets', 0.5, false, at + 1);
    // A verdict without an action (and one whose action has no service prefix) is counted under the SDK's names.
    const bare: Verdict = { ...engine.decide('ec2', 'DescribeInstances'), iamAction: undefined };
    ledger.noteVerdict(bare, at);
    ledger.noteOutcome('ec2', 'DescribeInstances', 1, true, at);
    const odd: Verdict = { ...engine.decide('ec2', 'DescribeVolumes'), iamAction: 'NoPrefix' };
    ledger.noteVerdict(odd, at);
    const blocked = engine.decide('ec2', 'TerminateInstances');
    expect(blocked.isValid).toBe(false);
    ledger.noteVerdict(blocked, at);
    ledger.noteVerdict(blocked, at + 60_000);

    expect(ledger.operations()).toEqual([
      {
        service: 'ec2',
        operation: 'TerminateInstances',
        iamAction: 'ec2:TerminateInstances',
        decision: 'blocked',
        outcome: 'not_run',
        count: 2,
      },
      {
        service: 's3',
        operation: 'ListAllMyBuckets',
        iamAction: 's3:ListAllMyBuckets',
        decision: 'allowed',
        outcome: 'success',
        count: 1,
      },
      {
        service: 's3',
        operation: 'ListAllMyBuckets',
        iamAction: 's3:ListAllMyBuckets',
        decision: 'allowed',
        outcome: 'failure',
        count: 1,
      },
      { service: 'ec2', operation: 'DescribeInstances', decision: 'allowed', outcome: 'success', count: 1 },
      {
        service: 'ec2',
        operation: 'DescribeVolumes',
        iamAction: 'NoPrefix',
        decision: 'allowed',
        outcome: 'not_run',
        count: 1,
      },
    ]);
    // The outcome of ec2:DescribeInstances has no remembered action (its verdict named none): the SDK's names.
    expect(ledger.durations()).toEqual([
      { service: 's3', operation: 'ListAllMyBuckets', iamAction: 's3:ListAllMyBuckets', seconds: [0.25, 0.5] },
      { service: 'ec2', operation: 'DescribeInstances', seconds: [1] },
    ]);
    expect(ledger.timeline()).toEqual([
      { start: '2026-11-20T10:00:00.000Z', allowed: 4, blocked: 1, failed: 1 },
      { start: '2026-11-20T10:01:00.000Z', allowed: 0, blocked: 1, failed: 0 },
    ]);
  });

  it('files an outcome under the action the latest verdict for that SDK name gave', () => {
    const ledger = new SessionLedger();
    const first: Verdict = { ...engine.decide('s3', 'ListBuckets'), iamAction: 's3:ListBuckets' };
    ledger.noteVerdict(first, at);
    ledger.noteOutcome('s3', 'ListBuckets', 0.1, true, at);
    ledger.noteVerdict(engine.decide('s3', 'ListBuckets'), at);
    ledger.noteOutcome('s3', 'ListBuckets', 0.2, true, at);
    expect(ledger.durations().map((d) => [d.operation, d.seconds])).toEqual([
      ['ListBuckets', [0.1]],
      ['ListAllMyBuckets', [0.2]],
    ]);
  });
});
