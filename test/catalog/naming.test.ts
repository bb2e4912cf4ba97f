import { describe, expect, it } from 'vitest';
import {
  OPERATION_ALIASES,
  SERVICE_ALIASES,
  resolveOperation,
  resolveService,
  serviceCandidates,
} from '../../src/catalog/index.js';
import { ComplianceStandard, OperationType, RiskLevel } from '../../src/constants.js';
import { VerdictEngine } from '../../src/policy/VerdictEngine.js';
import { isInvalidOptionsError } from '../../src/policy/errors.js';

const engine = new VerdictEngine();

describe('operation naming forms', () => {
  it.each([
    ['ec2', 'describe_instances'],
    ['ec2', 'DescribeInstances'],
    ['ec2', 'DescribeInstancesCommand'],
    ['ec2', 'ec2:DescribeInstances'],
    ['EC2', 'describeInstances'],
    ['EC2Client', 'DescribeInstancesCommand'],
  ])('%s %s -> ec2:DescribeInstances', (service, operation) => {
    const v = engine.decide(service, operation);
    expect(v.iamAction).toBe('ec2:DescribeInstances');
    expect(v.isValid).toBe(true);
    expect(v.operationType).toBe(OperationType.READ_ONLY);
  });

  it('strips exactly one Command suffix', () => {
    expect(engine.decide('ssm', 'SendCommandCommand').iamAction).toBe('ssm:SendCommand');
    expect(engine.decide('ssm', 'SendCommand').iamAction).toBe('ssm:SendCommand');
    expect(engine.decideSdk('SSMClient', 'SendCommandCommand').iamAction).toBe('ssm:SendCommand');
    // An SDK class name always has the suffix: SendCommand as a class would be ssm:Send, which does not exist.
    expect(engine.decideSdk('SSMClient', 'SendCommand').iamAction).toBeUndefined();
    expect(engine.decideSdk('SSMClient', 'SendCommand').isValid).toBe(false);
    expect(engine.decide('ssm', 'send_command').iamAction).toBe('ssm:SendCommand');
    expect(engine.decide('ssm', 'SendCommand').isValid).toBe(false);
  });

  it('keeps IAM actions whose own name ends in Command', () => {
    expect(engine.decide('bedrock-agentcore', 'InvokeAgentRuntimeCommand').iamAction).toBe(
      'bedrock-agentcore:InvokeAgentRuntimeCommand',
    );
  });
});

describe('service naming forms', () => {
  it.each([
    ['ec2', 'ec2'],
    ['logs', 'logs'],
    ['tag', 'tag'],
    ['resourcegroupstaggingapi', 'tag'],
    ['ResourceGroupsTaggingAPIClient', 'tag'],
    ['EC2', 'ec2'],
    ['S3Client', 's3'],
    ['s3', 's3'],
    ['CloudWatchLogs', 'logs'],
    ['CloudWatchLogsClient', 'logs'],
    ['cloudwatch-logs', 'logs'],
    ['SFN', 'states'],
    ['SFNClient', 'states'],
    ['stepfunctions', 'states'],
    ['elbv2', 'elasticloadbalancing'],
    ['ElasticLoadBalancingV2Client', 'elasticloadbalancing'],
    ['DynamoDBStreams', 'dynamodb'],
    ['STSClient', 'sts'],
    ['IAM', 'iam'],
    ['resource-groups', 'resource-groups'],
    ['EventBridge', 'events'],
    ['CognitoIdentityProvider', 'cognito-idp'],
    ['workspaces-thin-client', 'thinclient'],
    ['WorkSpacesThinClientClient', 'thinclient'],
  ])('%s -> %s', (name, prefix) => {
    expect(resolveService(name)).toBe(prefix);
  });

  it('every alias in the table points at a prefix the IAM data knows', () => {
    for (const [key, prefix] of Object.entries(SERVICE_ALIASES)) {
      // `opensearch` is itself an IAM prefix; the alias is the fallback candidate.
      expect(serviceCandidates(key), key).toContain(prefix);
    }
  });

  it('falls through to the next candidate service when the first has no such operation', () => {
    // `opensearch` is an IAM prefix of its own, but the SDK OpenSearch client's operations are `es:` actions.
    expect(engine.decide('OpenSearch', 'DescribeDomain').iamAction).toBe('es:DescribeDomain');
  });
});

