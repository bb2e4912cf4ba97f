/** STS GetCallerIdentity (query protocol). */
import { queryResult, xmlText } from './protocol.js';
import type { ServiceHandler } from './types.js';

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export const DEFAULT_IDENTITY: CallerIdentity = {
  account: '123456789012',
  arn: 'arn:aws:iam::123456789012:user/inventag-reader',
  userId: 'AIDAINVENTAGREADER0001',
};

export function stsHandler(identity: CallerIdentity = DEFAULT_IDENTITY): ServiceHandler {
  return {
    name: 'sts',
    matches: (req) => req.service === 'sts' && req.operation === 'GetCallerIdentity',
    handle: (req) =>
      queryResult(
        req,
        `${xmlText('Arn', identity.arn)}${xmlText('UserId', identity.userId)}${xmlText('Account', identity.account)}`,
      ),
  };
}
