/**
 * CloudTrail ListPublicKeys (JSON 1.1, `X-Amz-Target:
 * com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys`):
 * the public halves of the keys that sign digest files, per region, as DER
 * PKCS #1 (base64 on the wire, a blob) with their fingerprints. Honours
 * StartTime / EndTime (keys whose validity overlaps), pages with NextToken.
 */
import { HandlerError, jsonResult, page } from './protocol.js';
import type { ServiceHandler } from './types.js';

export interface ServedPublicKey {
  fingerprint: string;
  /** DER PKCS #1 RSAPublicKey. */
  der: Buffer;
  validityStart: Date;
  validityEnd: Date;
}

export interface PublicKeysHandlerOptions {
  /** Region -> keys; a region not listed has none. */
  keys: Record<string, ServedPublicKey[]>;
  /** Keys per page. @default 10 */
  pageSize?: number;
}

export function cloudTrailPublicKeysHandler(options: PublicKeysHandlerOptions): ServiceHandler {
  return {
    name: 'cloudtrail-public-keys',
    matches: (req) => req.service === 'cloudtrail' && req.operation === 'ListPublicKeys',
    handle: (req) => {
      const input = (req.json ?? {}) as { StartTime?: number; EndTime?: number; NextToken?: string };
      const from = input.StartTime === undefined ? -Infinity : input.StartTime * 1000;
      const to = input.EndTime === undefined ? Infinity : input.EndTime * 1000;
      if (from > to) throw new HandlerError(400, 'InvalidTimeRangeException', 'StartTime is after EndTime');
      const selected = (options.keys[req.region ?? 'us-east-1'] ?? []).filter(
        (k) => k.validityStart.getTime() <= to && k.validityEnd.getTime() >= from,
      );
      const { items, next } = page(selected, input.NextToken, options.pageSize ?? 10);
      return jsonResult(req, {
        PublicKeyList: items.map((k) => ({
          Value: k.der.toString('base64'),
          ValidityStartTime: k.validityStart.getTime() / 1000,
          ValidityEndTime: k.validityEnd.getTime() / 1000,
          Fingerprint: k.fingerprint,
        })),
        ...(next ? { NextToken: next } : {}),
      });
    },
  };
}

/** A trail as DescribeTrails returns it. */
export interface ServedTrail {
  name: string;
  homeRegion: string;
  bucket: string;
  prefix?: string;
  logFileValidation: boolean;
}

/**
 * CloudTrail DescribeTrails (JSON 1.1): the trails of the account, each with its bucket, prefix and whether
 * log file validation is enabled (`LogFileValidationEnabled`).
 */
export function cloudTrailTrailsHandler(trails: ServedTrail[]): ServiceHandler {
  return {
    name: 'cloudtrail-trails',
    matches: (req) => req.service === 'cloudtrail' && req.operation === 'DescribeTrails',
    handle: (req) =>
      jsonResult(req, {
        trailList: trails.map((t) => ({
          Name: t.name,
          HomeRegion: t.homeRegion,
          S3BucketName: t.bucket,
          ...(t.prefix ? { S3KeyPrefix: t.prefix } : {}),
          IsMultiRegionTrail: true,
          LogFileValidationEnabled: t.logFileValidation,
          TrailARN: `arn:aws:cloudtrail:${t.homeRegion}:123456789012:trail/${t.name}`,
        })),
      }),
  };
}
