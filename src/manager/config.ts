import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { z } from 'zod';
import { COMPLIANCE_STANDARDS, ComplianceStandard } from '../constants.js';
import { InvalidOptionsError } from '../policy/errors.js';
import { actionPatternSchema, customRulesSchema, describeIssues } from '../policy/options.js';
import { DEFAULT_SESSIONS_CONFIG, sessionsConfigSchema } from '../sessions/config.js';

const require = createRequire(import.meta.url);
let yaml: typeof import('yaml') | undefined;
/**
 * The YAML parser, loaded when a YAML file is read: it is some 70 files, a
 * tenth of a second of CPU at start-up that commands run without a
 * configuration file (`inventag audit verify`) would pay for nothing.
 */
const loadYaml = (): typeof import('yaml') => (yaml ??= require('yaml') as typeof import('yaml'));

const pct = (dflt: number) => z.number().min(0).max(100).default(dflt);
const positiveInt = (dflt: number) => z.number().int().positive().default(dflt);
const positive = (dflt: number) => z.number().positive().default(dflt);

/**
 * Every option of the seed's ComplianceConfiguration, with the seed's
 * defaults, plus InvenTag's own (data directory, overrides, CUSTOM rules,
 * AWS and CloudTrail evidence settings). One schema: files, environment
 * variables and CLI flags all pass through it.
 */
export const complianceConfigurationSchema = z.object({
  /** @default 'general' */
  complianceStandard: z
    .enum(COMPLIANCE_STANDARDS as [ComplianceStandard, ...ComplianceStandard[]])
    .default(ComplianceStandard.GENERAL),
  enableSecurityValidation: z.boolean().default(true),
  enableProductionMonitoring: z.boolean().default(true),
  enableCloudtrailIntegration: z.boolean().default(true),
  /** Errors inside the error window that raise an alert. @default 10 */
  errorThreshold: positiveInt(10),
  /** Consecutive failures that open a service:operation circuit. @default 5 */
  circuitBreakerThreshold: positiveInt(5),
  /** Seconds an open circuit waits before letting one call through. @default 300 */
  circuitBreakerTimeout: positive(300),
  performanceThresholdCpu: pct(80),
  performanceThresholdMemory: pct(80),
  performanceThresholdDisk: pct(90),
  /** Seconds between resource samples. @default 30 */
  performanceMonitoringInterval: positive(30),
  /**
   * The seed's seconds between CloudTrail lookups. InvenTag reads CloudTrail once per `inventag check` (the
   * window is `cloudtrail.lookbackHours`); nothing polls, so only the seed's default 300 is accepted, and any
   * other value is refused rather than silently ignored. @default 300
   */
  cloudtrailLookupInterval: z
    .number({ error: 'must be a number of seconds' })
    .refine((v) => v === 300, {
      error:
        'is not used: InvenTag reads CloudTrail once per `inventag check` and never polls; schedule `inventag check` as often as you want the lookup and set cloudtrail.lookbackHours for its window (only the seed default 300 is accepted)',
    })
    .default(300),
  auditLogRetentionDays: positiveInt(30),
  /** Audit entries kept in memory (the durable store keeps more, bounded by retention). @default 10000 */
  maxAuditEntries: positiveInt(10_000),
  includePerformanceMetrics: z.boolean().default(true),
  includeCloudtrailEvents: z.boolean().default(true),
  generateExecutiveSummary: z.boolean().default(true),

  /** Lowest compliance score that passes `inventag check`. @default 95 */
  minComplianceScore: pct(95),
  /** Seconds of the sliding error window. @default 300 */
  errorWindowSeconds: positive(300),
  /** Operations slower than this are reported. @default 10 */
  slowOperationThresholdSeconds: positive(10),
  /** Where the audit store, breaker state and logs live. @default '.inventag' */
  dataDirectory: z.string().min(1).default('.inventag'),
  /** @default '<dataDirectory>/audit.db' */
  auditStore: z.string().min(1).optional(),
  /**
   * The audit store is keyed (HMAC-SHA-256): its key must be set (INVENTAG_AUDIT_KEY or auditKeyFile), and a
   * plain store found in its place is reported as tampered. A key being set implies it too. @default false
   */
  auditKeyed: z.boolean().default(false),
  /** A file holding the audit store's HMAC key (a mounted secret); INVENTAG_AUDIT_KEY wins over it. */
  auditKeyFile: z.string().min(1).optional(),
  /** @default '<dataDirectory>/logs' */
  logDirectory: z.string().min(1).optional(),
  overrides: z
    .object({ allow: z.array(actionPatternSchema).default([]), deny: z.array(actionPatternSchema).default([]) })
    .strict()
    .default({ allow: [], deny: [] }),
  custom: customRulesSchema.optional(),
  aws: z
    .object({
      profile: z.string().min(1).optional(),
      regions: z
        .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'expected an AWS region such as "us-east-1"' }))
        .default([]),
      endpoint: z.string().url().optional(),
      /** Seconds an AWS request may wait for an answer (and between bytes of one). @default 30 */
      timeoutSeconds: z.number().positive().optional(),
      /** Seconds to establish a connection to AWS. @default 5 */
      connectTimeoutSeconds: z.number().positive().optional(),
    })
    .strict()
    .default({ regions: [] }),
  cloudtrail: z
    .object({
      /** Hours of CloudTrail history `inventag check` reads. @default 24 */
      lookbackHours: positive(24),
      /** Trail log files: a directory or `s3://bucket/prefix`; without it, LookupEvents is used. */
      trailSource: z.string().min(1).optional(),
      /** The principal to check (ARN, role session or access key id); default: the identity STS reports. */
      principal: z.string().min(1).optional(),
      /** LookupEvents requests per second per account and region (AWS allows 2). @default 2 */
      requestsPerSecond: z.number().positive().max(2).default(2),
    })
    .strict()
    .default({ lookbackHours: 24, requestsPerSecond: 2 }),
  /** Permission probes for `inventag check` and `inventag permissions`: `{ service, operation }`. */
  sessions: sessionsConfigSchema.default(DEFAULT_SESSIONS_CONFIG),
  probes: z.array(z.object({ service: z.string().min(1), operation: z.string().min(1) }).strict()).optional(),
  /** Identity policy documents to analyse offline (paths). */
  policyFiles: z.array(z.string().min(1)).default([]),
  /** Business hours for the security report (calls outside them are reported), or false. @default Monday-Friday 08-18 UTC */
  businessHours: z
    .union([
      z.literal(false),
      z
        .object({
          startHour: z.number().int().min(0).max(23),
          endHour: z.number().int().min(1).max(24),
          days: z.array(z.number().int().min(0).max(6)).min(1).default([1, 2, 3, 4, 5]),
          timeZone: z.string().min(1).default('UTC'),
        })
        .strict(),
    ])
    .optional(),
});

