/**
 * Least privilege from what was seen: the IAM policy that allows exactly the
 * Read and List actions an audit trail shows allowed (through the gateway or a
 * guarded SDK client), as iamlive does from what it observes.
 */
import { AccessLevel, loadCatalogData } from '../catalog/index.js';
import { operationKey } from '../catalog/data.js';

/** What the generator reads of an audit entry. */
export interface ObservedCall {
  readonly kind?: string;
  readonly decision?: 'allowed' | 'blocked';
  readonly iamAction?: string;
  readonly timestamp?: string;
}

export interface GeneratedPolicy {
  readonly policy: {
    readonly Version: '2012-10-17';
    readonly Statement: readonly [
      { readonly Sid: string; readonly Effect: 'Allow'; readonly Action: readonly string[]; readonly Resource: '*' },
    ];
  };
  /** Actions seen allowed that are not Read/List in the catalog (left out; an override let them through). */
  readonly leftOut: readonly string[];
  readonly observedCalls: number;
}

/** The policy of the allowed Read/List actions among `entries`; `undefined` when there is none. */
export function generateReadPolicy(entries: Iterable<ObservedCall>): GeneratedPolicy | undefined {
  const catalog = loadCatalogData();
  const actions = new Set<string>();
  const leftOut = new Set<string>();
  let observed = 0;
  for (const entry of entries) {
    if ((entry.kind !== undefined && entry.kind !== 'attempt') || entry.decision !== 'allowed') continue;
    const action = entry.iamAction;
    if (action === undefined) continue;
    observed += 1;
    const [prefix = '', name = ''] = action.split(':');
    const known = catalog.services.get(prefix)?.actions.get(operationKey(name));
    if (known !== undefined && (known.accessLevel === AccessLevel.READ || known.accessLevel === AccessLevel.LIST))
      actions.add(known.iamAction);
    else leftOut.add(action);
  }
  if (actions.size === 0) return undefined;
  return {
    policy: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'InvenTagObservedReads', Effect: 'Allow', Action: [...actions].sort(), Resource: '*' }],
    },
    leftOut: [...leftOut].sort(),
    observedCalls: observed,
  };
}
