/** The `sessions` section of the configuration: the roles InvenTag may assume, and the role `check --org` assumes. */
import { z } from 'zod';
import { parseRolePattern } from './RolePattern.js';

/** Characters STS accepts in a session name and an external id. */
const STS_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export const sanctionedRoleSchema = z
  .object({
    /** Role ARN pattern, e.g. `arn:aws:iam::*:role/InventoryReadOnly`. */
    roleArn: z.string().superRefine((value, ctx) => {
      const parsed = parseRolePattern(value);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    }),
    /** Sent as `ExternalId` when the role requires one. */
    externalId: z.string().regex(EXTERNAL_ID, { message: 'expected 2-1224 characters of [\\w+=,.@:/-]' }).optional(),
    /** `RoleSessionName`; CloudTrail shows it as the last part of the assumed-role ARN. @default 'inventag' */
    sessionName: z.string().regex(STS_NAME, { message: 'expected 2-64 characters of [\\w+=,.@-]' }).optional(),
  })
  .strict();

export const sessionsConfigSchema = z
  .object({
    /** The only roles InvenTag assumes; any other AssumeRole is blocked before it is sent. @default [] */
    assumeRoles: z.array(sanctionedRoleSchema).default([]),
    /** Role name `check --org` assumes in each member account. @default 'InventoryReadOnly' */
    roleName: z
      .string()
      .regex(ROLE_NAME, { message: 'expected an IAM role name (1-64 characters of [\\w+=,.@-])' })
      .default('InventoryReadOnly'),
  })
  .strict();

export type SanctionedRoleConfig = z.output<typeof sanctionedRoleSchema>;
export type SessionsConfig = z.output<typeof sessionsConfigSchema>;
export const DEFAULT_SESSIONS_CONFIG: SessionsConfig = { assumeRoles: [], roleName: 'InventoryReadOnly' };
