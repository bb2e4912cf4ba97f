import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('inventag validate', () => {
  it('allows a read with exit 0 and blocks a write with exit 3', async () => {
    const ok = await runCli(['validate', 'ec2', 'describe_instances']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ALLOWED ec2:DescribeInstances/);
    const blocked = await runCli(['validate', 'S3Client', 'PutObjectCommand', '--standard', 'soc2', '--json']);
    expect(blocked.code).toBe(3);
    const result = JSON.parse(blocked.stdout);
    expect(result).toMatchObject({
      isValid: false,
      iamAction: 's3:PutObject',
      operationType: 'mutating',
      riskLevel: 'HIGH',
    });
    expect(result.controls).toContain('CC8.1');
    expect(typeof result.timestamp).toBe('string');
  });

  it('accepts one service:Action argument', async () => {
    const r = await runCli(['validate', 'lambda:Invoke', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).iamAction).toBe('lambda:InvokeFunction');
  });

  it('reads pairs from stdin, one JSON object per line', async () => {
    const r = await runCli(['validate', '--stdin'], {
      input: '# a comment\nec2 DescribeInstances\n\ns3 list_buckets\nsts:GetCallerIdentity\n',
    });
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.iamAction)).toEqual([
      'ec2:DescribeInstances',
      's3:ListAllMyBuckets',
      'sts:GetCallerIdentity',
    ]);
    expect(lines.map((l) => l.line)).toEqual([2, 4, 5]);
    const blocked = await runCli(['validate', '--stdin'], { input: 'ec2 DescribeInstances\nec2 TerminateInstances\n' });
    expect(blocked.code).toBe(3);
  });

  it('reports a malformed stdin line by number with exit 2, and still never allows it', async () => {
    const r = await runCli(['validate', '--stdin'], { input: 'ec2 DescribeInstances\nthis has three\n' });
    expect(r.code).toBe(2);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[1]).toMatchObject({ line: 2, isValid: false });
    expect(lines[1].error).toMatch(/line 2: expected "service operation"/);
  });

  it.each([
    [['validate'], /needs SERVICE and OPERATION/],
    [['validate', 'ec2'], /needs an OPERATION after SERVICE "ec2"/],
    [['validate', 'ec2', 'x', '--standard', 'pci'], /Allowed choices are general, soc2, iso27001, custom/],
    [['validate', 'ec2', 'x', '--allow', 'not a pattern'], /overrides\.allow\[0\]: expected an IAM action pattern/],
    [['validate', 'ec2', 'x', '--bogus'], /unknown option '--bogus'/],
  ])('bad usage %j exits 2 with a message', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('blocks absurd names instead of crashing', async () => {
    const r = await runCli(['validate', 'ec2', 'x'.repeat(5000), '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).validationMessage).toMatch(/at most 256/);
  });
});
