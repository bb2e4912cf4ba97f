// The seed's CI/CD example: validate, monitor, report, and fail below 95 %.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComplianceManager } from 'inventag/compliance';

const manager = new ComplianceManager({
  complianceStandard: 'general',
  enableSecurityValidation: true,
  enableProductionMonitoring: true,
  errorThreshold: 5, // strict threshold for CI/CD
  dataDirectory: mkdtempSync(join(tmpdir(), 'inventag-ci-')), // audit trail and logs
});

const result = await manager.validateAndMonitorOperation({
  service: 'ec2',
  operation: 'describe_instances',
  operationFunc: async () => ({ Reservations: [] }), // your AWS call here
});
if (!result.validationPassed) {
  console.log('Compliance check failed - operation blocked');
  process.exit(1);
}

const report = manager.generateComprehensiveComplianceReport();
const score = report.complianceStatus.complianceScore;
const head = report.auditChainHead; // absent when the manager keeps no audit trail
await manager.saveComplianceReport(report, join(manager.config.dataDirectory, 'compliance-report.json'));
await manager.close();
if (score < 95) {
  console.log(`Compliance score too low: ${score}%`);
  process.exit(1);
}
console.log(`Compliance check passed: ${score}% compliant (audit chain head ${head ? `${head.sequence}:${head.hash.slice(0, 12)}...` : 'none'})`);
