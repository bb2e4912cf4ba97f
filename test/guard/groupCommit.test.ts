/**
 * The guard's group commit with a real AuditStore: real EC2 clients against
 * the loopback AWS server. Concurrent guarded calls share one transaction and
 * one fsync for their attempts, all committed before the first request
 * leaves; a commit that fails blocks every call of its batch before anything
 * is sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { guardClient } from '../../src/guard/plugin.js';
import { validateAndMonitorOperation } from '../../src/guard/validateAndMonitorOperation.js';
import { ComplianceManager } from '../../src/manager/index.js';
import { clientConfig, startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { attempt } from '../audit/helpers.js';
import { blocked, fillStore, onFirstRequest } from './helpers.js';

const CONCURRENT = 16;

let server: AwsTestServer;
beforeAll(async () => (server = await startAwsServer()));
afterAll(() => server.close());

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'inventag-group-commit-'));
  server.reset();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A store that refuses every further write with STORE_FULL. */
function fullStore(): AuditStore {
  const store = AuditStore.open({ path: join(dir, 'full.db'), maxSizeBytes: 128 * 1024 });
  fillStore(store);
  return store;
}

describe('group commit on the guarded path', () => {
  it(`${CONCURRENT} concurrent manager.guard calls: their attempts share one transaction and one fsync before any request leaves, and the chain verifies`, async () => {
    const manager = new ComplianceManager({ dataDirectory: dir });
    const ec2 = manager.guard(new EC2Client(clientConfig(server)));
    try {
      await ec2.send(new DescribeInstancesCommand({}));
      const store = manager.auditStore() as AuditStore;
      await store.flush();
      const before = store.writeStats;
      const watch = onFirstRequest(server, () => store.writeStats);
      await Promise.all(Array.from({ length: CONCURRENT }, () => ec2.send(new DescribeInstancesCommand({}))));
      // When the first request arrived, all the attempts were committed, in one transaction with one fsync started.
      expect(watch.seen).toEqual({
        transactions: before.transactions + 1,
        fsyncs: before.fsyncs + 1,
        onWriterThread: 0,
      });
      await store.flush();
      const attempts = [...store.entries()].filter((e) => e.kind === 'attempt');
      expect(attempts).toHaveLength(CONCURRENT + 1);
      // One transaction: the batch's attempts are consecutive in the chain.
      const batch = attempts.slice(1).map((e) => e.sequence);
      expect(batch).toEqual(Array.from({ length: CONCURRENT }, (_, i) => (batch[0] as number) + i));
      for (const e of attempts) expect(e.outcome).toMatchObject({ success: true, httpStatus: 200 });
      expect(store.verify()).toMatchObject({ ok: true, checked: 2 * (CONCURRENT + 1) });
      expect(server.count({ operation: 'DescribeInstances' })).toBe(CONCURRENT + 1);
    } finally {
      ec2.destroy();
      await manager.close();
    }
  });

  it('attempts staged in one task are committed together: the commit resolves before the fsync, both before the next task', async () => {
    const store = AuditStore.open({ path: join(dir, 'audit.db') });
    try {
      const before = store.writeStats;
      const staged = Array.from({ length: CONCURRENT }, () => store.stageAttempt(attempt(0)));
      // Nothing is written while the task that staged them runs.
      expect(store.writeStats).toEqual(before);
      const receipts = await Promise.all(staged.map((s) => s.committed));
      expect(store.writeStats).toEqual({
        transactions: before.transactions + 1,
        fsyncs: before.fsyncs + 1,
        onWriterThread: 0,
      });
      expect(receipts.map((r) => r.auditId)).toEqual(staged.map((s) => s.auditId));
      await Promise.all(staged.map((s) => s.durable));
      expect(store.writeStats.fsyncs).toBe(before.fsyncs + 1);
      for (const s of staged) store.stageOutcome(s.auditId, { success: true, durationMs: 1 });
      await store.flush();
      expect(store.verify()).toMatchObject({ ok: true, checked: 2 * CONCURRENT });
    } finally {
      await store.close();
    }
  });

  it('a batch whose commit fails blocks every one of its calls, and none reaches the network', async () => {
    const store = fullStore();
    const manager = new ComplianceManager({ dataDirectory: dir }, { audit: store, loggers: false });
    const ec2 = manager.guard(new EC2Client(clientConfig(server)));
    const plain = guardClient(new EC2Client(clientConfig(server)), { audit: store });
    try {
      const errors = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, i) =>
          blocked((i % 2 === 0 ? ec2 : plain).send(new DescribeInstancesCommand({}))),
        ),
      );
      for (const error of errors) {
        expect(error.reason).toBe('audit-unavailable');
        expect(error.verdict.validationMessage).toContain('full');
      }
      const checked = await validateAndMonitorOperation(
        { audit: store },
        {
          service: 'ec2',
          operation: 'DescribeInstances',
          operationFunc: () => {
            throw new Error('must not run');
          },
        },
      );
      expect(checked).toMatchObject({ validationPassed: false, operationSuccessful: false });
      expect(checked.verdict.validationMessage).toContain('the audit trail could not record the attempt');
      const validated = await validateAndMonitorOperation(
        { audit: store },
        { service: 'ec2', operation: 'DescribeInstances' },
      );
      expect(validated.validationPassed).toBe(false);
      expect(server.count()).toBe(0);
    } finally {
      ec2.destroy();
      plain.destroy();
      await manager.close();
      store.closeSync();
    }
  });
});
