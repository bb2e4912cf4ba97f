import { ListAccountsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { isAccessDenied } from '../identity/awsAccess.js';
import { OrgInputError } from './errors.js';
import type { OrgAccount } from './types.js';

const ACCOUNT_ID = /^\d{12}$/;

/** `--accounts 111122223333,444455556666`: 12-digit ids, no duplicates. */
export function parseAccountIds(text: string): string[] {
  const ids = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new OrgInputError('--accounts: expected a comma-separated list of 12-digit account ids');
  const bad = ids.filter((id) => !ACCOUNT_ID.test(id));
  if (bad.length)
    throw new OrgInputError(
      `--accounts: ${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length === 1 ? 'is not' : 'are not'} a 12-digit account id`,
    );
  const seen = new Set<string>();
  const dup = ids.find((id) => (seen.has(id) ? true : (seen.add(id), false)));
  if (dup) throw new OrgInputError(`--accounts: ${dup} is listed twice`);
  return ids;
}

/** Every ACTIVE account of the organization, following NextToken to the last page. */
export async function listOrganizationAccounts(client: OrganizationsClient): Promise<OrgAccount[]> {
  const accounts: OrgAccount[] = [];
  const tokens = new Set<string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListAccountsCommand({ ...(token ? { NextToken: token } : {}) }));
    for (const a of page.Accounts ?? []) {
      if (a.Id && (a.Status === undefined || a.Status === 'ACTIVE')) accounts.push({ id: a.Id, name: a.Name });
    }
    token = page.NextToken;
    // A token seen before would loop forever: the listing is incomplete, so stop loudly.
    if (token && tokens.has(token))
      throw new Error('organizations:ListAccounts repeated a NextToken; the listing is incomplete');
    if (token) tokens.add(token);
  } while (token);
  return accounts;
}

/**
 * The accounts to check: the organization's, or those `--accounts` names. An
 * entry that is not a member of the organization is refused; when the
 * organization cannot be listed (AccessDenied: the automation may run
 * outside the management account), the given ids are used without names.
 */
export async function selectAccounts(
  client: OrganizationsClient,
  requested: readonly string[] | undefined,
): Promise<{ accounts: OrgAccount[]; source: 'organizations' | 'accounts-flag'; listed: boolean }> {
  let listed: OrgAccount[] | undefined;
  try {
    listed = await listOrganizationAccounts(client);
  } catch (error) {
    if (!requested || !isAccessDenied(error)) throw error;
  }
  if (!requested) return { accounts: listed ?? [], source: 'organizations', listed: true };
  if (!listed)
    return { accounts: requested.map((id) => ({ id, name: undefined })), source: 'accounts-flag', listed: false };
  const byId = new Map(listed.map((a) => [a.id, a]));
  const unknown = requested.filter((id) => !byId.has(id));
  if (unknown.length)
    throw new OrgInputError(
      `--accounts: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not an active account' : 'are not active accounts'} of the organization (ListAccounts lists ${listed.length})`,
    );
  return { accounts: requested.map((id) => byId.get(id)!), source: 'accounts-flag', listed: true };
}
