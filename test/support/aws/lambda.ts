/** Lambda ListFunctions (REST-JSON), paginated with MaxItems / Marker. */
import { HandlerError, jsonResult, page } from './protocol.js';
import type { ServiceHandler } from './types.js';

export interface LambdaHandlerOptions {
  /** @default 3 functions, fn-1 .. fn-3 */
  functions?: string[];
}

/** Names a Lambda REST request; the SDK routes by method and path only. */
export function lambdaOperation(method: string, path: string): string | undefined {
  if (method === 'GET' && /^\/2015-03-31\/functions\/?$/.test(path)) return 'ListFunctions';
  if (method === 'GET' && /^\/2015-03-31\/functions\/[^/]+$/.test(path)) return 'GetFunction';
  if (method === 'POST' && /^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(path)) return 'Invoke';
  return undefined;
}

export function lambdaHandler(options: LambdaHandlerOptions = {}): ServiceHandler {
  const functions = options.functions ?? ['fn-1', 'fn-2', 'fn-3'];
  return {
    name: 'lambda',
    operationOf: (req) => (req.service === 'lambda' ? lambdaOperation(req.method, req.path) : undefined),
    matches: (req) => req.service === 'lambda' && req.operation === 'ListFunctions',
    handle: (req) => {
      const maxItems = req.query.MaxItems === undefined ? 50 : Number(req.query.MaxItems);
      if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000)
        throw new HandlerError(
          400,
          'InvalidParameterValueException',
          `MaxItems must be 1..10000, got ${req.query.MaxItems}`,
        );
      const { items, next } = page(functions, req.query.Marker, maxItems);
      return jsonResult(req, {
        Functions: items.map((name) => ({
          FunctionName: name,
          FunctionArn: `arn:aws:lambda:${req.region ?? 'us-east-1'}:123456789012:function:${name}`,
          Runtime: 'nodejs20.x',
          LastModified: '2024-01-01T00:00:00.000+0000',
        })),
        ...(next === undefined ? {} : { NextMarker: next }),
      });
    },
  };
}