describe('SDK operations whose IAM action has another name', () => {
  const rows = Object.entries(OPERATION_ALIASES).flatMap(([prefix, table]) =>
    Object.entries(table).map(([op, target]) => [prefix, op, target] as const),
  );
  it.each(rows)('%s %s -> %s', (prefix, op, target) => {
    const expected = (typeof target === 'string' ? [target] : [...target]).map((a) =>
      a.includes(':') ? a : `${prefix}:${a}`,
    );
    const r = resolveOperation(prefix, op);
    expect(r.actions.map((a) => a.iamAction).sort()).toEqual([...expected].sort());
    const v = engine.decide(prefix, `${op}Command`);
    expect(v.iamActions.slice().sort()).toEqual([...expected].sort());
  });

  it.each([
    ['S3Client', 'ListObjectsV2Command', 's3:ListBucket', true],
    ['S3Client', 'HeadObjectCommand', 's3:GetObject', true],
    ['S3Client', 'HeadBucketCommand', 's3:ListBucket', true],
    ['S3Client', 'DeleteBucketCorsCommand', 's3:PutBucketCORS', false],
    ['LambdaClient', 'InvokeCommand', 'lambda:InvokeFunction', false],
    ['DynamoDBClient', 'ScanCommand', 'dynamodb:Scan', true],
    ['DynamoDBClient', 'ExecuteStatementCommand', 'dynamodb:PartiQLUpdate', false],
    ['APIGateway', 'GetRestApis', 'apigateway:GET', true],
    ['APIGateway', 'DeleteRestApi', 'apigateway:DELETE', false],
  ])('%s %s -> %s (allowed: %s)', (client, command, action, allowed) => {
    const v = engine.decideSdk(client, command);
    expect(v.iamActions).toContain(action);
    expect(v.isValid).toBe(allowed);
  });
});

describe('classification and risk', () => {
  it('blocks writes the Python original allowed', () => {
    for (const [s, o] of [
      ['sts', 'assume_role'],
      ['redshift', 'get_cluster_credentials'],
      ['cloudformation', 'test_type'],
      ['secretsmanager', 'validate_resource_policy'],
      ['lambda', 'invoke'],
    ]) {
      const v = engine.decide(s!, o!);
      expect(v.isValid, `${s}:${o}`).toBe(false);
      expect(v.operationType).toBe(OperationType.MUTATING);
      expect([RiskLevel.HIGH, RiskLevel.CRITICAL]).toContain(v.riskLevel);
    }
    expect(engine.decide('dynamodb', 'scan').isValid).toBe(true);
  });

  it('rates permissions management CRITICAL, identity reads MEDIUM, sensitive reads with a reason', () => {
    expect(engine.decide('iam', 'AttachRolePolicy').riskLevel).toBe(RiskLevel.CRITICAL);
    expect(engine.decide('iam', 'ListRoles').riskLevel).toBe(RiskLevel.MEDIUM);
    expect(engine.decide('sts', 'GetCallerIdentity').riskLevel).toBe(RiskLevel.MEDIUM);
    expect(engine.decide('ec2', 'DescribeInstances').riskLevel).toBe(RiskLevel.LOW);
    for (const [s, o] of [
      ['secretsmanager', 'GetSecretValue'],
      ['ssm', 'GetParameter'],
      ['ssm', 'GetParameters'],
      ['ec2', 'GetPasswordData'],
      ['sts', 'GetSessionToken'],
    ]) {
      const v = engine.decide(s!, o!);
      expect(v.isValid).toBe(true);
      expect(v.sensitive, `${s}:${o}`).toBeDefined();
      expect(v.riskLevel).not.toBe(RiskLevel.LOW);
      expect(v.complianceNotes.join(' ')).toMatch(/Sensitive read/);
    }
  });

  it('keeps the sensitive-read patterns to reads that return secrets, credentials or data', () => {
    expect(engine.decide('iam', 'ListServiceSpecificCredentials').sensitive).toBeUndefined();
    expect(engine.decide('waf', 'GetChangeToken').sensitive).toBeUndefined();
    expect(engine.decide('datazone', 'GetEnvironmentCredentials').sensitive?.category).toBe('credentials');
    expect(engine.decide('ecr', 'GetAuthorizationToken').sensitive?.category).toBe('credentials');
  });

  it('uses name patterns only for operations the IAM data does not know', () => {
    const read = engine.decide('ec2', 'DescribeFutureWidgets');
    expect(read.evidence).toBe('read-pattern');
    expect(read.isValid).toBe(true);
    expect(read.riskLevel).toBe(RiskLevel.MEDIUM);
    const write = engine.decide('ec2', 'CreateFutureWidget');
    expect(write.evidence).toBe('mutating-pattern');
    expect(write.isValid).toBe(false);
  });

  it('blocks unknown services and unknown operations with MEDIUM risk and a clear message', () => {
    const svc = engine.decide('notaservice', 'DescribeThings');
    expect(svc.isValid).toBe(false);
    expect(svc.operationType).toBe(OperationType.UNKNOWN);
    expect(svc.riskLevel).toBe(RiskLevel.MEDIUM);
    expect(svc.validationMessage).toMatch(/unknown service "notaservice"/);
    const op = engine.decide('ec2', 'Frobnicate');
    expect(op.isValid).toBe(false);
    expect(op.operationType).toBe(OperationType.UNKNOWN);
    expect(op.riskLevel).toBe(RiskLevel.MEDIUM);
    expect(op.validationMessage).toMatch(/ec2:Frobnicate is unknown/);
  });
});

