/**
 * Errors in each service's own protocol, so that every AWS client parses a
 * refusal the way it parses AWS's: boto3 raises `ClientError`, the AWS CLI
 * prints one line and exits non-zero, Terraform shows the message.
 */
import { randomUUID } from 'node:crypto';
import { WireProtocol } from '../wire/index.js';

export interface ProtocolResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What kind of refusal: the service's code for it differs by protocol. */
export type RefusalKind = 'blocked' | 'auth' | 'bad-request' | 'too-large' | 'unavailable' | 'internal';

const escapeXml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** The code AWS itself uses for an access denial, by protocol. */
export function accessDeniedCode(protocol: WireProtocol | undefined): string {
  if (protocol === WireProtocol.EC2) return 'UnauthorizedOperation';
  if (protocol === WireProtocol.JSON || protocol === WireProtocol.REST_JSON || protocol === WireProtocol.RPC_V2_CBOR)
    return 'AccessDeniedException';
  return 'AccessDenied';
}

/** An error response in `protocol`'s shape (XML for query/EC2/REST-XML, JSON otherwise). */
export function errorResponse(
  protocol: WireProtocol | undefined,
  status: number,
  code: string,
  message: string,
  requestId: string = randomUUID(),
): ProtocolResponse {
  const id = { 'x-amzn-requestid': requestId, 'x-amz-request-id': requestId };
  switch (protocol) {
    case WireProtocol.EC2:
      return {
        status,
        headers: { 'content-type': 'text/xml;charset=UTF-8', ...id },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      };
    case WireProtocol.QUERY:
      return {
        status,
        headers: { 'content-type': 'text/xml', ...id },
        body: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    case WireProtocol.JSON:
    case WireProtocol.REST_JSON:
    case WireProtocol.RPC_V2_CBOR:
      return {
        status,
        headers: {
          'content-type': protocol === WireProtocol.JSON ? 'application/x-amz-json-1.1' : 'application/json',
          'x-amzn-errortype': code,
          ...id,
        },
        body: JSON.stringify({ __type: code, message, Message: message }),
      };
    default:
      // REST-XML (S3 and friends), and the answer when the protocol is not known.
      return {
        status,
        headers: { 'content-type': 'application/xml', ...id },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId></Error>`,
      };
  }
}
