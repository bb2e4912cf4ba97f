/** `inventag policy generate`: least privilege from the audit trail; the result passes `policy check`. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { ComplianceStandard, OperationType, RiskLevel } from '../../src/constants.js';
import { generateReadPolicy } from '../../src/gateway/generatePolicy.js';
import { runCli } from '../support/cli.js';

let dir: string;
let storePath: string;

const attempt = (iamAction: string, decision: 'allowed' | 'blocked') => ({
  service: iamAction.split(':')[0]!,
  operation: iamAction.split(':')[1]!,
  iamAction,
  operationType: decision === 'allowed' ? OperationType.READ_ONLY : OperationType.MUTATING,
  decision,
  riskLevel: RiskLevel.LOW,
  complianceStandard: ComplianceStandard.GENERAL,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inventag-policy-generate-'));
  storePath = join(dir, 'audit.db');
  const store = AuditStore.open({ path: storePath });
  for (const a of ['ec2:DescribeInstances', 's3:ListAllMyBuckets', 'ec2:DescribeInstances', 'sts:GetCallerIdentity'])
    store.recordAttempt(attempt(a, 'allowed'));
  store.recordAttempt(attempt('ec2:TerminateInstances', 'blocked'));
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('policy generate', () => {
  it('keeps allowed Read/List actions only, each once, sorted', () => {
    const generated = generateReadPolicy([
      { kind: 'attempt', decision: 'allowed', iamAction: 'ec2:DescribeInstances' },
      { kind: 'attempt', decision: 'allowed', iamAction: 'ec2:DescribeInstances' },
      { kind: 'attempt', decision: 'blocked', iamAction: 'ec2:RunInstances' },
      { kind: 'attempt', decision: 'allowed', iamAction: 'ec2:CreateTags' },
      { kind: 'outcome', decision: 'allowed', iamAction: 's3:GetObject' },
    ]);
    expect(generated?.policy.Statement[0].Action).toEqual(['ec2:DescribeInstances']);
    expect(generated?.leftOut).toEqual(['ec2:CreateTags']);
    expect(generateReadPolicy([])).toBeUndefined();
  });

  it('writes a policy from the audit trail that policy check accepts (exit 0)', async () => {
    const res = await runCli(['policy', 'generate', '--from-audit', storePath, '--since', '7d'], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    const policy = JSON.parse(res.stdout) as { Statement: { Action: string[] }[] };
    expect(policy.Statement[0]!.Action).toEqual([
      'ec2:DescribeInstances',
      's3:ListAllMyBuckets',
      'sts:GetCallerIdentity',
    ]);
    const file = join(dir, 'generated.json');
    writeFileSync(file, res.stdout);
    const check = await runCli(['policy', 'check', file], { cwd: dir });
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  it('refuses a bad window and an empty trail with exit 2', async () => {
    expect(
      (await runCli(['policy', 'generate', '--from-audit', storePath, '--since', 'soon'], { cwd: dir })).code,
    ).toBe(2);
    const empty = join(dir, 'empty.db');
    await AuditStore.open({ path: empty }).close();
    const res = await runCli(['policy', 'generate', '--from-audit', empty], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('no allowed read');
  });
});