describe('overrides', () => {
  it('deny wins over the data, allow over a Write with a warning note, wildcards match', () => {
    const e = new VerdictEngine({
      overrides: { allow: ['lambda:InvokeFunction', 'athena:Start*'], deny: ['ec2:Describe*'] },
    });
    expect(e.decide('ec2', 'DescribeInstances').isValid).toBe(false);
    expect(e.decide('ec2', 'DescribeInstances').evidence).toBe('override');
    expect(e.decide('ec2', 'DescribeVpcs').isValid).toBe(false);
    expect(e.decide('ec2', 'GetConsoleOutput').isValid).toBe(true);
    const invoke = e.decide('LambdaClient', 'InvokeCommand');
    expect(invoke.isValid).toBe(true);
    expect(invoke.complianceNotes.join(' ')).toMatch(/WARNING, this allows a Write action/);
    expect(e.decide('athena', 'StartQueryExecution').isValid).toBe(true);
    expect(e.decide('athena', 'StopQueryExecution').isValid).toBe(false);
  });

  it('CUSTOM rules can refuse sensitive reads by category', () => {
    const e = new VerdictEngine({ standard: 'custom', custom: { allowSensitiveReads: ['data'] } });
    expect(e.decide('secretsmanager', 'GetSecretValue').isValid).toBe(false);
    expect(e.decide('s3', 'GetObject').isValid).toBe(true);
  });

  it('refuses bad options naming the field', () => {
    expect(() => new VerdictEngine({ standard: 'pci' as never })).toThrow(/standard/);
    try {
      new VerdictEngine({ overrides: { allow: ['ec2 Describe*'] } });
      expect.unreachable();
    } catch (err) {
      expect(isInvalidOptionsError(err)).toBe(true);
      expect(String(err)).toMatch(/overrides\.allow\[0\]/);
    }
  });

  it('adds control IDs for SOC2 and ISO 27001, none for GENERAL', () => {
    expect(
      new VerdictEngine({ standard: ComplianceStandard.SOC2 }).decide('ec2', 'TerminateInstances').controls,
    ).toEqual(expect.arrayContaining(['CC6.1', 'CC8.1', 'CC7.2']));
    expect(
      new VerdictEngine({ standard: ComplianceStandard.ISO27001 }).decide('ec2', 'TerminateInstances').controls,
    ).toEqual(expect.arrayContaining(['A.5.15', 'A.8.15', 'A.8.32']));
    expect(engine.decide('ec2', 'TerminateInstances').controls).toEqual([]);
  });
});

describe('bad input never crashes and never allows', () => {
  it.each([
    ['', 'DescribeInstances'],
    ['ec2', ''],
    ['   ', 'x'],
    ['ec2', 'describe instances'],
    ['ec 2', 'DescribeInstances'],
    ['ec2', 'x'.repeat(10_000)],
    ['e'.repeat(5_000), 'DescribeInstances'],
    ['ec2', ':'],
    ['ec2', 'a:b:c'],
    ['ec2', 'Describe\u0000Instances'],
    ['ec2', '<script>'],
  ])('(%j, %j)', (service, operation) => {
    const v = engine.decide(service, operation);
    expect(v.isValid).toBe(false);
    expect(v.operationType).toBe(OperationType.UNKNOWN);
    expect(v.validationMessage.length).toBeLessThan(400);
  });

  it.each([[undefined], [null], [42], [{}], [['ec2']]])('non-string %j', (bad) => {
    const v = engine.decide(bad as never, 'DescribeInstances');
    expect(v.isValid).toBe(false);
    expect(v.validationMessage).toMatch(/service must be a string/);
    expect(engine.decide('ec2', bad as never).isValid).toBe(false);
  });
});
