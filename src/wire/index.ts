/**
 * The wire decoder: HTTP request -> AWS signing name, service and operation.
 * Shared by the gateway (`inventag gateway` / `exec`) and the SDK guard's
 * transport check.
 */
export { decodeParsedRequest, decodeRequest, parseWireRequest } from './decode.js';
export type {
  DecodeOptions,
  ParsedWireRequest,
  WireDecision,
  WireFailureReason,
  WireHeaders,
  WireIdentified,
  WireRequest,
  WireSource,
  WireUnidentified,
} from './decode.js';
export { compileTemplate, loadRouteTable, routeTableFrom, WireProtocol } from './routeTable.js';
export type { Route, RouteTable, ServiceModel, SigningGroup } from './routeTable.js';
export { parseAuthorizationHeader, parseSigV4 } from './sigv4.js';
export type { SigV4Authorization, SigV4Parse } from './sigv4.js';
