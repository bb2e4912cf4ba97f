import { describe, expect, it } from 'vitest';
import { type RowFields, bodyOf } from '../../src/audit/format2.js';
import { BODY_FIELDS } from '../../src/audit/rowFields.js';

/** The body as docs/AUDIT.md describes it: the body fields in their order, nulls left out, JSON text embedded. */
function documentedBody(row: RowFields): string {
  const parts: string[] = [];
  for (const field of BODY_FIELDS) {
    const value = row[field];
    if (value === null || value === undefined) continue;
    const text = field === 'request_parameters' || field === 'data' ? (value as string) : JSON.stringify(value);
    parts.push(`${JSON.stringify(field)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

const base: RowFields = {
  audit_id: '0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b',
  kind: 'attempt',
  session_id: 's-1',
  timestamp: '2026-12-02T01:00:00.000Z',
  service: 'ec2',
  operation: 'DescribeInstances',
  iam_action: 'ec2:DescribeInstances',
  operation_type: 'read_only',
  decision: 'allowed',
  risk_level: 'LOW',
  resource_arn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-1',
  identity_account: '123456789012',
  identity_arn: 'arn:aws:iam::123456789012:role/reader',
  identity_type: 'AssumedRole',
  request_parameters: '{"Filters":[{"Name":"tag:env","Values":["prod"]}],"MaxResults":100}',
  compliance_standard: 'soc2',
  validation_message: 'quote " backslash \\ newline \n tab \t lone \ud800 é',
  outcome_success: 1,
  outcome_error_code: 'ThrottlingException',
  outcome_duration_us: 42_000,
  outcome_http_status: 200,
  ref_audit_id: null,
  data: '{"prunedThroughSequence":7}',
};

describe('format-2 body text', () => {
  it('is the documented field order with nulls left out, for every field present or absent', () => {
    expect(JSON.parse(bodyOf(base))).toMatchObject({ service: 'ec2', outcome_http_status: 200 });
    expect(bodyOf(base)).toBe(documentedBody(base));
    for (const field of BODY_FIELDS) {
      const row = { ...base, [field]: null };
      expect(bodyOf(row)).toBe(documentedBody(row));
      const only = Object.fromEntries(Object.keys(base).map((k) => [k, k === field ? base[field] : null])) as RowFields;
      expect(bodyOf(only)).toBe(documentedBody(only));
    }
    const empty = Object.fromEntries(Object.keys(base).map((k) => [k, null])) as unknown as RowFields;
    expect(bodyOf(empty)).toBe('{}');
  });
});
