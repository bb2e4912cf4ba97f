export declare const DEMO_ACCOUNT: string;
export declare const DEMO_ORG: string;
export declare const IDENTITIES: Record<
  'inventory' | 'deploy' | 'alice',
  Record<string, unknown> & { arn: string; accessKeyId: string; accountId: string }
>;
export declare const READS: ReadonlyArray<readonly [string, string, unknown]>;
export declare const WRITES: ReadonlyArray<readonly [string, string, unknown]>;
export declare function rng(seed: number): () => number;
export interface RecordSpec {
  time: Date;
  region: string;
  identity: Record<string, unknown>;
  eventSource: string;
  eventName: string;
  readOnly?: boolean;
  requestParameters?: unknown;
  responseElements?: unknown;
  errorCode?: string;
  errorMessage?: string;
  eventId?: string;
  requestId?: string;
  sourceIp?: string;
  userAgent?: string;
  next?: () => number;
}
export declare function makeRecord(
  spec: RecordSpec,
): Record<string, unknown> & { eventID: string; requestID: string; eventTime: string; eventName: string };
export declare function backgroundRecords(
  count: number,
  options: { start: Date; end: Date; region: string; seed?: number },
): Array<ReturnType<typeof makeRecord>>;
export declare function trailKey(options: {
  account?: string;
  region: string;
  time: Date;
  uniq: string;
  org?: string;
}): string;
