import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ComplianceMetrics } from '../../src/metrics/index.js';
import { knownSnapshot } from './fixtures.js';

const root = new URL('../../examples/', import.meta.url);
// Labels Prometheus adds to every scraped series, whatever the exporter sends.
const TARGET_LABELS = ['job', 'instance'];

/** Every series name the registry exposes, with the values seen for each label. */
async function exposedSeries(): Promise<Map<string, Map<string, Set<string>>>> {
  const metrics = new ComplianceMetrics();
  metrics.update(knownSnapshot());
  const series = new Map<string, Map<string, Set<string>>>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    for (const value of metric.values) {
      const name = (value as { metricName?: string }).metricName ?? metric.name;
      const labels = series.get(name) ?? new Map<string, Set<string>>();
      series.set(name, labels);
      for (const [key, v] of Object.entries(value.labels)) {
        const seen = labels.get(key) ?? new Set<string>();
        seen.add(String(v));
        labels.set(key, seen);
      }
    }
  }
  return series;
}

/** Problems in one PromQL expression: unknown metrics, unknown labels, label values the exporter never produces. */
function problemsIn(expr: string, series: Map<string, Map<string, Set<string>>>): string[] {
  const problems: string[] = [];
  const selectors = [...expr.matchAll(/\b(inventag_[a-z0-9_]+)(?:\{([^}]*)\})?/g)];
  if (selectors.length === 0) problems.push(`${expr}: uses no inventag metric`);
  const labelsInExpr = new Set<string>(TARGET_LABELS);
  for (const [, name = '', matchers = ''] of selectors) {
    const labels = series.get(name);
    if (!labels) {
      problems.push(`${expr}: metric ${name} does not exist`);
      continue;
    }
    for (const key of labels.keys()) labelsInExpr.add(key);
    for (const [, key = '', op, value = ''] of matchers.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
      if (TARGET_LABELS.includes(key)) continue;
      const values = labels.get(key);
      if (!values) problems.push(`${expr}: ${name} has no label ${key}`);
      else if (op === '=' && !values.has(value))
        problems.push(`${expr}: ${name}{${key}} is never "${value}" (seen: ${[...values].join(', ')})`);
    }
  }
  for (const [, list = ''] of expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
    for (const key of list.split(',').map((k) => k.trim())) {
      if (!labelsInExpr.has(key)) problems.push(`${expr}: aggregates by ${key}, which none of its metrics has`);
    }
  }
  return problems;
}

function expressionsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) expressionsIn(item, out);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'expr' && typeof item === 'string') out.push(item);
      else expressionsIn(item, out);
    }
  }
  return out;
}

describe('examples/ use only metrics that exist', () => {
  it('the checker itself catches a made-up metric, label and label value', async () => {
    const series = await exposedSeries();
    expect(problemsIn('inventag_compliance_scor < 90', series)).toHaveLength(1);
    expect(problemsIn('inventag_circuit_breaker_state{status="OPEN"}', series)).toHaveLength(1);
    expect(problemsIn('inventag_circuit_breaker_state{state="open"}', series)).toHaveLength(1);
    expect(problemsIn('sum by (region) (inventag_operations_total)', series)).toHaveLength(1);
    expect(problemsIn('inventag_circuit_breaker_state{job=~"$job",state="OPEN"} == 1', series)).toEqual([]);
  });

  it('prometheus-alerts.yml: every rule is valid and uses existing metrics and labels', async () => {
    const series = await exposedSeries();
    const doc = parse(readFileSync(new URL('prometheus-alerts.yml', root), 'utf8')) as {
      groups: { name: string; rules: { alert: string; expr: string; annotations?: Record<string, string> }[] }[];
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    const names = rules.map((r) => r.alert);
    for (const wanted of [
      'InvenTagComplianceBelowThreshold',
      'InvenTagOperationsBlocked',
      'InvenTagCircuitBreakerOpen',
      'InvenTagWritesByAutomationPrincipal',
    ]) {
      expect(names).toContain(wanted);
    }
    const problems = rules.flatMap((rule) => {
      const own = problemsIn(rule.expr, series).map((p) => `${rule.alert}: ${p}`);
      const labelsOfExpr = new Set(
        [...rule.expr.matchAll(/\b(inventag_[a-z0-9_]+)/g)].flatMap(([, n = '']) => [...(series.get(n)?.keys() ?? [])]),
      );
      for (const [, label = ''] of JSON.stringify(rule.annotations ?? {}).matchAll(/\$labels\.(\w+)/g)) {
        if (!labelsOfExpr.has(label))
          own.push(`${rule.alert}: annotation uses $labels.${label}, which its metrics do not have`);
      }
      return own;
    });
    expect(problems).toEqual([]);
  });

  it('grafana-dashboard.json: every panel query uses existing metrics and labels', async () => {
    const series = await exposedSeries();
    const dashboard = JSON.parse(readFileSync(new URL('grafana-dashboard.json', root), 'utf8')) as {
      panels: unknown[];
      templating: unknown;
    };
    const queries = expressionsIn(dashboard.panels);
    expect(queries.length).toBeGreaterThanOrEqual(10);
    const covered = new Set(
      queries.flatMap((q) => [...q.matchAll(/\b(inventag_[a-z0-9_]+?)(?:_bucket)?\b/g)].map(([, n]) => n)),
    );
    for (const seed of [
      'inventag_compliance_score',
      'inventag_risk_score',
      'inventag_total_operations',
      'inventag_error_rate',
      'inventag_success_rate',
      'inventag_blocked_operations',
    ]) {
      expect(covered).toContain(seed);
    }
    expect(queries.flatMap((q) => problemsIn(q, series))).toEqual([]);
    expect(JSON.stringify(dashboard.templating)).toContain('label_values(inventag_info, job)');
    expect(series.has('inventag_info')).toBe(true);
  });
});
