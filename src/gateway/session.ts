/** The gateway's own credential: what a client signs with instead of the real credentials. */
import { randomBytes } from 'node:crypto';

/** A random key pair valid only for one gateway (never an AWS credential). */
export interface SessionCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `AKIG` + 16 random base32 characters (AWS-shaped, so clients accept it) and a 40-character secret. */
export function newSessionCredential(): SessionCredential {
  const id = [...randomBytes(16)].map((b) => BASE32[b % 32]).join('');
  return Object.freeze({
    accessKeyId: `AKIG${id}`,
    secretAccessKey: randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B'),
  });
}
