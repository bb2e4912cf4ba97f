/**
 * Trail log files for tests: gzip `{"Records":[...]}` files written in the
 * AWSLogs layout to a temp directory or to a real S3-compatible server
 * (s3rver) on loopback.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface TrailFile {
  /** Key in the AWSLogs layout (see trailKey). */
  key: string;
  /** Records to write, or raw bytes for a corrupt file. */
  records?: unknown[];
  raw?: Buffer;
  /** S3 user metadata (`x-amz-meta-*`), for S3 uploads: a digest's `signature`. */
  metadata?: Record<string, string>;
}

export function fileBytes(file: TrailFile): Buffer {
  return file.raw ?? gzipSync(JSON.stringify({ Records: file.records ?? [] }));
}

export function writeLocalTrail(root: string, files: readonly TrailFile[]): void {
  for (const f of files) {
    const path = join(root, ...f.key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, fileBytes(f));
  }
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;

export interface S3rverHandle {
  url: string;
  /** Client settings for the server (path-style, its fixed credentials). */
  config: {
    endpoint: string;
    region: string;
    forcePathStyle: boolean;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  client: S3Client;
  upload(bucket: string, files: readonly TrailFile[]): Promise<void>;
  close(): Promise<void>;
}

/** Starts s3rver on a random loopback port, storing its data under `directory`. */
export async function startS3rver(directory: string): Promise<S3rverHandle> {
  const require = createRequire(import.meta.url);
  // s3rver 3.7.1 prunes its directory walk below the first delimiter level, so
  // a listing with Delimiter '/' misses common prefixes whose objects lie more
  // than one folder deeper (real S3 returns them). Its listing logic is right
  // once it sees every key, so the walk is made to visit every folder. This
  // must happen before s3rver's store module loads and copies `walk`.
  const utils = require('s3rver/lib/utils') as {
    walk: (dir: string, filter?: (p: string) => boolean) => Iterable<string>;
    __inventagPatched?: boolean;
  };
  if (!utils.__inventagPatched) {
    const original = utils.walk;
    utils.walk = (dir) => original(dir);
    utils.__inventagPatched = true;
  }
  // s3rver ships no types; it is CommonJS.
  const S3rver = require('s3rver') as S3rverCtor;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: process.env.S3RVER_LOG !== '1',
    directory,
    resetOnClose: true,
  });
  const { port } = await server.run();
  const url = `http://127.0.0.1:${port}`;
  const config = {
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  const client = new S3Client(config);
  return {
    url,
    config,
    client,
    async upload(bucket, files) {
      await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((err: { name?: string }) => {
        if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
      });
      for (const f of files)
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: f.key, Body: fileBytes(f), Metadata: f.metadata }),
        );
    },
    async close() {
      client.destroy();
      await server.close();
    },
  };
}
