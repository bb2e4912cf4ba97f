/**
 * CloudTrail names a service by its API host (`eventSource`), IAM by its
 * prefix. Most hosts are `<prefix>.amazonaws.com`; these are not.
 */
export const EVENT_SOURCE_PREFIXES: Readonly<Record<string, string>> = {
  'monitoring.amazonaws.com': 'cloudwatch',
  'email.amazonaws.com': 'ses',
  'tagging.amazonaws.com': 'tag',
  'streams.dynamodb.amazonaws.com': 'dynamodb',
  'api.sagemaker.amazonaws.com': 'sagemaker',
  'runtime.sagemaker.amazonaws.com': 'sagemaker',
  'data.iot.amazonaws.com': 'iot',
  'api.ecr.amazonaws.com': 'ecr',
  'api.ecr-public.amazonaws.com': 'ecr-public',
  'api.mediatailor.amazonaws.com': 'mediatailor',
  'runtime.lex.amazonaws.com': 'lex',
  'models.lex.amazonaws.com': 'lex',
  'execute-api.amazonaws.com': 'execute-api',
  'sso-directory.amazonaws.com': 'sso-directory',
  'identitystore.amazonaws.com': 'identitystore',
  'bedrock-runtime.amazonaws.com': 'bedrock',
  'bedrock-agent.amazonaws.com': 'bedrock',
  'bedrock-agent-runtime.amazonaws.com': 'bedrock',
  'elasticloadbalancing.amazonaws.com': 'elasticloadbalancing',
  'es.amazonaws.com': 'es',
  'billingconsole.amazonaws.com': 'aws-portal',
};

/** The IAM prefix for a CloudTrail `eventSource` (`ec2.amazonaws.com` -> `ec2`). */
export function iamPrefixForEventSource(eventSource: string): string {
  const known = EVENT_SOURCE_PREFIXES[eventSource];
  if (known) return known;
  const host = eventSource.endsWith('.amazonaws.com') ? eventSource.slice(0, -'.amazonaws.com'.length) : eventSource;
  // Regional or dual-stack hosts (`s3.eu-west-1`, `sts.us-east-1`) keep the prefix first.
  const dot = host.indexOf('.');
  return dot > 0 ? host.slice(0, dot) : host;
}

/**
 * The IAM action name for a CloudTrail `eventName`. Lambda records its API
 * version in the name (`GetFunction20150331v2`); other services use the
 * operation name, which the verdict source maps to the IAM action.
 */
export function actionNameForEvent(prefix: string, eventName: string): string {
  if (prefix === 'lambda') return eventName.replace(/20\d{6}(v\d+)?$/, '');
  return eventName;
}
