import { locateJsonError } from './locateJsonError.js';
import { PolicyDocumentError, type PolicyLocation } from './PolicyAnalysisError.js';
import type { PolicyDocument, PolicyStatement } from './types.js';

/** The two policy language versions IAM accepts. */
export const POLICY_VERSIONS = ['2012-10-17', '2008-10-17'] as const;

const DOCUMENT_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
  'Principal',
  'NotPrincipal',
]);
// IAM prefixes are lower case letters, digits and hyphens; wildcards may stand in for any of them.
const SERVICE_PART = /^[a-z0-9*?-]+$/i;
const ACTION_PART = /^[a-z0-9*?_.-]+$/i;

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'object') return 'an object';
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects and arrays were described above
  return `${typeof value} ${String(value)}`;
};

/**
 * Reads a policy from text in any of the forms IAM and the AWS CLI give it:
 * a policy document; `{"PolicyVersion":{"Document":...}}` (GetPolicyVersion);
 * `{"PolicyDocument":...}` (GetRolePolicy, GetUserPolicy, GetGroupPolicy); a
 * document that is URL-encoded, as IAM's query API returns it, alone or as the
 * `Document` / `PolicyDocument` value.
 *
 * @param source - the file name or label used in error messages
 * @throws PolicyDocumentError naming the source, the statement index and the field
 * @example
 * ```ts
 * const doc = parsePolicyText(readFileSync('policy.json', 'utf8'), 'policy.json');
 * ```
 */
export function parsePolicyText(text: string, source: string): PolicyDocument {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') throw new PolicyDocumentError({ source }, 'the file is empty; expected a JSON policy document');
  if (/^%7B/i.test(trimmed))
    return parsePolicyDocument(parseJson(decodeUrl(trimmed, { source }), { source }, false), source);
  return parsePolicyDocument(parseJson(trimmed, { source }), source);
}

/**
 * Validates a parsed policy value (document or wrapper, see {@link parsePolicyText})
 * against the IAM policy grammar for identity policies.
 *
 * @throws PolicyDocumentError naming the source, the statement index and the field
 */
export function parsePolicyDocument(value: unknown, source: string): PolicyDocument {
  const unwrapped = unwrap(value, source);
  const at = (location: Omit<PolicyLocation, 'source'>): PolicyLocation => ({ source, ...location });
  if (!isObject(unwrapped))
    throw new PolicyDocumentError(
      at({}),
      `expected a policy document (a JSON object with "Version" and "Statement"), got ${describe(unwrapped)}`,
    );
  for (const key of Object.keys(unwrapped)) {
    if (!DOCUMENT_KEYS.has(key))
      throw new PolicyDocumentError(
        at({ field: key }),
        `unknown top-level field; a policy document has ${[...DOCUMENT_KEYS].join(', ')}`,
      );
  }
  const version = unwrapped.Version;
  if (version !== undefined && !(POLICY_VERSIONS as readonly unknown[]).includes(version)) {
    throw new PolicyDocumentError(
      at({ field: 'Version' }),
      `expected "2012-10-17" or "2008-10-17", got ${describe(version)}`,
    );
  }
  if (unwrapped.Id !== undefined && typeof unwrapped.Id !== 'string')
    throw new PolicyDocumentError(at({ field: 'Id' }), `expected a string, got ${describe(unwrapped.Id)}`);
  const raw = unwrapped.Statement;
  if (raw === undefined)
    throw new PolicyDocumentError(
      at({ field: 'Statement' }),
      'missing; expected a statement object or an array of them',
    );
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0)
    throw new PolicyDocumentError(at({ field: 'Statement' }), 'is empty; expected at least one statement');
  const statements = list.map((entry, index) => parseStatement(entry, index, source));
  return { source, version: version as string | undefined, statements };
}

function unwrap(value: unknown, source: string): unknown {
  let current = value;
  // A bare string is a URL-encoded or JSON-encoded document (as some tools print it).
  const decodeString = (text: string, field?: string): unknown => {
    const location: PolicyLocation = field === undefined ? { source } : { source, field };
    const body = /^\s*%7B/i.test(text) ? decodeUrl(text.trim(), location) : text;
    return parseJson(body, location, false);
  };
  if (typeof current === 'string') current = decodeString(current);
  if (isObject(current) && isObject(current.PolicyVersion) && 'Document' in current.PolicyVersion) {
    const doc = current.PolicyVersion.Document;
    current = typeof doc === 'string' ? decodeString(doc, 'PolicyVersion.Document') : doc;
  } else if (isObject(current) && 'PolicyDocument' in current && !('Statement' in current)) {
    const doc = current.PolicyDocument;
    current = typeof doc === 'string' ? decodeString(doc, 'PolicyDocument') : doc;
  }
  return current;
}

function decodeUrl(text: string, location: PolicyLocation): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch (cause) {
    throw new PolicyDocumentError(location, 'looks URL-encoded (starts with %7B) but is not valid URL encoding', {
      cause,
    });
  }
}

