import { z } from 'zod';
import { ControlTopic } from './controls.js';
import { ACTION_PATTERN, ACTION_PATTERN_HINT, SENSITIVE_CATEGORIES, type CustomRules } from './engineOptions.js';
import { InvalidOptionsError } from './errors.js';

/* zod schemas for configuration files; they accept exactly what resolveEngineOptions accepts. */

export const actionPatternSchema = z.string().regex(ACTION_PATTERN, { message: ACTION_PATTERN_HINT });

export const sensitiveCategorySchema = z.enum(SENSITIVE_CATEGORIES);

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
      .array(
        z
          .object({ pattern: actionPatternSchema, category: sensitiveCategorySchema, reason: z.string().min(1) })
          .strict(),
      )
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
    controlMappings: z
      .partialRecord(z.enum(Object.values(ControlTopic) as [ControlTopic, ...ControlTopic[]]), z.array(controlSchema))
      .default({}),
  })
  .strict();
// The schema's output must be usable as the engine's CustomRules.
const _sameShape: (r: z.output<typeof customRulesSchema>) => CustomRules = (r) => r;
void _sameShape;

/** Formats zod issues as `field.path: message (got value)`. */
export function describeIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    const path =
      issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '') || '(root)';
    let value: unknown = input;
    for (const p of issue.path)
      value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[p] : undefined;
    const got = issue.code === 'unrecognized_keys' ? '' : ` (got ${JSON.stringify(value) ?? 'undefined'})`;
    return `${path}: ${issue.message}${got}`;
  });
}

export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw new InvalidOptionsError(what, describeIssues(result.error, input));
  return result.data;
}
