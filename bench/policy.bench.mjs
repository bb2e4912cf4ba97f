// How long the offline policy analysis takes on a policy the size of the AWS
// managed ReadOnlyAccess (about 2,700 action patterns): parse + expand
// wildcards against the catalog + Deny/NotAction + report.
import { loadCatalogData } from '../dist/catalog/data.js';
import { ActionIndex, PolicyAnalyzer, parsePolicyText } from '../dist/policy/analysis/index.js';

export const name = 'policy';

const TARGET_PATTERNS = 2700;
const VERB = /^(Get|List|Describe)/;

/** `svc:Get*`, `svc:List*`, `svc:Describe*` and the other Read/List actions by name, as ReadOnlyAccess spells them. */
export function readOnlyAccessLikePolicy(catalog = loadCatalogData()) {
  const patterns = new Set();
  const spare = [];
  for (const service of catalog.services.values()) {
    for (const action of service.actions.values()) {
      if (action.accessLevel !== 'Read' && action.accessLevel !== 'List') continue;
      const verb = VERB.exec(action.name)?.[0];
      if (verb) {
        patterns.add(`${service.prefix}:${verb}*`);
        spare.push(action.iamAction);
      } else patterns.add(action.iamAction);
    }
  }
  // Real policies name many actions already covered by a wildcard.
  for (const action of spare) {
    if (patterns.size >= TARGET_PATTERNS) break;
    patterns.add(action);
  }
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'ReadOnly', Effect: 'Allow', Action: [...patterns], Resource: '*' }],
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function run() {
  const text = JSON.stringify(readOnlyAccessLikePolicy());
  const patternCount = JSON.parse(text).Statement[0].Action.length;

  const t0 = performance.now();
  const analyzer = new PolicyAnalyzer({ index: new ActionIndex() });
  const first = analyzer.analyze([parsePolicyText(text, 'ReadOnlyAccess-like.json')]);
  const cold = performance.now() - t0;

  const times = [];
  for (let i = 0; i < 15; i++) {
    const start = performance.now();
    analyzer.analyze([parsePolicyText(text, 'ReadOnlyAccess-like.json')]);
    times.push(performance.now() - start);
  }
  const warm = median(times);

  const star = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
    ],
  });
  const starTimes = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    analyzer.analyze([parsePolicyText(star, 'star.json')]);
    starTimes.push(performance.now() - start);
  }
  const note = `${patternCount} patterns -> ${first.counts.total} actions allowed (${first.counts.writeLike} write-like, ${first.sensitiveReads.length} sensitive reads)`;
  return [
    {
      figure: 'ReadOnlyAccess-sized policy, first analysis (builds the catalog index)',
      value: cold,
      unit: 'ms',
      goal: '< 200 ms',
      note,
    },
    {
      figure: 'ReadOnlyAccess-sized policy, repeat analysis (median of 15)',
      value: warm,
      unit: 'ms',
      goal: '< 200 ms',
      note,
    },
    { figure: '"*" with Deny iam:* (every action in the report, median of 7)', value: median(starTimes), unit: 'ms' },
    { figure: 'first / repeat ratio', value: cold / warm, unit: 'x' },
  ];
}
