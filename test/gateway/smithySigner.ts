/** The tests' independent SigV4 signer: `@smithy/signature-v4`, what the SDK signs with, over node:crypto. */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytesOf = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** A smithy signer for one scope: S3 signs raw paths, every other service escaped ones (as the SDK does). */
export const smithySigner = (
  credentials: { accessKeyId: string; secretAccessKey: string },
  scope: { region: string; service: string },
): SignatureV4 =>
  new SignatureV4({
    credentials,
    ...scope,
    sha256: NodeSha256,
    uriEscapePath: scope.service !== 's3',
    applyChecksum: false,
  });
