import { randomUUID } from 'node:crypto';

/**
 * Session ids of InvenTag's own evidence-gathering calls (`check`, `identity`, `permissions`, `cloudtrail`)
 * start with this. Their audit entries are on record like any other, reported as the tool's own, and never
 * counted toward the automation's score: re-running `check` on the same history gives the same score.
 */
export const TOOL_SESSION_PREFIX = 'inventag-tool:';

export const newToolSessionId = (): string => `${TOOL_SESSION_PREFIX}${randomUUID()}`;

export const isToolSession = (sessionId: string | undefined): boolean =>
  typeof sessionId === 'string' && sessionId.startsWith(TOOL_SESSION_PREFIX);
