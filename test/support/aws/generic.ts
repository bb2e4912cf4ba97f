/** The last resort: any operation no other handler knows gets an empty success in its protocol's shape. */
import { emptySuccess } from './protocol.js';
import type { ServiceHandler } from './types.js';

export function genericHandler(): ServiceHandler {
  return { name: 'generic', matches: () => true, handle: (req) => emptySuccess(req) };
}
