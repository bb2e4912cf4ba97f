/**
 * S3 ListBuckets, ListObjectsV2 (paginated), HeadBucket and GetObject over
 * in-memory buckets (REST-XML, path-style addressing); any other operation on
 * a bucket that does not exist answers NoSuchBucket.
 */
import { errorResponse, escapeXml, HandlerError, page, xmlResult, xmlText } from './protocol.js';
import type { AwsRequest, ServiceHandler } from './types.js';

export interface S3HandlerOptions {
  /** Bucket name -> object keys. @default one bucket `inventag-logs` with 3 objects */
  buckets?: Record<string, string[]>;
}

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const CREATED = '2024-01-01T00:00:00.000Z';

/** Bucket and key of a path-style request. */
export function s3Location(path: string): { bucket: string | undefined; key: string | undefined } {
  const trimmed = path.replace(/^\//, '');
  if (trimmed === '') return { bucket: undefined, key: undefined };
  const slash = trimmed.indexOf('/');
  if (slash < 0) return { bucket: trimmed, key: undefined };
  const key = trimmed.slice(slash + 1);
  return { bucket: trimmed.slice(0, slash), key: key === '' ? undefined : key };
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Names an S3 REST request the way the API does (`ListObjectsV2`, `GetBucketTagging`, ...). */
export function s3Operation(req: Pick<AwsRequest, 'method' | 'path' | 'query'>): string {
  const xId = req.query['x-id'];
  if (xId !== undefined) return xId;
  const { bucket, key } = s3Location(req.path);
  if (bucket === undefined) return 'ListBuckets';
  if (key !== undefined)
    return (
      { GET: 'GetObject', HEAD: 'HeadObject', PUT: 'PutObject', DELETE: 'DeleteObject' }[req.method] ??
      `${req.method} ${req.path}`
    );
  if (req.query['list-type'] === '2') return 'ListObjectsV2';
  const sub = Object.keys(req.query).find((name) => /^[a-z]+$/.test(name));
  const verb = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head', POST: 'Post' }[req.method] ?? req.method;
  if (sub !== undefined) return `${verb}Bucket${capitalize(sub)}`;
  return (
    { GET: 'ListObjects', HEAD: 'HeadBucket', PUT: 'CreateBucket', DELETE: 'DeleteBucket' }[req.method] ??
    `${req.method} ${req.path}`
  );
}

export function s3Handler(options: S3HandlerOptions = {}): ServiceHandler {
  const buckets = options.buckets ?? {
    'inventag-logs': ['AWSLogs/a.json.gz', 'AWSLogs/b.json.gz', 'AWSLogs/c.json.gz'],
  };
  return {
    name: 's3',
    operationOf: (req) => (req.service === 's3' ? s3Operation(req) : undefined),
    matches: (req) => {
      if (req.service !== 's3') return false;
      if (['ListBuckets', 'ListObjectsV2', 'HeadBucket', 'GetObject'].includes(req.operation)) return true;
      const { bucket } = s3Location(req.path);
      return bucket !== undefined && buckets[bucket] === undefined && req.operation !== 'CreateBucket';
    },
    handle: (req) => {
      if (req.operation === 'ListBuckets') {
        const list = Object.keys(buckets)
          .map((name) => `<Bucket>${xmlText('Name', name)}${xmlText('CreationDate', CREATED)}</Bucket>`)
          .join('');
        return xmlResult(
          `<ListAllMyBucketsResult xmlns="${NS}"><Owner><ID>owner</ID><DisplayName>owner</DisplayName></Owner><Buckets>${list}</Buckets></ListAllMyBucketsResult>`,
        );
      }
      const { bucket } = s3Location(req.path);
      const keys = bucket === undefined ? undefined : buckets[bucket];
      if (keys === undefined) {
        return errorResponse(req, 404, 'NoSuchBucket', `The specified bucket does not exist: ${bucket ?? ''}`);
      }
      if (req.operation === 'GetObject') {
        const { key } = s3Location(req.path);
        if (key === undefined || !keys.includes(key))
          return errorResponse(req, 404, 'NoSuchKey', 'The specified key does not exist.');
        return {
          status: 200,
          headers: { 'content-type': 'application/octet-stream', etag: '"0123456789abcdef"' },
          body: `content of ${key}`,
        };
      }
      if (req.operation === 'HeadBucket')
        return { status: 200, headers: { 'x-amz-bucket-region': req.region ?? 'us-east-1' }, body: '' };
      const prefix = req.query.prefix ?? '';
      const maxKeys = req.query['max-keys'] === undefined ? 1000 : Number(req.query['max-keys']);
      if (!Number.isInteger(maxKeys) || maxKeys < 1)
        throw new HandlerError(
          400,
          'InvalidArgument',
          `max-keys must be a positive integer, got ${req.query['max-keys']}`,
        );
      const matching = keys.filter((key) => key.startsWith(prefix));
      const { items, next } = page(matching, req.query['continuation-token'], maxKeys);
      const contents = items
        .map(
          (key) =>
            `<Contents>${xmlText('Key', key)}${xmlText('LastModified', CREATED)}<ETag>&quot;0123456789abcdef&quot;</ETag><Size>128</Size><StorageClass>STANDARD</StorageClass></Contents>`,
        )
        .join('');
      return xmlResult(
        `<ListBucketResult xmlns="${NS}">${xmlText('Name', bucket)}<Prefix>${escapeXml(prefix)}</Prefix>${xmlText('KeyCount', items.length)}${xmlText('MaxKeys', maxKeys)}` +
          `${xmlText('IsTruncated', next !== undefined)}${contents}${xmlText('ContinuationToken', req.query['continuation-token'])}${xmlText('NextContinuationToken', next)}</ListBucketResult>`,
      );
    },
  };
}
