import { logDebug } from '../logging/debugLog.js';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { awsRequestHandler } from '../aws/clientConfig.js';
import { CloudTrailErrorKind, TrailObjectMissingError, TrailSourceError } from './errors.js';
import type { TrailListing, TrailObject, TrailStore } from './trailStore.js';

export interface S3TrailStoreOptions {
  /** A ready client; when absent one is built from `clientConfig`. */
  client?: S3Client;
  /**
   * Used when `client` is absent. The SDK also honours `AWS_ENDPOINT_URL_S3`
   * / `AWS_ENDPOINT_URL` and the usual credential chain.
   * @default {}
   */
  clientConfig?: S3ClientConfig;
}

const errorName = (err: unknown): string => (err as { name?: string } | undefined)?.name ?? '';
const httpStatus = (err: unknown): number | undefined =>
  (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/** Trail log files in the bucket a trail delivers to. Needs s3:ListBucket and s3:GetObject. */
export class S3TrailStore implements TrailStore {
  readonly location: string;
  readonly rootSegments: readonly string[];
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #options: S3TrailStoreOptions;
  #client: S3Client | undefined;
  #sdk: typeof import('@aws-sdk/client-s3') | undefined;

  /** `prefix` is '' or ends with '/'. */
  constructor(bucket: string, prefix: string, options: S3TrailStoreOptions = {}) {
    this.#bucket = bucket;
    this.#prefix = prefix;
    this.#options = options;
    this.#client = options.client;
    this.location = `s3://${bucket}/${prefix}`;
    this.rootSegments = prefix.split('/').filter(Boolean);
  }

  async #init(): Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> {
    // Loaded on first use so `inventag` commands that never touch S3 start fast.
    this.#sdk ??= await import('@aws-sdk/client-s3');
    this.#client ??= new this.#sdk.S3Client({ requestHandler: awsRequestHandler(), ...this.#options.clientConfig });
    return { client: this.#client, sdk: this.#sdk };
  }

  /** Turns the SDK's error into a message that names the bucket and what to grant. */
  #fail(err: unknown, action: string, target: string): never {
    const name = errorName(err);
    const status = httpStatus(err);
    if (name === 'NoSuchBucket' || name === 'NotFound' || (status === 404 && action === 's3:ListBucket')) {
      throw new TrailSourceError(
        `bucket ${this.#bucket} does not exist (or is in another partition)`,
        this.location,
        CloudTrailErrorKind.AWS,
        { cause: err },
      );
    }
    if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
      throw new TrailSourceError(
        `access denied: ${action} on ${target}; the identity needs s3:ListBucket on arn:aws:s3:::${this.#bucket} and s3:GetObject on arn:aws:s3:::${this.#bucket}/${this.#prefix}*`,
        this.location,
        CloudTrailErrorKind.AWS,
        { cause: err },
      );
    }
    if (name === 'CredentialsProviderError') {
      throw new TrailSourceError(
        `no AWS credentials to read ${this.location}: ${(err as Error).message}`,
        this.location,
        CloudTrailErrorKind.AWS,
        { cause: err },
      );
    }
    const message = err instanceof Error ? err.message : String(err);
    throw new TrailSourceError(
      `${action} on ${target} failed: ${name ? `${name}: ` : ''}${message}`,
      this.location,
      CloudTrailErrorKind.AWS,
      { cause: err },
    );
  }

  async check(): Promise<void> {
    const { client, sdk } = await this.#init();
    try {
      // HeadBucket needs the same s3:ListBucket permission the listing does, and answers 404 for a missing bucket.
      await client.send(new sdk.HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (err) {
      this.#fail(err, 's3:ListBucket', `s3://${this.#bucket}`);
    }
  }

  async list(prefix: string): Promise<TrailListing> {
    const { client, sdk } = await this.#init();
    const full = `${this.#prefix}${prefix}`;
    const dirs: string[] = [];
    const files: TrailObject[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: full,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        );
      } catch (err) {
        this.#fail(err, 's3:ListBucket', `s3://${this.#bucket}/${full}`);
      }
      for (const p of page.CommonPrefixes ?? []) {
        const name = p.Prefix?.slice(full.length).replace(/\/$/, '');
        if (name) dirs.push(name);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key.endsWith('/')) continue;
        files.push({ key: o.Key.slice(this.#prefix.length), name: `s3://${this.#bucket}/${o.Key}`, size: o.Size });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { dirs, files };
  }

  async open(object: TrailObject): Promise<Readable> {
    logDebug('evidence file read', { file: object.name, bytes: object.size });
    return (await this.openWithMetadata(object)).body;
  }

  async openWithMetadata(
    object: TrailObject,
  ): Promise<{ body: Readable; metadata: Record<string, string> | undefined }> {
    const { client, sdk } = await this.#init();
    try {
      const out = await client.send(
        new sdk.GetObjectCommand({ Bucket: this.#bucket, Key: `${this.#prefix}${object.key}` }),
      );
      return { body: out.Body as Readable, metadata: out.Metadata ?? {} };
    } catch (err) {
      if (errorName(err) === 'NoSuchKey') throw new TrailObjectMissingError(object.name, this.location, { cause: err });
      this.#fail(err, 's3:GetObject', object.name);
    }
  }
}
