import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditAttempt, AuditSink } from '../../src/contracts.js';
import { ComplianceStandard } from '../../src/constants.js';
import { ReadOnlyAccessValidator } from '../../src/validator/index.js';

const dir = mkdtempSync(join(tmpdir(), 'inventag-validator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ReadOnlyAccessValidator', () => {
  it('returns the seed result fields, with enum wire values', () => {
    const v = new ReadOnlyAccessValidator(ComplianceStandard.GENERAL);
    const r = v.validateOperation('ec2', 'describe_instances');
    expect(r).toMatchObject({
      isValid: true,
      operation: 'describe_instances',
      operationType: 'read_only',
      riskLevel: 'LOW',
      iamAction: 'ec2:DescribeInstances',
      accessLevel: 'List',
    });
    expect(new Date(r.timestamp).toString()).not.toBe('Invalid Date');
    expect(r.complianceNotes.length).toBeGreaterThan(0);
    expect(v.complianceStandard).toBe('general');
  });

  it('scores the share of read-only operations and reports findings, following the written formula', () => {
    // Prepare: 7 reads, 2 writes, 1 unknown, 1 sensitive read (counted as read).
    const v = new ReadOnlyAccessValidator({ complianceStandard: ComplianceStandard.SOC2 });
    for (let i = 0; i < 7; i++) v.validateOperation('ec2', 'DescribeInstances');
    v.validateOperation('ec2', 'TerminateInstances');
    v.validateOperation('iam', 'AttachRolePolicy');
    v.validateOperation('ec2', 'Frobnicate');
    v.validateOperation('secretsmanager', 'GetSecretValue');
    // Act
    const report = v.generateComplianceReport();
    // Assess: 8 read-only of 11.
    expect(report.totalOperations).toBe(11);
    expect(report.readOnlyOperations).toBe(8);
    expect(report.mutatingOperationsBlocked).toBe(2);
    expect(report.unknownOperationsBlocked).toBe(1);
    expect(report.complianceScore).toBe(Math.round((1000 * 8) / 11) / 10);
    expect(report.scoreFormula).toMatch(/100 × readOnlyOperations \/ totalOperations/);
    expect(report.securityFindings[0]).toMatchObject({
      severity: 'CRITICAL',
      title: 'Mutating operation attempted: iam:AttachRolePolicy',
    });
    expect(report.securityFindings.map((f) => f.title)).toContain('Sensitive read: secretsmanager:GetSecretValue');
    expect(report.securityFindings[0]!.controls).toEqual(expect.arrayContaining(['CC6.1', 'CC8.1']));
    expect(report.auditEntries).toHaveLength(11);
    expect(v.getAuditSummary()).toMatchObject({ totalOperations: 11, allowed: 8, blocked: 3 });
  });

  it('scores 100 with no operations', () => {
    expect(new ReadOnlyAccessValidator().generateComplianceReport().complianceScore).toBe(100);
  });

  it('keeps at most maxAuditEntries in memory, while counting everything', () => {
    const v = new ReadOnlyAccessValidator({ maxAuditEntries: 5 });
    for (let i = 0; i < 12; i++) v.validateOperation('ec2', i % 2 ? 'DescribeVpcs' : 'DescribeInstances');
    const report = v.generateComplianceReport();
    expect(report.totalOperations).toBe(12);
    expect(report.auditEntries).toHaveLength(5);
    expect(report.auditEntriesTruncated).toBe(true);
    expect(() => new ReadOnlyAccessValidator({ maxAuditEntries: 0 })).toThrow(/maxAuditEntries/);
  });

  it('keeps exactly the newest maxAuditEntries entries, oldest first, however often the buffer wraps', () => {
    const max = 7;
    const v = new ReadOnlyAccessValidator({ maxAuditEntries: max });
    for (let n = 1; n <= 40; n++) {
      v.validateOperation('s3', 'ListObjectsV2', `arn:aws:s3:::bucket-${n}`);
      const want = Array.from(
        { length: Math.min(n, max) },
        (_, i) => `arn:aws:s3:::bucket-${n - Math.min(n, max) + i + 1}`,
      );
      expect(v.getAuditEntries().map((e) => e.resourceArn)).toEqual(want);
      expect(v.generateComplianceReport().auditEntries.map((e) => e.resourceArn)).toEqual(want);
      const summary = v.getAuditSummary();
      expect(summary).toMatchObject({ totalOperations: n, entriesInMemory: want.length, allowed: want.length });
    }
  });

  it("stamps each result and entry with the current time, and result lists are the caller's own", () => {
    const v = new ReadOnlyAccessValidator();
    const before = Date.now();
    const r = v.validateOperation('ec2', 'DescribeInstances');
    const after = Date.now();
    const at = Date.parse(r.timestamp);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
    expect(v.getAuditEntries()[0]?.timestamp).toBe(r.timestamp);
    r.controls.push('mine');
    r.complianceNotes.length = 0;
    const again = v.validateOperation('ec2', 'DescribeInstances');
    expect(again.controls).not.toContain('mine');
    expect(again.complianceNotes.length).toBeGreaterThan(0);
  });

  it('writes each validation to an audit sink, and saves a report without secrets', async () => {
    const attempts: AuditAttempt[] = [];
    const sink: AuditSink = {
      recordAttempt: (a) => (attempts.push(a), { auditId: String(attempts.length) }),
      recordOutcome: () => undefined,
    };
    const v = new ReadOnlyAccessValidator({ audit: sink });
    v.validateOperation('secretsmanager', 'CreateSecret', undefined, {
      Name: 'db',
      SecretString: 'hunter2-super-secret',
    });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ decision: 'blocked', iamAction: 'secretsmanager:CreateSecret' });
    const path = join(dir, 'report.json');
    await v.saveComplianceReport(v.generateComplianceReport(), path);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('hunter2-super-secret');
    expect(JSON.parse(text).auditEntries[0].requestParameters).toEqual({ Name: 'db', SecretString: '[REDACTED]' });
  });

  it('names the file when a report cannot be written', async () => {
    const v = new ReadOnlyAccessValidator();
    await expect(v.saveComplianceReport(v.generateComplianceReport(), join(dir, 'missing', 'r.json'))).rejects.toThrow(
      /cannot write .*missing.*directory does not exist/,
    );
  });
});
