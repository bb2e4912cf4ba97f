/**
 * The audit store's writer thread on the guarded path. The thread runs only
 * from the build (dist/), so these tests load the store, the manager and the
 * guard from there, with real EC2 clients against the loopback AWS server:
 * the attempts of concurrent calls share one transaction on the writer and
 * are committed before the first request leaves; a commit the writer refuses
 * blocks every call of its batch before anything is sent; an outcome staged
 * just before process.exit() is still written; the chain keeps the order of
 * the calls when staged and synchronous writes mix; `writer: 'inline'` gives
 * the same trail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CircuitState } from 'cockatiel';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientConfig, startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { ROOT, runNode } from '../support/cli.js';
import { attempt } from '../audit/helpers.js';
import { blocked, fillStore, onFirstRequest } from './helpers.js';

type Dist = typeof import('../../src/index.js');
type Store = import('../../src/audit/AuditStore.js').AuditStore;
const DIST_URL = pathToFileURL(resolve(ROOT, 'dist', 'index.js')).href;
const CONCURRENT = 16;

let dist: Dist;
let server: AwsTestServer;
beforeAll(async () => {
  dist = (await import(DIST_URL)) as Dist;
  server = await startAwsServer();
});
afterAll(() => server.close());

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'inventag-writer-thread-'));
  server.reset();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Stages and commits attempts until the store's writer thread takes its group commits. */
