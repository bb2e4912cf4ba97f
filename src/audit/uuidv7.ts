/**
 * Time-ordered UUIDs (RFC 9562 version 7) for audit ids: new ids sort after
 * old ones, so the store's unique index on audit_id grows at its end instead
 * of at random pages, which keeps appends fast on large stores.
 */
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(16 * 256);
let offset = pool.length;
/** Two hex digits of every byte value. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Hex of `count` random bytes from the pool, starting `at` bytes into the current 16-byte slot. */
const hex = (at: number, count: number): string => {
  let out = '';
  for (let i = at; i < at + count; i++) out += HEX[pool[offset + i] as number] as string;
  return out;
};

let prefixMs = Number.NaN;
let prefix = '';

export function uuidv7(now = Date.now()): string {
  if (offset >= pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  // 48 bits of milliseconds, then version 7 with 12 random bits, then variant 10 with 62 random bits.
  if (now !== prefixMs) {
    // Ids made within one millisecond share their time digits.
    const time = Math.floor(now).toString(16).padStart(12, '0').slice(-12);
    prefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
    prefixMs = now;
  }
  const version = HEX[(pool[offset + 6] as number) & 0x0f]?.[1] as string;
  const variant = HEX[0x80 | ((pool[offset + 8] as number) & 0x3f)] as string;
  const id = `${prefix}${version}${hex(7, 1)}-${variant}${hex(9, 1)}-${hex(10, 6)}`;
  offset += 16;
  return id;
}
