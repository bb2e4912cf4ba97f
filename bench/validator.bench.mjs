// ReadOnlyAccessValidator.validateOperation as users call it: one long-lived
// validator, 8 mixed operations (reads, writes, naming forms), run well past
// maxAuditEntries so a full in-memory buffer is what is measured. Baseline in
// the same run: VerdictEngine.decide alone on the same operations.
import { VerdictEngine } from '../dist/policy/index.js';
import { ReadOnlyAccessValidator } from '../dist/validator/index.js';

export const name = 'validator';

const OPS = [
  ['ec2', 'DescribeInstances'],
  ['s3', 'ListBuckets'],
  ['ec2', 'TerminateInstances'],
  ['iam', 'get_user'],
  ['S3Client', 'PutObjectCommand'],
  ['sts', 'GetCallerIdentity'],
  ['lambda', 'list-functions'],
  ['dynamodb', 'DeleteTable'],
];

/** Calls per second of `fn(i)` over `n` calls, in windows of `window` calls (to show the rate does not fall as buffers fill). */
function rates(n, window, fn) {
  const windows = [];
  let t = performance.now();
  const start = t;
  for (let i = 0; i < n; i++) {
    fn(i);
    if ((i + 1) % window === 0) {
      const now = performance.now();
      windows.push(window / ((now - t) / 1000));
      t = now;
    }
  }
  return { perSecond: n / ((performance.now() - start) / 1000), windows };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run() {
  const maxAuditEntries = 10_000;
  const n = 2_000_000;
  const validator = new ReadOnlyAccessValidator({ maxAuditEntries });
  const engine = new VerdictEngine();
  // Warm-up: 100,000 calls each (the buffer is full from here on).
  for (let i = 0; i < 100_000; i++) {
    const [s, o] = OPS[i & 7];
    validator.validateOperation(s, o);
    engine.decide(s, o);
  }
  const decide = rates(n, n, (i) => engine.decide(OPS[i & 7][0], OPS[i & 7][1]));
  const validate = rates(n, n, (i) => validator.validateOperation(OPS[i & 7][0], OPS[i & 7][1]));

  // Filling vs full: a fresh validator, windows of a tenth of maxAuditEntries from empty to 20x full
  // (the first window, which also warms the new object's code paths, is left out).
  const fresh = new ReadOnlyAccessValidator({ maxAuditEntries, engine });
  const window = maxAuditEntries / 10;
  const fill = rates(20 * maxAuditEntries, window, (i) => fresh.validateOperation(OPS[i & 7][0], OPS[i & 7][1]));
  const filling = median(fill.windows.slice(1, 10));
  const full = median(fill.windows.slice(100));

  // record() as a guard feeds it (ComplianceManager counts each guarded call's verdict this way).
  const verdicts = OPS.map(([s, o]) => engine.decide(s, o));
  const recorder = new ReadOnlyAccessValidator({ maxAuditEntries, engine });
  const noAudit = { writeAudit: false };
  for (let i = 0; i < 100_000; i++) recorder.record(verdicts[i & 7], undefined, undefined, noAudit);
  const record = rates(n, n, (i) => recorder.record(verdicts[i & 7], undefined, undefined, noAudit));

  const decideRow = {
    figure: 'VerdictEngine.decide alone (cached, same 8 operations)',
    value: decide.perSecond,
    unit: 'calls/s',
  };
  return [
    { ...decideRow, note: `${n.toLocaleString('en-US')} calls` },
    {
      figure: 'validateOperation, long-lived validator past maxAuditEntries',
      value: validate.perSecond,
      unit: 'calls/s',
      goal: '>= 3,000,000/s',
      baseline: decideRow,
      note: `8 mixed operations, ${n.toLocaleString('en-US')} calls after 100,000, maxAuditEntries ${maxAuditEntries.toLocaleString('en-US')}`,
    },
    {
      figure: 'validateOperation with the buffer full vs while it fills',
      value: full / filling,
      unit: 'ratio',
      goal: '>= 0.9 (never slower when full)',
      note: `${Math.round(filling).toLocaleString('en-US')}/s while filling, ${Math.round(full).toLocaleString('en-US')}/s after 10x full (medians of ${window.toLocaleString('en-US')}-call windows)`,
    },
    {
      figure: 'validator.record(verdict) as the guard feeds it',
      value: record.perSecond,
      unit: 'calls/s',
      goal: '>= 3,000,000/s',
      baseline: decideRow,
    },
  ];
}
