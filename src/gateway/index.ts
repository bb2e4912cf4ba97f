/** The read-only AWS gateway: `inventag gateway` and `inventag exec`. */
export { GatewayServer } from './GatewayServer.js';
export type { GatewayOptions, GatewayStats } from './GatewayServer.js';
export { GatewayError, isGatewayError, UpstreamError, isUpstreamError } from './errors.js';
export { newSessionCredential } from './session.js';
export type { SessionCredential } from './session.js';
export { verifySignature, MAX_CLOCK_SKEW_MS } from './verify.js';
export type { SignatureCheck, SignedRequest } from './verify.js';
export { errorResponse, accessDeniedCode } from './responses.js';
export type { ProtocolResponse } from './responses.js';
export { childEnvironment, runChild } from './exec.js';
