/**
 * The one IAM wildcard matcher: correct against a reference on every small
 * case, and without backtracking on the adversarial patterns that stalled
 * the regular-expression matchers it replaced (the speed figure is in
 * bench/wildcard.bench.mjs).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileWildcard, matchesWildcard, sensitiveRead } from '../../src/catalog/index.js';
import { compileLowerWildcard } from '../../src/catalog/wildcard.js';
import { ActionIndex } from '../../src/policy/analysis/index.js';
import { VerdictEngine } from '../../src/policy/index.js';
import { runCli } from '../support/cli.js';

/** The textbook dynamic-programming matcher: obviously right, quadratic, used only as the reference. */
function reference(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  let row = new Array<boolean>(v.length + 1).fill(false);
  row[0] = true;
  for (const c of p) {
    const next = new Array<boolean>(v.length + 1).fill(false);
    if (c === '*') {
      next[0] = row[0]!;
      for (let j = 1; j <= v.length; j += 1) next[j] = row[j]! || next[j - 1]!;
    } else {
      for (let j = 1; j <= v.length; j += 1) next[j] = row[j - 1]! && (c === '?' || c === v[j - 1]);
    }
    row = next;
  }
  return row[v.length]!;
}

/** Every string over `alphabet` up to `max` characters long. */
function* strings(alphabet: string, max: number): Generator<string> {
  yield '';
  let level = [''];
  for (let n = 1; n <= max; n += 1) {
    const next: string[] = [];
    for (const s of level) for (const c of alphabet) next.push(s + c);
    yield* next;
    level = next;
  }
}

