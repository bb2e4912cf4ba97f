import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ComplianceManager } from '../../src/manager/ComplianceManager.js';
import { REPORT_SCHEMA_PATH, renderHtml, renderMarkdown, saveReports } from '../../src/report/index.js';

// The schema is only worth publishing if what ComplianceManager really
// produces passes it: this test drives a manager through allowed, blocked and
// failing operations and validates the report it makes, per standard.
const Ajv2020 = Ajv2020Module.default;
const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
  JSON.parse(readFileSync(REPORT_SCHEMA_PATH, 'utf8')),
);

const dirs: string[] = [];
const managers: ComplianceManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function managerWithHistory(standard: 'general' | 'soc2' | 'iso27001'): Promise<ComplianceManager> {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'inventag-mgr-report-'));
  dirs.push(dataDirectory);
  const manager = new ComplianceManager(
    { complianceStandard: standard, dataDirectory },
    { audit: false, loggers: false },
  );
  managers.push(manager);
  await manager.validateAndMonitorOperation({
    service: 'ec2',
    operation: 'describe_instances',
    operationFunc: () => 'ok',
  });
  await manager.validateAndMonitorOperation({ service: 's3', operation: 'list_buckets', operationFunc: () => 'ok' });
  await manager.validateAndMonitorOperation({
    service: 's3',
    operation: 'get_object',
    resourceArn: 'arn:aws:s3:::<img src=x onerror=alert(1)>',
    operationFunc: () => {
      throw new Error('AccessDenied <script>alert(1)</script>');
    },
  });
  await manager.validateAndMonitorOperation({
    service: 'ec2',
    operation: 'terminate_instances',
    operationFunc: () => 'must not run',
  });
  await manager.validateAndMonitorOperation({ service: 's3', operation: 'delete_bucket' });
  return manager;
}

describe('reports made by ComplianceManager', () => {
  it.each(['general', 'soc2', 'iso27001'] as const)(
    'validate against the published schema and render (%s)',
    async (standard) => {
      const manager = await managerWithHistory(standard);
      const report = manager.generateComprehensiveComplianceReport();

      const ok = validate(JSON.parse(JSON.stringify(report)));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
      expect(report.complianceStatus.blockedOperations).toBe(2);

      const controlIds = report.controls.map((c) => c.id);
      if (standard === 'general') expect(controlIds).toEqual([]);
      if (standard === 'soc2') expect(controlIds).toEqual(expect.arrayContaining(['CC6.1']));
      if (standard === 'iso27001') expect(controlIds).toEqual(expect.arrayContaining(['A.8.15']));

      const html = renderHtml(report);
      expect(html).not.toMatch(/<(script|img)\b/i);
      expect(renderMarkdown(report)).toContain('## Controls');

      const dir = mkdtempSync(join(tmpdir(), 'inventag-mgr-out-'));
      dirs.push(dir);
      const saved = await saveReports(report, dir);
      expect(validate(JSON.parse(readFileSync(saved[0]!.path, 'utf8')))).toBe(true);
    },
  );
});