export type ComplianceConfiguration = z.output<typeof complianceConfigurationSchema>;
export type ComplianceConfigurationInput = z.input<typeof complianceConfigurationSchema>;

export const CONFIG_KEYS = Object.keys(complianceConfigurationSchema.shape) as (keyof ComplianceConfiguration)[];

/** Where a configuration value came from. */
export type ConfigSource = 'default' | 'file' | 'env' | 'flag' | 'code';

export interface LoadedConfiguration {
  config: ComplianceConfiguration;
  /** Top-level key -> where its value came from. */
  sources: Record<string, ConfigSource>;
  file: string | undefined;
  warnings: string[];
}

/** The configuration file could not be read or is invalid; the message names the file and each bad field. */
export class ConfigError extends InvalidOptionsError {
  readonly file: string | undefined;
  constructor(file: string | undefined, issues: readonly string[]) {
    super(file ? `configuration ${file}` : 'configuration', issues);
    this.name = 'ConfigError';
    this.file = file;
  }
}

export const DEFAULT_CONFIG_FILES = ['inventag.config.yaml', 'inventag.config.yml', 'inventag.config.json'];

/** `complianceStandard` -> `INVENTAG_COMPLIANCE_STANDARD`. */
export const envName = (key: string): string => `INVENTAG_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

function parseEnvValue(key: string, raw: string): unknown {
  const shape = complianceConfigurationSchema.shape[key as keyof typeof complianceConfigurationSchema.shape];
  let inner: z.ZodType = shape as z.ZodType;
  // Unwrap defaults/optionals to see the scalar type.
  for (let i = 0; i < 4; i++) {
    const def = (inner as unknown as { def?: { innerType?: z.ZodType } }).def;
    if (def?.innerType) inner = def.innerType;
    else break;
  }
  const type = (inner as unknown as { def?: { type?: string } }).def?.type;
  if (type === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    return raw;
  }
  if (type === 'number') return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  if (type === 'array' || type === 'object') {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory, expected a YAML or JSON file'
            : String(err),
    ]);
  }
  let data: unknown;
  if (file.endsWith('.json')) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(file, [`not valid JSON: ${(err as Error).message}`]);
    }
  } else {
    const doc = loadYaml().parseDocument(text, { prettyErrors: true });
    if (doc.errors.length) {
      throw new ConfigError(
        file,
        doc.errors.map((e) => `not valid YAML at line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`),
      );
    }
    try {
      // The yaml library refuses a document whose aliases expand past maxAliasCount (a "billion laughs" bomb).
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw new ConfigError(file, [
        `YAML aliases expand too far (${(err as Error).message}); expected a configuration without nested alias expansion`,
      ]);
    }
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new ConfigError(file, [
      `(root): expected a mapping of options, got ${Array.isArray(data) ? 'a list' : typeof data}`,
    ]);
  return data as Record<string, unknown>;
}

export interface LoadConfigurationOptions {
  /** An explicit file (`--config`); it must exist. */
  file?: string;
  /** Directory searched for `inventag.config.yaml|yml|json` when no file is given. @default process.cwd() */
  cwd?: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Values from CLI flags (highest precedence); undefined values are ignored. */
  flags?: Partial<Record<keyof ComplianceConfiguration, unknown>>;
  /** Values given in code (between file and env: `new ComplianceManager(config)`). */
  values?: Partial<ComplianceConfigurationInput>;
  /** Skip the configuration file search (configuration given in code only). @default false */
  noFile?: boolean;
}

/**
 * Builds the effective configuration: defaults, then the file
 * (`--config` or `inventag.config.yaml|yml|json` in the working directory),
 * then `INVENTAG_*` environment variables, then CLI flags. Unknown keys are
 * warnings naming the key; wrong types are errors naming the field, the value
 * and what is allowed.
 */
export function loadConfiguration(options: LoadConfigurationOptions = {}): LoadedConfiguration {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  let file = options.file ? resolve(cwd, options.file) : undefined;
  if (!file && !options.noFile) file = DEFAULT_CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
  const fromFile = file ? readConfigFile(file) : {};

  const warnings: string[] = [];
  const merged: Record<string, unknown> = {};
  const sources: Record<string, ConfigSource> = {};
  const known = new Set<string>(CONFIG_KEYS);
  for (const [k, v] of Object.entries(fromFile)) {
    if (!known.has(k)) {
      const hint = CONFIG_KEYS.find((c) => c.toLowerCase() === k.toLowerCase().replace(/_/g, ''));
      warnings.push(`${file}: unknown key "${k}" ignored${hint ? ` (did you mean "${hint}"?)` : ''}`);
      continue;
    }
    merged[k] = v;
    sources[k] = 'file';
  }
  for (const [k, v] of Object.entries(options.values ?? {})) {
    if (v === undefined) continue;
    merged[k] = v;
    sources[k] = 'code';
  }
  for (const key of CONFIG_KEYS) {
    const raw = env[envName(key)];
    if (raw === undefined || raw === '') continue;
    merged[key] = parseEnvValue(key, raw);
    sources[key] = 'env';
  }
  for (const [k, v] of Object.entries(options.flags ?? {})) {
    if (v === undefined) continue;
    merged[k] = v;
    sources[k] = 'flag';
  }

  const result = complianceConfigurationSchema.safeParse(merged);
  if (!result.success) {
    const issues = describeIssues(result.error, merged).map((issue) => {
      const key = issue.split(/[.[:]/)[0] ?? '';
      const from = sources[key];
      return from === 'env'
        ? `${issue} [from ${envName(key)}]`
        : from === 'flag'
          ? `${issue} [from a command-line flag]`
          : issue;
    });
    throw new ConfigError(file, issues);
  }
  for (const key of CONFIG_KEYS) sources[key] ??= 'default';
  const config = result.data;
  // Paths are relative to the working directory, resolved once.
  config.dataDirectory = resolve(cwd, config.dataDirectory);
  config.auditStore = resolve(cwd, config.auditStore ?? resolve(config.dataDirectory, 'audit.db'));
  if (config.auditKeyFile) config.auditKeyFile = resolve(cwd, config.auditKeyFile);
  config.logDirectory = resolve(cwd, config.logDirectory ?? resolve(config.dataDirectory, 'logs'));
  return { config, sources, file, warnings };
}

/** Validates configuration given in code; throws ConfigError naming each bad field. */
export function parseConfiguration(input: ComplianceConfigurationInput = {}): ComplianceConfiguration {
  return loadConfiguration({ values: input, env: {}, noFile: true }).config;
}
