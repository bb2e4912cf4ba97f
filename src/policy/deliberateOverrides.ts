/**
 * Actions whose IAM access level says Read or List although the call changes
 * something: it hides or counts messages, starts a job (billed, holding a
 * quota slot, or writing its output somewhere), stops someone else's job,
 * or runs code the caller does not control. These are the only places our
 * verdict departs from the IAM data; test/catalog/everyAction.test.ts checks
 * every other action against its access level, and
 * test/policy/deliberateOverrides.test.ts checks each row here.
 *
 * Reviewed and kept as reads (they change nothing another caller can see):
 * `kinesis:GetRecords` and `GetShardIterator` (iterators live with the
 * caller), `kinesis:SubscribeToShard` (a stream of records to the caller),
 * `iam:GenerateCredentialReport`, `GenerateServiceLastAccessedDetails` and
 * `GenerateOrganizationsAccessReport` (build a report only the caller reads),
 * `athena:GetQueryResults`, `logs:GetQueryResults`, `bedrock:InvokeModel`
 * (inference, billed but stateless). Actions IAM already calls Write need no
 * row: `athena:StartQueryExecution`, `cloudtrail:StartQuery`, `kms:Decrypt`,
 * `glacier:InitiateJob`, `lambda:InvokeFunction`.
 */
export interface DeliberateOverride {
  readonly treatAs: 'mutating';
  /** Why the call changes state, completing "Treated as mutating although IAM calls it Read: <action> ...". */
  readonly reason: string;
}

const runsTheAccessPointFunction = {
  treatAs: 'mutating',
  reason:
    'runs the Object Lambda access point’s Lambda function, which can do anything its execution role allows, on every call',
} as const;

export const DELIBERATE_OVERRIDES: Readonly<Record<string, DeliberateOverride>> = {
  'ssm:PutConfigurePackageResult': {
    treatAs: 'mutating',
    reason: 'records a package configuration result in Systems Manager',
  },
  'ec2:StartDeclarativePoliciesReport': {
    treatAs: 'mutating',
    reason: 'starts a report job that writes its output to an S3 bucket',
  },
  'securityhub:SendFindingEvents': { treatAs: 'mutating', reason: 'sends finding events into Security Hub' },
  'securityhub:SendInsightEvents': { treatAs: 'mutating', reason: 'sends insight events into Security Hub' },
  'a4b:StartSmartHomeApplianceDiscovery': {
    treatAs: 'mutating',
    reason: 'starts a device discovery that registers appliances',
  },
  'sqs:ReceiveMessage': {
    treatAs: 'mutating',
    reason:
      'hides the messages it returns from every other consumer for the visibility timeout and raises their receive count, which moves them to the dead-letter queue after maxReceiveCount',
  },
  's3-object-lambda:GetObject': runsTheAccessPointFunction,
  's3-object-lambda:GetObjectVersion': runsTheAccessPointFunction,
  's3-object-lambda:ListBucket': runsTheAccessPointFunction,
  'logs:StartQuery': {
    treatAs: 'mutating',
    reason:
      'starts a Logs Insights query job, billed per GB scanned and holding one of the account’s concurrent-query slots',
  },
  'logs:StopQuery': { treatAs: 'mutating', reason: 'stops a running Logs Insights query, possibly someone else’s' },
  'logs:StartLiveTail': {
    treatAs: 'mutating',
    reason: 'starts a billed Live Tail session that holds one of the account’s concurrent-session slots',
  },
  'logs:StopLiveTail': { treatAs: 'mutating', reason: 'ends a Live Tail session' },
  'internetmonitor:StartQuery': {
    treatAs: 'mutating',
    reason: 'starts a query job over the monitor’s measurements',
  },
  'internetmonitor:StopQuery': { treatAs: 'mutating', reason: 'stops a running query, possibly someone else’s' },
  'xray:StartTraceRetrieval': { treatAs: 'mutating', reason: 'starts a trace retrieval job' },
  'xray:CancelTraceRetrieval': {
    treatAs: 'mutating',
    reason: 'cancels a trace retrieval job, possibly someone else’s',
  },
  'servicequotas:StartQuotaUtilizationReport': { treatAs: 'mutating', reason: 'starts a quota utilization report job' },
  'deadline:StartSessionsStatisticsAggregation': { treatAs: 'mutating', reason: 'starts a statistics aggregation job' },
  'devops-guru:StartCostEstimation': { treatAs: 'mutating', reason: 'starts a cost estimation job' },
  'config:DeliverConfigSnapshot': {
    treatAs: 'mutating',
    reason: 'makes AWS Config write a configuration snapshot into the delivery channel’s S3 bucket',
  },
  'elasticbeanstalk:RequestEnvironmentInfo': {
    treatAs: 'mutating',
    reason: 'makes every instance of the environment compile its logs and upload them to S3',
  },
  'ssm:StartExecutionPreview': { treatAs: 'mutating', reason: 'starts an Automation execution preview job' },
  'codecommit:CancelUploadArchive': {
    treatAs: 'mutating',
    reason: 'cancels the upload of a source archive to a CodePipeline run',
  },
  'cloudshell:ApproveCommand': { treatAs: 'mutating', reason: 'approves a command to run in a CloudShell environment' },
  'bedrock:InvokeAgent': {
    treatAs: 'mutating',
    reason: 'runs the agent, whose action groups call Lambda functions and APIs that can change anything',
  },
  'bedrock:InvokeInlineAgent': {
    treatAs: 'mutating',
    reason: 'runs an agent, whose action groups call Lambda functions and APIs that can change anything',
  },
  'bedrock:InvokeFlow': {
    treatAs: 'mutating',
    reason: 'runs the flow, whose nodes call Lambda functions, agents and storage that can change anything',
  },
  'sagemaker:InvokeEndpoint': {
    treatAs: 'mutating',
    reason:
      'runs the model container behind the endpoint, code the caller does not control (like lambda:InvokeFunction)',
  },
  'sagemaker:InvokeEndpointWithResponseStream': {
    treatAs: 'mutating',
    reason:
      'runs the model container behind the endpoint, code the caller does not control (like lambda:InvokeFunction)',
  },
  'sagemaker:InvokeEndpointAsync': {
    treatAs: 'mutating',
    reason: 'queues an inference job that runs the model container and writes its output to S3',
  },
};