async function writerReady(store: Store): Promise<void> {
  for (let i = 0; i < 200 && store.groupCommits !== 'thread'; i += 1) {
    const staged = store.stageAttempt(attempt(i));
    await staged.committed;
    store.stageOutcome(staged.auditId, { success: true, durationMs: 1 });
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(store.groupCommits).toBe('thread');
}

describe('the writer thread on the guarded path', () => {
  it(`${CONCURRENT} concurrent manager.guard calls: their attempts are one transaction on the writer, committed before any request leaves`, async () => {
    const manager = new dist.ComplianceManager({ dataDirectory: dir });
    const ec2 = manager.guard(new EC2Client(clientConfig(server)));
    try {
      await ec2.send(new DescribeInstancesCommand({}));
      const store = manager.auditStore() as Store;
      await writerReady(store);
      await store.flush();
      const before = store.writeStats;
      const watch = onFirstRequest(server, () => store.writeStats.transactions);
      await Promise.all(Array.from({ length: CONCURRENT }, () => ec2.send(new DescribeInstancesCommand({}))));
      expect(watch.seen).toBe(before.transactions + 1);
      await store.flush();
      // The calls share fsyncs: one for the batch of attempts, a few for the outcomes as the responses come in.
      const fsyncs = store.writeStats.fsyncs - before.fsyncs;
      expect(fsyncs).toBeGreaterThanOrEqual(1);
      expect(fsyncs).toBeLessThan(CONCURRENT / 2);
      expect(store.groupCommits).toBe('thread');
      const attempts = [...store.entries()].filter((e) => e.kind === 'attempt' && e.service === 'EC2Client');
      expect(attempts).toHaveLength(CONCURRENT + 1);
      const batch = attempts.slice(1).map((e) => e.sequence);
      expect(batch).toEqual(Array.from({ length: CONCURRENT }, (_, i) => (batch[0] as number) + i));
      for (const e of attempts) expect(e.outcome).toMatchObject({ success: true, httpStatus: 200 });
      expect(store.verify().ok).toBe(true);
      expect(server.count({ operation: 'DescribeInstances' })).toBe(CONCURRENT + 1);
    } finally {
      ec2.destroy();
      await manager.close();
    }
  });

  it('a batch the writer cannot commit (the store is full) blocks every call, and none reaches the network', async () => {
    const store = dist.AuditStore.open({ path: join(dir, 'full.db'), maxSizeBytes: 128 * 1024 });
    await writerReady(store);
    fillStore(store);
    expect(store.groupCommits).toBe('thread');
    // A provider that would fetch (STS, SSO, IMDS): it is not asked either before the commit is confirmed.
    let fetched = 0;
    const credentials = () => {
      fetched += 1;
      return Promise.resolve({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test' });
    };
    const ec2 = dist.guardClient(new EC2Client({ ...clientConfig(server), credentials }), { audit: store });
    try {
      const errors = await Promise.all(
        Array.from({ length: CONCURRENT }, () => blocked(ec2.send(new DescribeInstancesCommand({})))),
      );
      for (const error of errors) {
        expect(error.reason).toBe('audit-unavailable');
        expect(error.verdict.validationMessage).toContain('full');
      }
      expect(server.count()).toBe(0);
      expect(fetched).toBe(0);
      // The writer still runs: a refused batch is that batch's failure, not the store's.
      expect(store.groupCommits).toBe('thread');
    } finally {
      ec2.destroy();
      store.closeSync();
    }
  });

  for (const lifetime of ['long-lived', 'about to expire'] as const) {
    it(`credentials ${lifetime}: once the store is full, a call fetches none and sends nothing`, async () => {
      const store = dist.AuditStore.open({ path: join(dir, 'creds.db'), maxSizeBytes: 128 * 1024 });
      await writerReady(store);
      let fetched = 0;
      // About to expire: inside the SDK's refresh window, so every call runs the provider (as STS credentials
      // near their end do); long-lived: the SDK's cached copy is handed out while the commit runs.
      const ttl = lifetime === 'long-lived' ? 3_600_000 : 120_000;
      const credentials = () => {
        fetched += 1;
        return Promise.resolve({
          accessKeyId: 'AKIDTEST',
          secretAccessKey: 'test',
          expiration: new Date(Date.now() + ttl),
        });
      };
      const ec2 = dist.guardClient(new EC2Client({ ...clientConfig(server), credentials }), { audit: store });
      try {
        await ec2.send(new DescribeInstancesCommand({}));
        await ec2.send(new DescribeInstancesCommand({}));
        if (lifetime === 'long-lived') expect(fetched).toBe(1);
        else expect(fetched).toBeGreaterThanOrEqual(2);
        const sent = server.count();
        fillStore(store);
        const before = fetched;
        const errors = await Promise.all(
          Array.from({ length: 4 }, () => blocked(ec2.send(new DescribeInstancesCommand({})))),
        );
        for (const error of errors) expect(error.reason).toBe('audit-unavailable');
        expect(fetched).toBe(before);
        expect(server.count()).toBe(sent);
      } finally {
        ec2.destroy();
        store.closeSync();
      }
    });
  }

  it("a commit the writer refuses is the audit trail's failure, not the service's: the breaker stays closed", async () => {
    const store = dist.AuditStore.open({ path: join(dir, 'breaker.db'), maxSizeBytes: 128 * 1024 });
    await writerReady(store);
    fillStore(store);
    // One failure the breaker counts would open it.
    const monitor = new dist.ProductionSafetyMonitor({ circuitBreakerThreshold: 1, circuitBreakerTimeout: 600 });
    const ec2 = dist.guardClient(new EC2Client(clientConfig(server)), { audit: store, monitor });
    try {
      for (let i = 0; i < 3; i += 1) {
        const error = await blocked(ec2.send(new DescribeInstancesCommand({})));
        expect(error.reason).toBe('audit-unavailable');
      }
      expect(monitor.breakerFor('ec2', 'DescribeInstances').state).toBe(CircuitState.Closed);
      expect(server.count()).toBe(0);
    } finally {
      ec2.destroy();
      store.closeSync();
    }
  });

  it('an outcome staged just before process.exit() is written, and the chain verifies', async () => {
    const path = join(dir, 'exit.db');
    const script = `
      import { AuditStore } from ${JSON.stringify(DIST_URL)};
      const store = AuditStore.open({ path: ${JSON.stringify(path)} });
      const entry = { service: 'ec2', operation: 'DescribeInstances', iamAction: 'ec2:DescribeInstances',
        operationType: 'read_only', decision: 'allowed', riskLevel: 'LOW', complianceStandard: 'general' };
      for (let i = 0; i < 200 && store.groupCommits !== 'thread'; i += 1) {
        await store.stageAttempt(entry).committed;
        await new Promise((r) => setTimeout(r, 10));
      }
      if (store.groupCommits !== 'thread') throw new Error('no writer thread');
      const last = store.stageAttempt(entry);
      await last.committed;
      store.stageOutcome(last.auditId, { success: true, durationMs: 7, httpStatus: 200 });
      console.log(last.auditId);
      process.exit(0);
    `;
    const run = await runNode(['--input-type=module', '-e', script]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const auditId = run.stdout.trim();
    const store = dist.AuditStore.open({ path, readonly: true });
    try {
      const entry = [...store.entries()].find((e) => e.auditId === auditId);
      expect(entry?.outcome).toMatchObject({ success: true, durationMs: 7, httpStatus: 200 });
      expect(store.verify().ok).toBe(true);
    } finally {
      store.closeSync();
    }
  });

  it('staged entries, then a synchronous append and a read: the chain keeps the order of the calls', async () => {
    const store = dist.AuditStore.open({ path: join(dir, 'order.db') });
    try {
      await writerReady(store);
      const staged = Array.from({ length: 40 }, (_, i) => store.stageAttempt(attempt(1000 + i)));
      // Written from this thread at once: it comes after the 40 the writer was given (or is about to be).
      const sync = store.append(attempt(2000));
      const seen = [...store.entries()];
      const receipts = await Promise.all(staged.map((s) => s.committed));
      expect(receipts.map((r) => r.auditId)).toEqual(staged.map((s) => s.auditId));
      const seqs = receipts.map((r) => r.sequence);
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => (seqs[0] as number) + i));
      expect(sync.sequence).toBe((seqs[39] as number) + 1);
      // The read after staging saw every staged entry.
      for (const s of staged) expect(seen.some((e) => e.auditId === s.auditId)).toBe(true);
      await store.flush();
      expect(store.verify().ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("writer: 'inline' commits on the calling thread and writes the same trail; a bad value is refused by name", async () => {
    const trails: { kind: string; service?: string; outcome?: unknown }[][] = [];
    for (const writer of ['thread', 'inline'] as const) {
      const store = dist.AuditStore.open({ path: join(dir, `${writer}.db`), writer });
      try {
        if (writer === 'thread') await writerReady(store);
        else {
          await store.stageAttempt(attempt(0)).committed;
          expect(store.groupCommits).toBe('inline');
        }
        const staged = Array.from({ length: 30 }, (_, i) => store.stageAttempt(attempt(i)));
        await Promise.all(staged.map((s) => s.durable));
        staged.forEach((s, i) => store.stageOutcome(s.auditId, { success: i % 3 !== 0, durationMs: i }));
        await store.flush();
        expect(store.verify().ok).toBe(true);
        trails.push(
          [...store.entries()].slice(-30).map((e) => ({ kind: e.kind, service: e.service, outcome: e.outcome })),
        );
      } finally {
        await store.close();
      }
    }
    expect(trails[0]).toEqual(trails[1]);
    expect(() => dist.AuditStore.open({ path: join(dir, 'bad.db'), writer: 'fast' as 'thread' })).toThrow(
      /option writer must be thread or inline; got "fast"/,
    );
  });
});
