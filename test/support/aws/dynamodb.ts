/** DynamoDB GetItem (JSON 1.0 protocol) over in-memory tables of items in DynamoDB JSON. */
import { errorResponse, HandlerError, jsonResult } from './protocol.js';
import type { ServiceHandler } from './types.js';

/** An item in the wire shape: attribute name -> `{ S: '...' }`, `{ N: '1' }`, ... */
export type DynamoItem = Record<string, Record<string, unknown>>;

export interface DynamoDbHandlerOptions {
  /** Table name -> items. @default table `inventory` with one item `{ id: 'i-1', owner: 'ops' }` */
  tables?: Record<string, DynamoItem[]>;
}

export function dynamoDbHandler(options: DynamoDbHandlerOptions = {}): ServiceHandler {
  const tables = options.tables ?? { inventory: [{ id: { S: 'i-1' }, owner: { S: 'ops' }, cores: { N: '2' } }] };
  return {
    name: 'dynamodb',
    matches: (req) => req.service === 'dynamodb' && req.operation === 'GetItem',
    handle: (req) => {
      const input = req.json as { TableName?: unknown; Key?: unknown } | undefined;
      if (typeof input?.TableName !== 'string' || typeof input.Key !== 'object' || input.Key === null) {
        throw new HandlerError(400, 'ValidationException', 'GetItem needs TableName and Key');
      }
      const items = tables[input.TableName];
      if (items === undefined)
        return errorResponse(
          req,
          400,
          'ResourceNotFoundException',
          `Requested resource not found: Table: ${input.TableName} not found`,
        );
      const key = Object.entries(input.Key as Record<string, unknown>);
      const item = items.find((candidate) =>
        key.every(([name, value]) => JSON.stringify(candidate[name]) === JSON.stringify(value)),
      );
      return jsonResult(req, item === undefined ? {} : { Item: item });
    },
  };
}
