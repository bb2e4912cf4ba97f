// Classify operations before running them: the seed's ReadOnlyAccessValidator.
import { ComplianceStandard, ReadOnlyAccessValidator } from 'inventag/compliance';

const validator = new ReadOnlyAccessValidator(ComplianceStandard.SOC2);
for (const [service, operation] of [
  ['ec2', 'describe_instances'],
  ['LambdaClient', 'InvokeCommand'],
  ['secretsmanager', 'GetSecretValue'],
]) {
  const result = validator.validateOperation(service, operation);
  console.log(`${result.isValid ? 'allowed' : 'blocked'} ${result.iamAction} (${result.operationType}, risk ${result.riskLevel})`);
}
const report = validator.generateComplianceReport();
console.log(`Compliance score: ${report.complianceScore}% (${report.readOnlyOperations} of ${report.totalOperations} read-only)`);
