/**
 * Wire-protocol helpers for the loopback AWS server: how to tell the
 * protocol of a request, and how to answer (success and error) in each
 * protocol's shape, so handlers stay a few lines long.
 */
import { randomUUID } from 'node:crypto';
import type { AwsProtocol, AwsRequest, HandlerResponse } from './types.js';

/** Thrown by a handler to answer with an AWS error in the request's protocol shape. */
export class HandlerError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'HandlerError';
    this.status = status;
    this.code = code;
  }
}

/** Signing name -> protocol, for services whose protocol is not visible in the request. */
const PROTOCOL_BY_SERVICE: Record<string, AwsProtocol> = {
  ec2: 'ec2',
  sts: 'query',
  iam: 'query',
  sns: 'query',
  sqs: 'query',
  cloudformation: 'query',
  elasticloadbalancing: 'query',
  autoscaling: 'query',
  rds: 'query',
  s3: 'rest-xml',
  route53: 'rest-xml',
  cloudfront: 'rest-xml',
  lambda: 'rest-json',
  apigateway: 'rest-json',
};

/** X-Amz-Target prefix -> signing name, for unsigned JSON requests. */
const SERVICE_BY_TARGET: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  CloudTrail_20131101: 'cloudtrail',
  'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101': 'cloudtrail',
};

/** The signing name and region from a SigV4 `Authorization` header. */
export function parseCredentialScope(authorization: string | undefined): { service?: string; region?: string } {
  const match = /Credential=[^/,\s]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  if (match === null) return {};
  return { region: match[1], service: match[2] };
}

export function detectProtocol(
  service: string,
  headers: Readonly<Record<string, string>>,
  params: Readonly<Record<string, string>>,
): AwsProtocol {
  if (headers['x-amz-target'] !== undefined) return 'json';
  const known = PROTOCOL_BY_SERVICE[service];
  if (known !== undefined) return known;
  if (params.Action !== undefined) return 'query';
  const type = headers['content-type'] ?? '';
  if (type.includes('json')) return 'rest-json';
  return 'unknown';
}

export function serviceFromTarget(target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  const prefix = target.slice(0, target.lastIndexOf('.'));
  return SERVICE_BY_TARGET[prefix];
}

export function operationFromTarget(target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  return target.slice(target.lastIndexOf('.') + 1);
}

export function escapeXml(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

/** `<tag>escaped value</tag>`, or nothing when the value is undefined. */
export function xmlText(tag: string, value: unknown): string {
  return value === undefined ? '' : `<${tag}>${escapeXml(value)}</${tag}>`;
}

/** Each item wrapped in `<item>`, the list shape of the EC2 protocol. */
export function ec2Items(items: readonly string[]): string {
  return items.map((inner) => `<item>${inner}</item>`).join('');
}

export function requestId(): string {
  return randomUUID();
}

const XML_HEADERS = { 'content-type': 'text/xml' };

/**
 * A successful answer to a query or EC2 request; `resultXml` is the inner
 * XML of the `<ActionResult>` element (query) or of the response (EC2).
 */
export function queryResult(req: AwsRequest, resultXml = ''): HandlerResponse {
  const action = req.operation;
  const id = requestId();
  if (req.protocol === 'ec2') {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${id}</requestId>${resultXml}</${action}Response>`;
    return { status: 200, headers: { ...XML_HEADERS, 'x-amzn-requestid': id }, body };
  }
  const body =
    `<${action}Response xmlns="https://${req.service}.amazonaws.com/doc/"><${action}Result>${resultXml}</${action}Result>` +
    `<ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { ...XML_HEADERS, 'x-amzn-requestid': id }, body };
}

export function jsonResult(req: AwsRequest, value: unknown, status = 200): HandlerResponse {
  const type =
    req.protocol === 'json' ? (req.headers['content-type'] ?? 'application/x-amz-json-1.1') : 'application/json';
  return { status, headers: { 'content-type': type, 'x-amzn-requestid': requestId() }, body: JSON.stringify(value) };
}

export function xmlResult(xml: string, status = 200): HandlerResponse {
  const id = requestId();
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': id, 'x-amzn-requestid': id },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`,
  };
}

/** An AWS error in the request's protocol shape, which the SDK turns into a typed exception named `code`. */
export function errorResponse(req: AwsRequest, status: number, code: string, message: string): HandlerResponse {
  const id = requestId();
  switch (req.protocol) {
    case 'ec2':
      return {
        status,
        headers: { ...XML_HEADERS, 'x-amzn-requestid': id },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${xmlText('Code', code)}${xmlText('Message', message)}</Error></Errors><RequestID>${id}</RequestID></Response>`,
      };
    case 'query':
      return {
        status,
        headers: { ...XML_HEADERS, 'x-amzn-requestid': id },
        body:
          `<ErrorResponse xmlns="https://${req.service}.amazonaws.com/doc/"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
          `${xmlText('Code', code)}${xmlText('Message', message)}</Error><RequestId>${id}</RequestId></ErrorResponse>`,
      };
    case 'rest-xml':
      return {
        status,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': id },
        // A HEAD answer has no body; the SDK then names the error after the status.
        body:
          req.method === 'HEAD'
            ? ''
            : `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${xmlText('Code', code)}${xmlText('Message', message)}<RequestId>${id}</RequestId></Error>`,
      };
    case 'json':
      return {
        status,
        headers: {
          'content-type': req.headers['content-type'] ?? 'application/x-amz-json-1.1',
          'x-amzn-requestid': id,
          'x-amzn-errortype': code,
        },
        body: JSON.stringify({ __type: code, message }),
      };
    case 'rest-json':
    case 'unknown':
      return {
        status,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': id, 'x-amzn-errortype': code },
        body: JSON.stringify({ message }),
      };
  }
}

/** An empty success in the request's protocol shape, for operations no handler knows. */
export function emptySuccess(req: AwsRequest): HandlerResponse {
  switch (req.protocol) {
    case 'ec2':
    case 'query':
      return queryResult(req);
    case 'json':
    case 'rest-json':
      return jsonResult(req, {});
    case 'rest-xml':
      return { status: 200, headers: { 'x-amz-request-id': requestId() }, body: '' };
    case 'unknown':
      return errorResponse(req, 404, 'UnknownOperationException', `No handler for ${req.method} ${req.path}`);
  }
}

/** Opaque page tokens: the offset, base64url-encoded so clients treat it as a token. */
export function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

export function decodeToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (match === null) throw new HandlerError(400, 'InvalidParameterValue', `Invalid pagination token ${token}`);
  return Number(match[1]);
}

/** One page of `items` from a token and a page size; `next` is undefined on the last page. */
export function page<T>(
  items: readonly T[],
  token: string | undefined,
  size: number,
): { items: T[]; next: string | undefined } {
  const start = decodeToken(token);
  const end = start + size;
  return { items: items.slice(start, end), next: end < items.length ? encodeToken(end) : undefined };
}
