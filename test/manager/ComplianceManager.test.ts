import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComplianceManager } from '../../src/manager/ComplianceManager.js';
import { isOperationBlockedError } from '../../src/guard/index.js';
import { startAwsServer, type AwsTestServer } from '../support/awsServer.js';

const dir = mkdtempSync(join(tmpdir(), 'inventag-manager-'));
let server: AwsTestServer;
beforeAll(async () => {
  server = await startAwsServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const newManager = (standard: 'general' | 'soc2' | 'iso27001' = 'general', name: string = standard) =>
  new ComplianceManager(
    { complianceStandard: standard, dataDirectory: join(dir, name), errorThreshold: 5 },
    { loggers: false },
  );

describe('ComplianceManager', () => {
  it('scores a constructed history exactly as the written formulas say', async () => {
    // Prepare: 17 reads, 2 mutating attempts, 1 unknown operation.
    const m = newManager('general', 'formula');
    for (let i = 0; i < 17; i++)
      await m.validateAndMonitorOperation({
        service: 'ec2',
        operation: 'describe_instances',
        operationFunc: () => 'ok',
      });
    await m.validateAndMonitorOperation({
      service: 'ec2',
      operation: 'terminate_instances',
      operationFunc: () => 'never',
    });
    await m.validateAndMonitorOperation({ service: 's3', operation: 'DeleteBucket' });
    await m.validateAndMonitorOperation({ service: 'ec2', operation: 'Frobnicate' });
    // Act
    const report = m.generateComprehensiveComplianceReport();
    // Assess: compliance = 100 × 17 / 20, computed here independently.
    expect(report.complianceStatus.complianceScore).toBe(85);
    const weights: Record<string, number> = { CRITICAL: 40, HIGH: 15, MEDIUM: 5, LOW: 1 };
    const expectedRisk = Math.min(
      100,
      report.findings.reduce((s, f) => s + weights[f.severity]!, 0),
    );
    expect(report.complianceStatus.riskScore).toBe(expectedRisk);
    expect(
      report.findings.filter((f) => f.source === 'validator' && f.severity === 'HIGH').map((f) => f.title),
    ).toEqual([
      'Mutating operation attempted: ec2:TerminateInstances',
      'Mutating operation attempted: s3:DeleteBucket',
    ]);
    expect(report.scoring.complianceScoreFormula).toMatch(/100 × readOnlyOperations \/ totalOperations/);
    expect(report.scoring.riskScoreFormula).toMatch(/40 × CRITICAL \+ 15 × HIGH \+ 5 × MEDIUM \+ 1 × LOW/);
    expect(report.scoring.inputs).toMatchObject({ totalOperations: 20, readOnlyOperations: 17 });
    expect(report.complianceStatus).toMatchObject({ isCompliant: false, totalOperations: 20, blockedOperations: 3 });
    expect(report.executiveSummary).toMatchObject({ overallCompliance: 'NON_COMPLIANT', complianceScore: 85 });
    expect(report.controls).toEqual([]); // GENERAL carries no control IDs
    expect(report.findings.every((f) => f.controls.length === 0)).toBe(true);
    await m.close();
  });

  it('SOC2 and ISO 27001 reports carry their control IDs and a control table', async () => {
    for (const [standard, ids] of [
      ['soc2', ['CC6.1', 'CC6.3', 'CC7.2', 'CC8.1']],
      ['iso27001', ['A.5.15', 'A.8.2', 'A.8.15', 'A.8.32']],
    ] as const) {
      const m = newManager(standard, `controls-${standard}`);
      await m.validateAndMonitorOperation({ service: 'ec2', operation: 'DescribeInstances', operationFunc: () => 1 });
      await m.validateAndMonitorOperation({ service: 'ec2', operation: 'TerminateInstances' });
      const report = m.generateComprehensiveComplianceReport();
      const tableIds = report.controls.map((c) => c.id);
      for (const id of ids) expect(tableIds, `${standard} ${id}`).toContain(id);
      expect(report.findings[0]!.controls.length).toBeGreaterThan(0);
      expect(report.controls.every((c) => ['PASS', 'FAIL', 'NOT_EVALUATED'].includes(c.status))).toBe(true);
      await m.close();
    }
  });

  it('CUSTOM rules decide with their own thresholds, rules and control mappings', async () => {
    const m = new ComplianceManager(
      {
        complianceStandard: 'custom',
        dataDirectory: join(dir, 'custom'),
        custom: {
          deny: ['ec2:DescribeVolumes'],
          allowSensitiveReads: ['data'],
          thresholds: { minComplianceScore: 90, maxRiskScore: 100, maxBlockedOperations: 0 },
          controlMappings: { read_only_access: [{ id: 'SEC-7', title: 'Production access is read-only' }] },
        },
      },
      { loggers: false },
    );
    for (let i = 0; i < 19; i++)
      await m.validateAndMonitorOperation({ service: 'ec2', operation: 'DescribeInstances' });
    const denied = await m.validateAndMonitorOperation({ service: 'ec2', operation: 'DescribeVolumes' });
    expect(denied.validationPassed).toBe(false);
    expect(
      (await m.validateAndMonitorOperation({ service: 'secretsmanager', operation: 'GetSecretValue' }))
        .validationPassed,
    ).toBe(false);
    expect((await m.validateAndMonitorOperation({ service: 's3', operation: 'GetObject' })).validationPassed).toBe(
      true,
    );
    const report = m.generateComprehensiveComplianceReport();
    // 20 read-only of 22 = 90.9 >= 90, but two blocked operations exceed maxBlockedOperations 0.
    expect(report.complianceStatus.complianceScore).toBe(90.9);
    expect(report.complianceStatus.isCompliant).toBe(false);
    expect(report.scoring.complianceScoreFormula).toMatch(/blocked operations <= 0/);
    expect(report.controls.map((c) => c.id)).toContain('SEC-7');
    await m.close();
  });

  it("runs the seed's CI/CD example: passes at 100, fails below the minimum score", async () => {
    const clean = newManager('general', 'cicd-clean');
    const result = await clean.validateAndMonitorOperation({ service: 'ec2', operation: 'describe_instances' });
    expect(result.validationPassed).toBe(true);
    const score = clean.generateComprehensiveComplianceReport().executiveSummary!.complianceScore;
    expect(score).toBe(100);
    expect(score >= 95).toBe(true);
    await clean.close();

    const dirty = newManager('general', 'cicd-dirty');
    for (let i = 0; i < 9; i++)
      await dirty.validateAndMonitorOperation({ service: 'ec2', operation: 'describe_instances' });
    const blocked = await dirty.validateAndMonitorOperation({ service: 'ec2', operation: 'run_instances' });
    expect(blocked.validationPassed).toBe(false);
    const report = dirty.generateComprehensiveComplianceReport();
    expect(report.executiveSummary!.complianceScore).toBe(90);
    expect(report.complianceStatus.isCompliant).toBe(false);
    await dirty.close();
  });

  it('guards real SDK clients: allowed calls reach the server and are audited, writes never leave the process', async () => {
    const m = newManager('soc2', 'guarded');
    const ec2 = m.guard(
      new EC2Client({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
      }),
    );
    const before = server.count();
    await ec2.send(new DescribeInstancesCommand({}));
    await expect(ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-1'] }))).rejects.toSatisfy(
      isOperationBlockedError,
    );
    expect(server.count() - before).toBe(1);
    const store = m.auditStore()!;
    const attempts = [...store.entries()].filter((e) => e.kind === 'attempt');
    expect(attempts.map((e) => [e.iamAction, e.decision])).toEqual([
      ['ec2:DescribeInstances', 'allowed'],
      ['ec2:TerminateInstances', 'blocked'],
    ]);
    expect(attempts[0]!.outcome).toMatchObject({ success: true, httpStatus: 200 });
    const status = m.assessComplianceStatus();
    expect(status).toMatchObject({ totalOperations: 2, blockedOperations: 1, complianceScore: 50 });
    const dash = m.getComplianceDashboardData();
    expect(dash).toMatchObject({
      overallStatus: 'NON_COMPLIANT',
      complianceScore: 50,
      metrics: { totalOperations: 2, blockedOperations: 1 },
    });
    // A blocked write means validation did not pass, though the guard did its job.
    expect(dash.statusIndicators).toMatchObject({
      securityValidation: 'failing',
      productionMonitoring: 'active',
      cloudtrailIntegration: 'inactive',
    });
    const report = m.generateComprehensiveComplianceReport();
    expect(report.auditChainHead?.sequence).toBe(store.head()!.sequence);
    const snapshot = await m.getSnapshot();
    expect(snapshot.recentBlocked[0]).toMatchObject({ iamAction: 'ec2:TerminateInstances' });
    const text = await (await m.metrics()).render();
    expect(text).toMatch(/^inventag_compliance_score 50$/m);
    expect(text).toMatch(/^inventag_blocked_operations 1$/m);
    expect(text).toMatch(/inventag_operations_total\{[^}]*decision="blocked"[^}]*\} 1/);
    expect(text).toMatch(/inventag_operation_duration_seconds_count\{[^}]*\} 1/);
    expect(m.cleanupAuditLogs()).toBeDefined();
    expect(store.verify().ok).toBe(true);
    await m.close();
  });

  it('counts every failed call of an audit trail as an error, classified by its code, repeated codes too', async () => {
    const m = newManager('general', 'trail-errors');
    const failed = (sequence: number, errorCode?: string) => ({
      sequence,
      kind: 'attempt' as const,
      sessionId: 'automation',
      timestamp: `2026-11-20T00:00:${String(sequence).padStart(2, '0')}.000Z`,
      service: 'ec2',
      operation: 'DescribeInstances',
      iamAction: 'ec2:DescribeInstances',
      decision: 'allowed' as const,
      outcome: { success: false, ...(errorCode === undefined ? {} : { errorCode }), durationMs: 10 },
    });
    const attempts = [
      failed(1, 'ThrottlingException'),
      failed(2, 'AccessDenied'),
      failed(3, 'ThrottlingException'),
      failed(4),
      failed(5, 'ThrottlingException'),
      { ...failed(6), outcome: { success: true, durationMs: 10 } },
    ];
    expect(m.ingestAuditEntries(attempts)).toBe(6);
    const summary = m.monitor.getMonitoringSummary();
    expect(summary.totalErrors).toBe(5);
    // Each failure is classified on its own: as many as there were, whatever code they share.
    const one = newManager('general', 'trail-errors-one');
    for (const a of attempts) one.ingestAuditEntries([a]);
    expect(summary.errorsByCategory).toStrictEqual(one.monitor.getMonitoringSummary().errorsByCategory);
    expect(summary.errorsBySeverity).toStrictEqual(one.monitor.getMonitoringSummary().errorsBySeverity);
    expect(Object.values(summary.errorsByCategory).reduce((a, b) => a + (b ?? 0), 0)).toBe(5);
    await m.close();
    await one.close();
  });
});
