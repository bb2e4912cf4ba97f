import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfiguration, parseConfiguration } from '../../src/manager/config.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inventag-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('ComplianceConfiguration', () => {
  it("has the seed's defaults", () => {
    const c = parseConfiguration();
    expect(c).toMatchObject({
      complianceStandard: 'general',
      enableSecurityValidation: true,
      enableProductionMonitoring: true,
      enableCloudtrailIntegration: true,
      errorThreshold: 10,
      circuitBreakerThreshold: 5,
      circuitBreakerTimeout: 300,
      performanceThresholdCpu: 80,
      performanceThresholdMemory: 80,
      performanceThresholdDisk: 90,
      performanceMonitoringInterval: 30,
      cloudtrailLookupInterval: 300,
      auditLogRetentionDays: 30,
      maxAuditEntries: 10000,
      includePerformanceMetrics: true,
      includeCloudtrailEvents: true,
      generateExecutiveSummary: true,
    });
  });

  it('applies file < env < flags, and says where each value came from', () => {
    const file = write(
      'prec.yaml',
      'complianceStandard: soc2\nerrorThreshold: 3\ncircuitBreakerThreshold: 7\nperformanceThresholdCpu: 70\n',
    );
    const loaded = loadConfiguration({
      file,
      env: { INVENTAG_ERROR_THRESHOLD: '4', INVENTAG_CIRCUIT_BREAKER_THRESHOLD: '8' },
      flags: { circuitBreakerThreshold: 9 },
    });
    expect(loaded.config.complianceStandard).toBe('soc2');
    expect(loaded.config.performanceThresholdCpu).toBe(70);
    expect(loaded.config.errorThreshold).toBe(4);
    expect(loaded.config.circuitBreakerThreshold).toBe(9);
    expect(loaded.sources).toMatchObject({
      complianceStandard: 'file',
      errorThreshold: 'env',
      circuitBreakerThreshold: 'flag',
      performanceThresholdDisk: 'default',
    });
  });

  it('reads JSON files and finds inventag.config.yaml in the working directory', () => {
    const sub = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(sub, 'inventag.config.yaml'), 'complianceStandard: iso27001\n');
    expect(loadConfiguration({ cwd: sub, env: {} }).config.complianceStandard).toBe('iso27001');
    const json = write('c.json', JSON.stringify({ enableCloudtrailIntegration: false }));
    expect(loadConfiguration({ file: json, env: {} }).config.enableCloudtrailIntegration).toBe(false);
  });

  it.each([
    ['errorThreshold: ten\n', /errorThreshold: .*number.*\(got "ten"\)/],
    ['performanceThresholdCpu: 150\n', /performanceThresholdCpu: .*100.*\(got 150\)/],
    ['complianceStandard: pci\n', /complianceStandard: .*"general".*"soc2".*\(got "pci"\)/],
    ['circuitBreakerTimeout: -5\n', /circuitBreakerTimeout: .*\(got -5\)/],
    ['overrides:\n  allow: ["ec2 Describe"]\n', /overrides\.allow\[0\]: expected an IAM action pattern/],
    ['custom:\n  allowSensitiveReads: sometimes\n', /custom\.allowSensitiveReads/],
    ['enableSecurityValidation: "yes please"\n', /enableSecurityValidation: .*boolean/],
    ['errorThreshold: [1\n', /not valid YAML at line \d+: Flow sequence/],
    ['- a list\n', /expected a mapping of options/],
  ])('names the field, value and what is allowed: %j', (text, message) => {
    const file = write(`bad-${Math.random().toString(36).slice(2)}.yaml`, text);
    let err: unknown;
    try {
      loadConfiguration({ file, env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toContain(file);
    expect((err as Error).message).toMatch(message);
  });

  it('warns about an unknown key, naming it, and goes on', () => {
    const file = write('unknown.yaml', 'errorThresold: 3\nerrorThreshold: 2\n');
    const loaded = loadConfiguration({ file, env: {} });
    expect(loaded.config.errorThreshold).toBe(2);
    expect(loaded.warnings.join('\n')).toMatch(/unknown key "errorThresold" ignored/);
  });

  it('names the environment variable a bad value came from', () => {
    expect(() => loadConfiguration({ env: { INVENTAG_ERROR_THRESHOLD: 'many' }, noFile: true })).toThrow(
      /errorThreshold: .*\[from INVENTAG_ERROR_THRESHOLD\]/,
    );
  });

  it('names a missing file', () => {
    expect(() => loadConfiguration({ file: join(dir, 'nope.yaml') })).toThrow(/nope\.yaml.*file not found/);
  });
});

describe('inventag config print', () => {
  it('prints every option with its source, and exits 2 on a bad file', async () => {
    const file = write('print.yaml', 'complianceStandard: soc2\nbogusKey: 1\n');
    const r = await runCli(['config', 'print', '--config', file], { env: { INVENTAG_ERROR_THRESHOLD: '6' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/complianceStandard: "soc2" {2}# file/);
    expect(r.stdout).toMatch(/errorThreshold: 6 {2}# env \(INVENTAG_ERROR_THRESHOLD\)/);
    expect(r.stdout).toMatch(/circuitBreakerTimeout: 300 {2}# default/);
    expect(r.stderr).toMatch(/unknown key "bogusKey"/);
    const bad = await runCli(['config', 'print', '--config', write('p2.yaml', 'errorThreshold: -1\n')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/errorThreshold/);
  });
});