/** @param located - true when `text` is the file itself, so a line and column point into it */
function parseJson(text: string, location: PolicyLocation, located = true): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const found = locateJsonError(text);
    if (!found)
      throw new PolicyDocumentError(
        location,
        `not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`,
        { cause },
      );
    const near = JSON.stringify(text.slice(found.offset, found.offset + 20));
    const problem = `not valid JSON: expected ${found.expected}, found ${found.offset >= text.length ? 'the end of the text' : near}`;
    if (!located) throw new PolicyDocumentError(location, `${problem} at character ${found.offset + 1}`, { cause });
    throw new PolicyDocumentError({ ...location, line: found.line, column: found.column }, problem, { cause });
  }
}

function parseStatement(raw: unknown, index: number, source: string): PolicyStatement {
  const at = (field?: string): PolicyLocation =>
    field === undefined ? { source, statementIndex: index } : { source, statementIndex: index, field };
  if (!isObject(raw)) throw new PolicyDocumentError(at(), `expected a statement object, got ${describe(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key))
      throw new PolicyDocumentError(
        at(key),
        `unknown field; a statement has Sid, Effect, Action or NotAction, Resource or NotResource, Condition`,
      );
  }
  for (const key of ['Principal', 'NotPrincipal']) {
    if (key in raw)
      throw new PolicyDocumentError(
        at(key),
        'not allowed in an identity policy (this looks like a resource-based policy, which this analysis does not evaluate)',
      );
  }
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string')
    throw new PolicyDocumentError(at('Sid'), `expected a string, got ${describe(raw.Sid)}`);
  const effect = raw.Effect;
  if (effect === undefined) throw new PolicyDocumentError(at('Effect'), 'missing; expected "Allow" or "Deny"');
  if (effect !== 'Allow' && effect !== 'Deny')
    throw new PolicyDocumentError(at('Effect'), `expected "Allow" or "Deny", got ${describe(effect)}`);

  const hasAction = 'Action' in raw;
  const hasNotAction = 'NotAction' in raw;
  if (hasAction && hasNotAction)
    throw new PolicyDocumentError(at('NotAction'), 'a statement has either Action or NotAction, not both');
  if (!hasAction && !hasNotAction) throw new PolicyDocumentError(at('Action'), 'missing; expected Action or NotAction');
  const actionField = hasAction ? 'Action' : 'NotAction';
  const patterns = stringList(raw[actionField], at, actionField);
  patterns.forEach((pattern, i) =>
    checkActionPattern(pattern, at(Array.isArray(raw[actionField]) ? `${actionField}[${i}]` : actionField)),
  );

  const hasResource = 'Resource' in raw;
  const hasNotResource = 'NotResource' in raw;
  if (hasResource && hasNotResource)
    throw new PolicyDocumentError(at('NotResource'), 'a statement has either Resource or NotResource, not both');
  if (!hasResource && !hasNotResource)
    throw new PolicyDocumentError(
      at('Resource'),
      'missing; an identity policy statement needs Resource or NotResource (use "*" for all resources)',
    );
  const resourceField = hasResource ? 'Resource' : 'NotResource';
  const resources = stringList(raw[resourceField], at, resourceField);

  let condition: Record<string, unknown> | undefined;
  if (raw.Condition !== undefined) {
    if (!isObject(raw.Condition))
      throw new PolicyDocumentError(
        at('Condition'),
        `expected an object of condition operators, got ${describe(raw.Condition)}`,
      );
    for (const [operator, block] of Object.entries(raw.Condition)) {
      if (!isObject(block))
        throw new PolicyDocumentError(
          at(`Condition.${operator}`),
          `expected an object of condition keys and values, got ${describe(block)}`,
        );
    }
    if (Object.keys(raw.Condition).length > 0) condition = raw.Condition;
  }
  return {
    index,
    sid: raw.Sid,
    effect,
    actions: hasAction ? patterns : undefined,
    notActions: hasNotAction ? patterns : undefined,
    resources: hasResource ? resources : undefined,
    notResources: hasNotResource ? resources : undefined,
    condition,
  };
}

function stringList(value: unknown, at: (field?: string) => PolicyLocation, field: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new PolicyDocumentError(at(field), 'is an empty array; expected at least one entry');
  list.forEach((entry, i) => {
    if (typeof entry !== 'string' || entry === '') {
      throw new PolicyDocumentError(
        at(Array.isArray(value) ? `${field}[${i}]` : field),
        `expected a non-empty string, got ${describe(entry)}`,
      );
    }
  });
  return list as string[];
}

function checkActionPattern(pattern: string, location: PolicyLocation): void {
  if (pattern === '*') return;
  const colon = pattern.indexOf(':');
  if (colon < 0)
    throw new PolicyDocumentError(
      location,
      `${describe(pattern)} has no colon; expected "service:Action" such as "s3:GetObject", or "*"`,
    );
  const service = pattern.slice(0, colon);
  const action = pattern.slice(colon + 1);
  if (!SERVICE_PART.test(service))
    throw new PolicyDocumentError(
      location,
      `${describe(pattern)}: the service prefix ${describe(service)} is not valid; expected lower-case letters, digits and hyphens such as "ec2"`,
    );
  if (!ACTION_PART.test(action))
    throw new PolicyDocumentError(
      location,
      `${describe(pattern)}: the action name ${describe(action)} is not valid; expected letters and digits, with * or ? as wildcards`,
    );
}
