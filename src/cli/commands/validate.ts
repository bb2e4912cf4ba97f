import { Command, Option } from 'commander';
import { COMPLIANCE_STANDARDS } from '../../constants.js';
import { addListOutputFlags } from '../listOutput.js';
import type { ValidateOptions } from './validateRun.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerValidate(program: Command): void {
  addListOutputFlags(program.command('validate'))
    .description('Classify AWS operations as read-only or not, from the IAM access level of every AWS action.')
    .argument(
      '[service]',
      'service: IAM prefix (ec2), SDK client (EC2Client, CloudWatchLogs) or boto3 name (logs); or service:Action',
    )
    .argument(
      '[operation]',
      'operation: describe_instances, DescribeInstances, DescribeInstancesCommand or ec2:DescribeInstances',
    )
    .addOption(
      new Option('--standard <standard>', 'compliance standard').choices(COMPLIANCE_STANDARDS).default('general'),
    )
    .option('--json', 'print the result as JSON (the document --output and --query work on)')
    .option('--stdin', 'read "service operation" pairs, one per line, and print one JSON object per line')
    .option('--allow <pattern>', 'allow an action pattern (repeatable), e.g. "athena:StartQueryExecution"', collect)
    .option('--deny <pattern>', 'deny an action pattern (repeatable), e.g. "s3:GetObject"', collect)
    .addHelpText(
      'after',
      `
Examples:
  inventag validate ec2 describe_instances
  inventag validate S3Client PutObjectCommand --standard soc2 --json
  inventag validate lambda Invoke --query "[iamAction, accessLevel, riskLevel]" --output text
  printf 'ec2 DescribeInstances\\nlambda Invoke\\n' | inventag validate --stdin

Exit codes: 0 every operation allowed, 3 any blocked, 2 bad usage or a malformed input line.`,
    )
    .action(async (service: string | undefined, operation: string | undefined, opts: ValidateOptions) => {
      // Imported when it runs: `validate --help` loads no catalog or policy module.
      const { runValidate } = await import('./validateRun.js');
      await runValidate(service, operation, opts);
    });
}
