import { describe, expect, it } from 'vitest';
import { PolicyDocumentError, isPolicyDocumentError, parsePolicyText } from '../../src/policy/analysis/index.js';

const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }] };

function parseError(text: string, source = 'policy.json'): PolicyDocumentError {
  try {
    parsePolicyText(text, source);
  } catch (err) {
    if (isPolicyDocumentError(err)) return err;
    throw err;
  }
  throw new Error('expected a PolicyDocumentError');
}

const withStatement = (statement: Record<string, unknown>) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, statement],
  });

describe('reading policy documents', () => {
  it('reads a plain document, a GetPolicyVersion answer, a GetRolePolicy answer and URL-encoded forms', () => {
    const encoded = encodeURIComponent(JSON.stringify(doc));
    const forms = [
      JSON.stringify(doc),
      JSON.stringify({ PolicyVersion: { Document: doc, VersionId: 'v3', IsDefaultVersion: true } }),
      JSON.stringify({ PolicyVersion: { Document: encoded, VersionId: 'v1' } }),
      JSON.stringify({ RoleName: 'r', PolicyName: 'p', PolicyDocument: encoded }),
      encoded,
      JSON.stringify(encoded),
    ];
    for (const text of forms) {
      const parsed = parsePolicyText(text, 'f.json');
      expect(parsed.statements).toHaveLength(1);
      expect(parsed.statements[0]).toMatchObject({
        index: 0,
        effect: 'Allow',
        actions: ['s3:GetObject'],
        resources: ['*'],
      });
    }
  });

  it('normalises a single statement object and single strings', () => {
    const parsed = parsePolicyText(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: { Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:aws:iam::*:role/x' },
      }),
      'f',
    );
    expect(parsed.statements[0]).toMatchObject({
      effect: 'Deny',
      notActions: ['iam:*'],
      notResources: ['arn:aws:iam::*:role/x'],
      actions: undefined,
    });
  });

  it('names the file, line and column of malformed JSON', () => {
    const err = parseError('{\n  "Version": "2012-10-17",\n  "Statement": [ }\n}', 'bad.json');
    expect(err.message).toBe(
      'bad.json:3:18: not valid JSON: expected a value (object, array, string, number, true, false or null), found "}\\n}"',
    );
    expect(err.line).toBe(3);
  });

  it('refuses a wrong Version', () => {
    const err = parseError(JSON.stringify({ ...doc, Version: '2012-10-18' }));
    expect(err.message).toBe('policy.json: Version: expected "2012-10-17" or "2008-10-17", got "2012-10-18"');
    expect(err.field).toBe('Version');
  });

  it('refuses an Effect that is neither Allow nor Deny, naming the statement index', () => {
    const err = parseError(withStatement({ Effect: 'Permit', Action: 's3:PutObject', Resource: '*' }));
    expect(err.message).toBe('policy.json: Statement[1].Effect: expected "Allow" or "Deny", got "Permit"');
    expect(err.statementIndex).toBe(1);
  });

  it('refuses an action without a colon, naming the array position', () => {
    const err = parseError(withStatement({ Effect: 'Allow', Action: ['s3:GetObject', 's3GetObject'], Resource: '*' }));
    expect(err.message).toMatch(
      /^policy\.json: Statement\[1\]\.Action\[1\]: "s3GetObject" has no colon; expected "service:Action"/,
    );
  });

  it('refuses other grammar errors with the field named', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ Effect: 'Allow', Resource: '*' }, /Statement\[1\]\.Action: missing; expected Action or NotAction/],
      [
        { Effect: 'Allow', Action: 's3:GetObject', NotAction: 's3:PutObject', Resource: '*' },
        /Statement\[1\]\.NotAction: .*not both/,
      ],
      [{ Effect: 'Allow', Action: 's3:GetObject' }, /Statement\[1\]\.Resource: missing/],
      [{ Effect: 'Allow', Action: [], Resource: '*' }, /Statement\[1\]\.Action: is an empty array/],
      [
        { Effect: 'Allow', Action: [3], Resource: '*' },
        /Statement\[1\]\.Action\[0\]: expected a non-empty string, got number 3/,
      ],
      [{ Effect: 'Allow', Action: 's3:Get Object', Resource: '*' }, /Statement\[1\]\.Action: .*action name/],
      [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: 'yes' },
        /Statement\[1\]\.Condition: expected an object/,
      ],
      [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Principal: '*' },
        /Statement\[1\]\.Principal: not allowed in an identity policy/,
      ],
      [{ Effect: 'Allow', Actions: 's3:GetObject', Resource: '*' }, /Statement\[1\]\.Actions: unknown field/],
    ];
    for (const [statement, expected] of cases) expect(parseError(withStatement(statement)).message).toMatch(expected);
  });

  it('refuses empty input, non-objects, a missing Statement and unknown top-level fields', () => {
    expect(parseError('  ').message).toBe('policy.json: the file is empty; expected a JSON policy document');
    expect(parseError('[1]').message).toMatch(/^policy\.json: expected a policy document .*got an array/);
    expect(parseError('{"Version":"2012-10-17"}').message).toBe(
      'policy.json: Statement: missing; expected a statement object or an array of them',
    );
    expect(parseError('{"Version":"2012-10-17","Statement":[],"Extra":1}').message).toMatch(
      /^policy\.json: Extra: unknown top-level field/,
    );
    expect(parseError('%7B%ZZ').message).toMatch(/not valid URL encoding/);
    expect(parseError(JSON.stringify({ PolicyVersion: { Document: '%7B%22Version' } })).message).toMatch(
      /^policy\.json: PolicyVersion\.Document: not valid JSON/,
    );
  });
});
