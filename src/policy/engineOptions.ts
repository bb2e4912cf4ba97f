import { COMPLIANCE_STANDARDS, ComplianceStandard } from '../constants.js';
import type { SensitiveRead } from '../contracts.js';
import { ControlTopic, type ControlDefinition } from './controls.js';
import { InvalidOptionsError } from './errors.js';

/*
 * Options of the verdict engine, checked by hand rather than with zod: the
 * engine sits on the `inventag validate` cold-start path, and importing zod
 * costs more than everything else that command does. The configuration file
 * is validated with zod (manager/config.ts) against the same rules.
 */

export const ACTION_PATTERN = /^(\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?-]+)$/;
export const ACTION_PATTERN_HINT =
  'expected an IAM action pattern such as "ec2:DescribeInstances", "ec2:Describe*" or "*"';
export const SENSITIVE_CATEGORIES = ['secret', 'credentials', 'data'] as const;
export type SensitiveCategory = (typeof SENSITIVE_CATEGORIES)[number];

export interface CustomRules {
  /** Actions to allow although the IAM data says they write (each is reported in the verdict's notes). */
  allow: string[];
  /** Actions to block although they only read. */
  deny: string[];
  /** Which sensitive reads are allowed: true (all), false (none) or a list of categories. @default true */
  allowSensitiveReads: boolean | SensitiveCategory[];
  /** More sensitive reads. */
  sensitiveReads: { pattern: string; category: SensitiveCategory; reason: string }[];
  /** Thresholds that decide compliant / non-compliant under CUSTOM. */
  thresholds: { minComplianceScore: number; maxRiskScore: number; maxBlockedOperations?: number };
  /** Extra controls per evidence topic, e.g. `{ read_only_access: [{ id: "SEC-1", title: "..." }] }`. */
  controlMappings: Partial<Record<ControlTopic, ControlDefinition[]>>;
}
export type CustomRulesInput = Partial<CustomRules>;

export interface VerdictEngineOptions {
  /** @default 'general' */
  standard?: ComplianceStandard;
  /** Allow/deny action patterns that win over the IAM data; deny wins over allow. */
  overrides?: { allow?: string[]; deny?: string[] };
  /** Rules of the CUSTOM standard (ignored under other standards). */
  custom?: CustomRulesInput;
  /** Verdicts kept in the engine's cache. @default 50000 */
  cacheSize?: number;
}

export interface ResolvedVerdictEngineOptions {
  standard: ComplianceStandard;
  overrides: { allow: string[]; deny: string[] };
  custom: CustomRules | undefined;
  cacheSize: number;
  extraSensitive: ReadonlyArray<readonly [string, SensitiveRead]>;
}

const show = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

export function resolveEngineOptions(input: unknown): ResolvedVerdictEngineOptions {
  const issues: string[] = [];
  const opts = (input ?? {}) as Record<string, unknown>;
  if (typeof opts !== 'object' || Array.isArray(opts))
    throw new InvalidOptionsError('verdict engine options', [`(root): expected an object (got ${show(input)})`]);
  for (const key of Object.keys(opts))
    if (!['standard', 'overrides', 'custom', 'cacheSize'].includes(key))
      issues.push(`${key}: unknown option (allowed: standard, overrides, custom, cacheSize)`);

  const standard = (opts.standard ?? ComplianceStandard.GENERAL) as ComplianceStandard;
  if (!COMPLIANCE_STANDARDS.includes(standard))
    issues.push(`standard: expected one of ${COMPLIANCE_STANDARDS.join(', ')} (got ${show(opts.standard)})`);

  const patterns = (value: unknown, field: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      issues.push(`${field}: expected an array of action patterns (got ${show(value)})`);
      return [];
    }
    value.forEach((p, i) => {
      if (typeof p !== 'string' || !ACTION_PATTERN.test(p))
        issues.push(`${field}[${i}]: ${ACTION_PATTERN_HINT} (got ${show(p)})`);
    });
    return value.filter((p): p is string => typeof p === 'string');
  };
  const ov = (opts.overrides ?? {}) as Record<string, unknown>;
  const overrides = { allow: patterns(ov.allow, 'overrides.allow'), deny: patterns(ov.deny, 'overrides.deny') };

  const cacheSize = opts.cacheSize ?? 50_000;
  if (typeof cacheSize !== 'number' || !Number.isInteger(cacheSize) || cacheSize < 1)
    issues.push(`cacheSize: expected a positive integer (got ${show(opts.cacheSize)})`);

  let custom: CustomRules | undefined;
  if (opts.custom !== undefined) {
    const c = opts.custom as Record<string, unknown>;
    const allowSensitive = c.allowSensitiveReads ?? true;
    if (
      typeof allowSensitive !== 'boolean' &&
      !(
        Array.isArray(allowSensitive) &&
        allowSensitive.every((x) => SENSITIVE_CATEGORIES.includes(x as SensitiveCategory))
      )
    ) {
      issues.push(
        `custom.allowSensitiveReads: expected true, false or a list of ${SENSITIVE_CATEGORIES.join(', ')} (got ${show(allowSensitive)})`,
      );
    }
    const sensitiveReads = Array.isArray(c.sensitiveReads) ? (c.sensitiveReads as CustomRules['sensitiveReads']) : [];
    sensitiveReads.forEach((s, i) => {
      if (!s || typeof s.pattern !== 'string' || !ACTION_PATTERN.test(s.pattern))
        issues.push(`custom.sensitiveReads[${i}].pattern: ${ACTION_PATTERN_HINT} (got ${show(s?.pattern)})`);
      if (!SENSITIVE_CATEGORIES.includes(s?.category))
        issues.push(
          `custom.sensitiveReads[${i}].category: expected one of ${SENSITIVE_CATEGORIES.join(', ')} (got ${show(s?.category)})`,
        );
    });
    const topics = Object.values(ControlTopic) as string[];
    for (const topic of Object.keys(c.controlMappings ?? {}))
      if (!topics.includes(topic))
        issues.push(`custom.controlMappings.${topic}: not a control topic; expected one of ${topics.join(', ')}`);
    const t = (c.thresholds ?? {}) as Record<string, unknown>;
    const pct = (v: unknown, field: string, dflt: number): number => {
      if (v === undefined) return dflt;
      if (typeof v !== 'number' || v < 0 || v > 100)
        issues.push(`custom.thresholds.${field}: expected a number from 0 to 100 (got ${show(v)})`);
      return v as number;
    };
    custom = {
      allow: patterns(c.allow, 'custom.allow'),
      deny: patterns(c.deny, 'custom.deny'),
      allowSensitiveReads: allowSensitive as CustomRules['allowSensitiveReads'],
      sensitiveReads,
      thresholds: {
        minComplianceScore: pct(t.minComplianceScore, 'minComplianceScore', 95),
        maxRiskScore: pct(t.maxRiskScore, 'maxRiskScore', 50),
        ...(typeof t.maxBlockedOperations === 'number' ? { maxBlockedOperations: t.maxBlockedOperations } : {}),
      },
      controlMappings: c.controlMappings ?? {},
    };
  }
  if (issues.length) throw new InvalidOptionsError('verdict engine options', issues);
  return {
    standard,
    overrides,
    custom,
    cacheSize: cacheSize as number,
    extraSensitive: (custom?.sensitiveReads ?? []).map(
      (s) => [s.pattern, { category: s.category, reason: s.reason }] as const,
    ),
  };
}