describe('compileWildcard', () => {
  test.each([
    ['ec2:Describe*', 'ec2:DescribeInstances', true],
    ['ec2:Describe*', 'EC2:describeinstances', true],
    ['ec2:Describe*', 'ec2:Describe', true],
    ['ec2:Describe*', 'ec2:TerminateInstances', false],
    ['*', '', true],
    ['*', 'anything:at-all', true],
    ['***', 'x', true],
    ['s3:Get?bject', 's3:GetObject', true],
    ['s3:Get?bject', 's3:Getbject', false],
    ['*:Get*Token', 'ecr:GetAuthorizationToken', true],
    ['*:Get*Token', 'ecr:GetAuthorizationTokens', false],
    ['ab*ab', 'ab', false],
    ['ab*ab', 'abab', true],
    ['ab*ab', 'aba', false],
    ['a*b*c', 'abcbc', true],
    ['a*?c', 'ac', false],
    ['a*?c', 'abc', true],
    ['ec2:DescribeInstances', 'ec2:DescribeInstance', false],
    ['a.b', 'axb', false],
    ['(x)+', '(x)+', true],
  ])('%j against %j is %s', (pattern, value, expected) => {
    expect(compileWildcard(pattern).test(value)).toBe(expected);
    expect(reference(pattern, value)).toBe(expected);
  });

  test('agrees with the reference on every pattern of up to 5 characters over a, b, *, ? and every name of up to 6 over a, b', () => {
    const names = [...strings('ab', 6)];
    let compared = 0;
    for (const pattern of strings('ab*?', 5)) {
      const matcher = compileWildcard(pattern);
      for (const name of names) {
        if (matcher.test(name) !== reference(pattern, name)) throw new Error(`${pattern} vs ${name}`);
        compared += 1;
      }
    }
    expect(compared).toBe(1365 * 127);
  });

  test('tests a part of a longer string in place as it tests that part alone (every small case, each with text around it)', () => {
    const names = [...strings('ab', 5)];
    let compared = 0;
    for (const pattern of strings('ab*?', 4)) {
      const matcher = compileLowerWildcard(pattern);
      for (const name of names) {
        const expected = reference(pattern, name);
        // The part sits between text that would change the answer if the matcher looked past its ends.
        for (const [before, after] of [
          ['', ''],
          ['ab,', ''],
          ['', ',ba'],
          ['aab', 'bba'],
        ] as const) {
          const whole = `${before}${name}${after}`;
          if (matcher(whole, before.length, before.length + name.length) !== expected)
            throw new Error(`${pattern} vs ${JSON.stringify(name)} inside ${JSON.stringify(whole)}`);
          compared += 1;
        }
        if (matcher(name) !== expected) throw new Error(`${pattern} vs ${name}`);
      }
    }
    expect(compared).toBe(341 * 63 * 4);
  });

  test('adversarial patterns on long names give the right answer without backtracking', () => {
    const long = `ec2:${'a'.repeat(100_000)}`;
    expect(matchesWildcard('ec2:********x', long)).toBe(false);
    expect(matchesWildcard('ec2:********x', `${long}x`)).toBe(true);
    expect(matchesWildcard('*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(100_000))).toBe(false);
    expect(matchesWildcard('*a*a*a*a*a*a*a*a*a*a*b', `${'a'.repeat(100_000)}b`)).toBe(true);
    expect(matchesWildcard('*?*?*?*?*?*?*?*?*?*?x', 'y'.repeat(100_000))).toBe(false);
  });
});

describe('every place that matches patterns uses it', () => {
  const longRead = `DescribeA${'a'.repeat(240)}`;

  test('guard overrides: a deny rule like ec2:********x decides a 250-character name, and still denies what it names', () => {
    const engine = new VerdictEngine({ overrides: { deny: ['ec2:********x', 'ec2:********s'] } });
    const verdict = engine.decide('ec2', longRead);
    expect(verdict).toMatchObject({ isValid: true, evidence: 'read-pattern' });
    expect(engine.decide('ec2', 'DescribeInstances')).toMatchObject({ isValid: false, evidence: 'override' });
    expect(engine.decide('ec2', 'DescribeInstances').complianceNotes).toContain('Blocked by deny rule "ec2:********s"');
  });

  test('CUSTOM rules: allow, deny and sensitive-read patterns', () => {
    const engine = new VerdictEngine({
      standard: 'custom',
      custom: {
        allow: ['ec2:*********Tags'],
        deny: ['s3:*?*?*?*?*?*?*?*?x'],
        sensitiveReads: [{ pattern: 'ec2:*********Z', category: 'data', reason: 'test' }],
        allowSensitiveReads: false,
      },
    });
    expect(engine.decide('ec2', 'CreateTags')).toMatchObject({ isValid: true, evidence: 'override' });
    expect(engine.decide('ec2', longRead)).toMatchObject({ isValid: true });
    expect(engine.decide('ec2', `${longRead}Z`)).toMatchObject({ isValid: false, sensitive: { category: 'data' } });
    expect(engine.decide('s3', 'ListBuckets')).toMatchObject({ isValid: true });
    expect(sensitiveRead(`ec2:${longRead}`, [['ec2:*********Q', { category: 'data', reason: 'x' }]])).toBe(undefined);
  });

  test('policy analysis: the catalog expansion of ec2:********x names exactly the ec2 actions ending in x', () => {
    const index = new ActionIndex();
    const marks = new Uint8Array(index.size);
    const count = index.mark('ec2:********x', marks);
    const expected = index.actions.filter((a) => a.service === 'ec2' && /x$/i.test(a.name));
    expect(count).toBe(expected.length);
    expect(index.actions.filter((_a, i) => marks[i] === 1)).toEqual(expected);
  });

  test('inventag policy check on a 97-byte policy allowing ec2:********x answers, and right (subprocess limit 20 s)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inventag-wildcard-'));
    const file = join(dir, 'star.json');
    const text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:********x","Resource":"*"}]}';
    writeFileSync(file, text);
    expect(text.length).toBeLessThanOrEqual(100);
    const run = await runCli(['policy', 'check', file, '--json'], { timeoutMs: 20_000 });
    // Assess: it answered, and correctly: no ec2 action ends in x, so the pattern names nothing (exit 5, fail closed).
    expect(run.signal).toBe(null);
    const report = JSON.parse(run.stdout) as {
      counts: { total: number };
      unrecognised: { pattern: string; reason: string }[];
    };
    expect(report.counts.total).toBe(0);
    expect(report.unrecognised).toEqual([
      expect.objectContaining({ pattern: 'ec2:********x', reason: 'no-matching-action' }),
    ]);
    expect(run.code).toBe(5);
  }, 30_000);
});
