/**
 * Audit stores for tests, written through the public API as the guard writes
 * them.
 */
import { AuditStore, type AuditEntryInput } from '../../src/audit/index.js';

/** A plausible attempt; `i` varies the operation so entries differ. */
export function attempt(i = 0, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    service: 'ec2',
    operation: i % 2 === 0 ? 'DescribeInstances' : 'DescribeVolumes',
    iamAction: i % 2 === 0 ? 'ec2:DescribeInstances' : 'ec2:DescribeVolumes',
    operationType: 'read_only',
    decision: 'allowed',
    riskLevel: 'LOW',
    complianceStandard: 'soc2',
    identity: { account: '123456789012', arn: 'arn:aws:iam::123456789012:role/reader', type: 'AssumedRole' },
    requestParameters: { MaxResults: 50, Filters: [{ Name: 'tag:env', Values: [`prod-${i}`] }] },
    ...overrides,
  };
}

/**
 * Writes a format-2 store at `path` with every kind of attempt a reader meets: 2,600 calls a quarter second
 * apart, with or without a resource, an account-only, role-only or no identity and a validation message; every
 * 13th blocked with its outcome in the attempt; every 17th with no outcome; the others' outcomes staged up to
 * four attempts later (as with concurrent calls), failed or not, with or without an HTTP status; then a
 * cleanup down to 4,000 entries, so the chain starts at a checkpoint.
 */
export async function writeVariedStore(path: string): Promise<void> {
  let now = Date.parse('2026-11-20T00:00:00Z');
  const store = AuditStore.open({ path, durability: 'normal', clock: () => new Date((now += 250)) });
  const pending: string[] = [];
  for (let i = 0; i < 2600; i++) {
    const a = attempt(i, {
      ...(i % 7 === 0 ? { resourceArn: `arn:aws:ec2:us-east-1:123456789012:instance/i-${i}` } : {}),
      ...(i % 5 === 0 ? { identity: { account: '123456789012' } } : {}),
      ...(i % 23 === 0 ? { identity: { type: 'AssumedRole', arn: 'arn:aws:iam::123456789012:role/r' } } : {}),
      ...(i % 29 === 0 ? { identity: undefined } : {}),
      ...(i % 11 === 0 ? { validationMessage: 'Operation approved' } : {}),
    });
    if (i % 13 === 0) {
      store.append({
        ...a,
        decision: 'blocked',
        operation: 'TerminateInstances',
        outcome: { success: false, errorCode: 'Blocked', durationMs: 0 },
      });
      continue;
    }
    const { auditId } = store.stageAttempt(a);
    if (i % 17 === 0) continue; // no outcome recorded
    pending.push(auditId);
    if (pending.length < (i % 4) + 1) continue;
    store.stageOutcome(pending.shift()!, {
      success: i % 3 !== 0,
      ...(i % 3 === 0 ? { errorCode: 'ThrottlingException' } : {}),
      durationMs: 12.5 + (i % 9),
      ...(i % 2 === 0 ? { httpStatus: 200 } : {}),
    });
  }
  store.cleanup({ maxEntries: 4000 });
  await store.flush();
  await store.close();
}
