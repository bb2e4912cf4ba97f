import { z } from 'zod';
import { COMPLIANCE_STANDARDS, ComplianceStandard } from '../constants.js';

const ACTION_PATTERN = /^(\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+)$/;

export const actionPatternSchema = z
  .string()
  .regex(ACTION_PATTERN, { message: 'expected an IAM action pattern such as "ec2:DescribeInstances", "ec2:Describe*" or "*"' });

export const sensitiveCategorySchema = z.enum(['secret', 'credentials', 'data']);

const controlSchema = z.object({ id: z.string().min(1), title: z.string().min(1) }).strict();

export const customRulesSchema = z
  .object({
    /** Actions to allow although the IAM data says they write (each is reported in the verdict's notes). */
    allow: z.array(actionPatternSchema).default([]),
    /** Actions to block although they only read. */
    deny: z.array(actionPatternSchema).default([]),
    /** Which sensitive reads are allowed: true (all), false (none) or a list of categories. @default true */
    allowSensitiveReads: z.union([z.boolean(), z.array(sensitiveCategorySchema)]).default(true),
    /** More sensitive reads: `{ pattern, category, reason }`. */
    sensitiveReads: z
      .array(z.object({ pattern: actionPatternSchema, category: sensitiveCategorySchema, reason: z.string().min(1) }).strict())
      .default([]),
    /** Thresholds that decide compliant / non-compliant for the CUSTOM standard. */
    thresholds: z
      .object({
        minComplianceScore: z.number().min(0).max(100).default(95),
        maxRiskScore: z.number().min(0).max(100).default(50),
        maxBlockedOperations: z.number().int().min(0).optional(),
      })
      .strict()
      .default({ minComplianceScore: 95, maxRiskScore: 50 }),
    /** Extra controls per evidence topic, e.g. `{ read_only_access: [{ id: "SEC-1", title: "..." }] }`. */
    controlMappings: z.record(z.string(), z.array(controlSchema)).default({}),
  })
  .strict();
export type CustomRules = z.output<typeof customRulesSchema>;
export type CustomRulesInput = z.input<typeof customRulesSchema>;

export const verdictEngineOptionsSchema = z
  .object({
    standard: z.enum(COMPLIANCE_STANDARDS as [ComplianceStandard, ...ComplianceStandard[]]).default(ComplianceStandard.GENERAL),
    overrides: z
      .object({ allow: z.array(actionPatternSchema).default([]), deny: z.array(actionPatternSchema).default([]) })
      .strict()
      .default({ allow: [], deny: [] }),
    custom: customRulesSchema.optional(),
    /** Verdicts kept in the per-engine cache. @default 50000 */
    cacheSize: z.number().int().positive().default(50_000),
  })
  .strict();
export type VerdictEngineOptions = z.input<typeof verdictEngineOptionsSchema>;
export type ResolvedVerdictEngineOptions = z.output<typeof verdictEngineOptionsSchema>;

/** Invalid options: the message names each bad field, its value and what is allowed. */
export class InvalidOptionsError extends Error {
  readonly isInvalidOptionsError = true;
  readonly issues: readonly string[];
  constructor(what: string, issues: readonly string[]) {
    super(`invalid ${what}: ${issues.join('; ')}`);
    this.name = 'InvalidOptionsError';
    this.issues = issues;
  }
}

export function isInvalidOptionsError(err: unknown): err is InvalidOptionsError {
  return typeof err === 'object' && err !== null && (err as { isInvalidOptionsError?: unknown }).isInvalidOptionsError === true;
}

/** Formats zod issues as `field.path: message (got value)`. */
export function describeIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(root)';
    let value: unknown = input;
    for (const p of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
    const got = issue.code === 'unrecognized_keys' ? '' : ` (got ${JSON.stringify(value) ?? 'undefined'})`;
    return `${path}: ${issue.message}${got}`;
  });
}

export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw new InvalidOptionsError(what, describeIssues(result.error, input));
  return result.data;
}
