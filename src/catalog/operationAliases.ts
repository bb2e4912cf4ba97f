/**
 * SDK operations whose IAM action has another name. Keyed by IAM service
 * prefix, then by the SDK operation name (PascalCase, without `Command`).
 * A value may name an action of another service (`s3express:...`).
 * A value with several actions means the call needs all of them, so the
 * verdict is that of the most powerful one (DynamoDB PartiQL statements can
 * read or write, so `ExecuteStatement` counts as a write).
 *
 * Source: the "Actions" column of the service authorization reference and
 * each service's API-to-permission documentation. Every row is exercised by
 * test/catalog/operationAliases.test.ts.
 */
export const OPERATION_ALIASES: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>> = {
  s3: {
    ListBuckets: 'ListAllMyBuckets',
    ListDirectoryBuckets: 's3express:ListAllMyDirectoryBuckets',
    WriteGetObjectResponse: 's3-object-lambda:WriteGetObjectResponse',
    ListObjects: 'ListBucket',
    ListObjectsV2: 'ListBucket',
    ListObjectVersions: 'ListBucketVersions',
    HeadBucket: 'ListBucket',
    HeadObject: 'GetObject',
    SelectObjectContent: 'GetObject',
    ListParts: 'ListMultipartUploadParts',
    ListMultipartUploads: 'ListBucketMultipartUploads',
    CopyObject: 'PutObject',
    CreateMultipartUpload: 'PutObject',
    UploadPart: 'PutObject',
    UploadPartCopy: 'PutObject',
    CompleteMultipartUpload: 'PutObject',
    DeleteObjects: 'DeleteObject',
    GetBucketCors: 'GetBucketCORS',
    PutBucketCors: 'PutBucketCORS',
    DeleteBucketCors: 'PutBucketCORS',
    GetBucketLifecycleConfiguration: 'GetLifecycleConfiguration',
    PutBucketLifecycleConfiguration: 'PutLifecycleConfiguration',
    DeleteBucketLifecycle: 'PutLifecycleConfiguration',
    GetBucketEncryption: 'GetEncryptionConfiguration',
    PutBucketEncryption: 'PutEncryptionConfiguration',
    DeleteBucketEncryption: 'PutEncryptionConfiguration',
    GetBucketReplication: 'GetReplicationConfiguration',
    PutBucketReplication: 'PutReplicationConfiguration',
    DeleteBucketReplication: 'PutReplicationConfiguration',
    DeleteBucketTagging: 'PutBucketTagging',
    GetBucketAnalyticsConfiguration: 'GetAnalyticsConfiguration',
    ListBucketAnalyticsConfigurations: 'GetAnalyticsConfiguration',
    PutBucketAnalyticsConfiguration: 'PutAnalyticsConfiguration',
    DeleteBucketAnalyticsConfiguration: 'PutAnalyticsConfiguration',
    GetBucketInventoryConfiguration: 'GetInventoryConfiguration',
    ListBucketInventoryConfigurations: 'GetInventoryConfiguration',
    PutBucketInventoryConfiguration: 'PutInventoryConfiguration',
    DeleteBucketInventoryConfiguration: 'PutInventoryConfiguration',
    GetBucketMetricsConfiguration: 'GetMetricsConfiguration',
    ListBucketMetricsConfigurations: 'GetMetricsConfiguration',
    PutBucketMetricsConfiguration: 'PutMetricsConfiguration',
    DeleteBucketMetricsConfiguration: 'PutMetricsConfiguration',
    GetBucketIntelligentTieringConfiguration: 'GetIntelligentTieringConfiguration',
    ListBucketIntelligentTieringConfigurations: 'GetIntelligentTieringConfiguration',
    PutBucketIntelligentTieringConfiguration: 'PutIntelligentTieringConfiguration',
    DeleteBucketIntelligentTieringConfiguration: 'PutIntelligentTieringConfiguration',
    DeleteBucketOwnershipControls: 'PutBucketOwnershipControls',
    GetBucketNotificationConfiguration: 'GetBucketNotification',
    PutBucketNotificationConfiguration: 'PutBucketNotification',
    GetObjectLockConfiguration: 'GetBucketObjectLockConfiguration',
    PutObjectLockConfiguration: 'PutBucketObjectLockConfiguration',
    GetPublicAccessBlock: 'GetBucketPublicAccessBlock',
    PutPublicAccessBlock: 'PutBucketPublicAccessBlock',
    DeletePublicAccessBlock: 'PutBucketPublicAccessBlock',
    GetBucketAccelerateConfiguration: 'GetAccelerateConfiguration',
    PutBucketAccelerateConfiguration: 'PutAccelerateConfiguration',
    DeleteBucketWebsite: 'DeleteBucketWebsite',
  },
  // S3 calls on an Object Lambda access point (`Bucket: arn:aws:s3-object-lambda:...`) are authorised as s3-object-lambda.
  's3-object-lambda': {
    HeadObject: 'GetObject',
    ListObjects: 'ListBucket',
    ListObjectsV2: 'ListBucket',
    ListObjectVersions: 'ListBucketVersions',
    ListParts: 'ListMultipartUploadParts',
    ListMultipartUploads: 'ListBucketMultipartUploads',
    CreateMultipartUpload: 'PutObject',
    UploadPart: 'PutObject',
    CompleteMultipartUpload: 'PutObject',
    DeleteObjects: 'DeleteObject',
  },
  lambda: {
    Invoke: 'InvokeFunction',
    InvokeWithResponseStream: 'InvokeFunction',
  },
  dynamodb: {
    ExecuteStatement: ['PartiQLSelect', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete'],
    BatchExecuteStatement: ['PartiQLSelect', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete'],
    ExecuteTransaction: ['PartiQLSelect', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete'],
    TransactGetItems: 'GetItem',
    TransactWriteItems: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
  },
  logs: {
    StartLiveTail: 'StartLiveTail',
  },
  ses: {
    // SES v2 sends raw and formatted mail through one operation.
    SendEmail: ['SendEmail', 'SendRawEmail'],
  },
  cloudwatch: {
    GetMetricWidgetImage: 'GetMetricWidgetImage',
  },
};

/**
 * API Gateway's management API (the SDK's `APIGateway` client) is authorised
 * by HTTP verb (`apigateway:GET`, `apigateway:POST` ...), not by operation
 * name: the verb follows from the operation's prefix.
 */
export const APIGATEWAY_VERB_BY_PREFIX: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(get|list)/i, 'GET'],
  [/^(create|import|test|flush|generate)/i, 'POST'],
  [/^(put|tag)/i, 'PUT'],
  [/^(update)/i, 'PATCH'],
  [/^(delete|untag)/i, 'DELETE'],
];
