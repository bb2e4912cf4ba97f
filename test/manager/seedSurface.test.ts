import { describe, expect, it } from 'vitest';
import { ComplianceManager, ConfigError, parseConfiguration } from '../../src/manager/index.js';

// The seed's switches and the fields its users reach for, through the library as the seed's examples use it.
const identity = {
  account: '123456789012',
  arn: 'arn:aws:sts::123456789012:assumed-role/reader/nightly',
  type: 'AssumedRole',
};
const newManager = (config: Record<string, unknown> = {}) =>
  new ComplianceManager({ complianceStandard: 'soc2', ...config }, { audit: false, loggers: false, identity });

describe('seed switches', () => {
  it('recordOperation(..., false) is an error; with handleError for the same call it counts once', () => {
    const m = newManager();
    m.verdicts.decide('ec2', 'DescribeInstances');
    m.operationMonitor.recordOperation('DescribeInstances', 'ec2', 0.1, true);
    m.operationMonitor.recordOperation('DescribeInstances', 'ec2', 0.1, true);
    m.operationMonitor.recordOperation('DescribeVolumes', 'ec2', 0.1, false);
    expect(m.monitor.getMonitoringSummary()).toMatchObject({
      errorRate: 33.33,
      errorsByOperation: { 'ec2:DescribeVolumes': 1 },
    });
    m.operationMonitor.handleError(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }), {
      service: 'ec2',
      operation: 'DescribeVolumes',
    });
    expect(m.monitor.getMonitoringSummary()).toMatchObject({
      totalErrors: 1,
      errorRate: 33.33,
      errorsByOperation: { 'ec2:DescribeVolumes': 1 },
    });
    expect(m.getComplianceDashboardData().metrics.errorRate).toBe(33.33);
  });

  it('enableProductionMonitoring: false records nothing in the monitor; the indicator says disabled', () => {
    const m = newManager({ enableProductionMonitoring: false });
    m.verdicts.decide('ec2', 'DescribeInstances');
    m.operationMonitor.recordOperation('DescribeInstances', 'ec2', 0.1, false);
    expect(m.monitor.getMonitoringSummary()).toMatchObject({ totalOperations: 0, failedOperations: 0, errorRate: 0 });
    const dash = m.getComplianceDashboardData();
    expect(dash.statusIndicators.productionMonitoring).toBe('disabled');
    expect(m.generateComprehensiveComplianceReport().sections.productionMonitoring).toBeUndefined();
  });

  it('enableSecurityValidation: false still blocks; indicator and report say validation is enforced', () => {
    const m = newManager({ enableSecurityValidation: false });
    expect(m.verdicts.decide('ec2', 'TerminateInstances').isValid).toBe(false);
    const report = m.generateComprehensiveComplianceReport();
    expect(report.complianceStatus.securityValidationPassed).toBe(false);
    expect(report.complianceStatus.blockedOperations).toBe(1);
    expect(report.sections.securityValidation!.summary).toContain(
      'Validation is enforced: enableSecurityValidation only affects reporting.',
    );
    expect(m.getComplianceDashboardData().statusIndicators.securityValidation).toBe('enforced (reporting off)');
  });

  it('cloudtrailLookupInterval: the seed default is accepted, any other value refused with the reason', () => {
    expect(parseConfiguration({ cloudtrailLookupInterval: 300 }).cloudtrailLookupInterval).toBe(300);
    expect(() => parseConfiguration({ cloudtrailLookupInterval: 60 })).toThrow(ConfigError);
    expect(() => parseConfiguration({ cloudtrailLookupInterval: 60 })).toThrow(
      /cloudtrailLookupInterval: is not used: InvenTag reads CloudTrail once per `inventag check`/,
    );
  });
});

describe('seed fields', () => {
  it('validator: complianceStandard on each entry, identity and standard in getAuditSummary, a reportId per report', () => {
    const m = newManager();
    m.verdicts.decide('ec2', 'DescribeInstances');
    m.verdicts.decide('s3', 'DeleteBucket');
    expect(m.validator.getAuditEntries().map((e) => e.complianceStandard)).toEqual(['soc2', 'soc2']);
    expect(m.validator.getAuditSummary()).toMatchObject({ complianceStandard: 'soc2', identity, totalOperations: 2 });
    const a = m.validator.generateComplianceReport();
    const b = m.validator.generateComplianceReport();
    expect(a.reportId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.reportId).not.toBe(b.reportId);
  });

  it('monitor: accountId in the summary and the security report', () => {
    const m = newManager();
    expect(m.monitor.getMonitoringSummary().accountId).toBe('123456789012');
    expect(m.monitor.generateSecurityValidationReport().accountId).toBe('123456789012');
    m.setIdentity(undefined);
    expect(m.monitor.getMonitoringSummary().accountId).toBeUndefined();
  });

  it('dashboard data: recent activity, recommendations, and a recommendation when the risk score is high', () => {
    const m = newManager();
    m.verdicts.decide('ec2', 'DescribeInstances');
    for (const op of ['TerminateInstances', 'DeleteVolume', 'CreateTags']) m.verdicts.decide('ec2', op);
    const dash = m.getComplianceDashboardData();
    expect(dash.recentActivity?.map((a) => [a.operation, a.decision])).toEqual([
      ['CreateTags', 'blocked'],
      ['DeleteVolume', 'blocked'],
      ['TerminateInstances', 'blocked'],
      ['DescribeInstances', 'allowed'],
    ]);
    expect(dash.riskScore).toBeGreaterThanOrEqual(40);
    expect(dash.recommendations).toContainEqual(expect.stringMatching(/^The risk score is \d+\/100: fix the HIGH/));
  });
});
