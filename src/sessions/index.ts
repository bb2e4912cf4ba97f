export {
  sessionCredentials,
  isSessionRecord,
  SESSION_DECISION_PREFIX,
  ASSUME_ROLE_ACTION,
} from './sessionCredentials.js';
export type { SessionCredentialProvider, SessionCredentialsOptions } from './sessionCredentials.js';
export { SanctionedRoles, DEFAULT_SESSION_NAME } from './SanctionedRoles.js';
export type { SanctionedMatch } from './SanctionedRoles.js';
export { parseRolePattern, parseRoleArn, ROLE_PATTERN_FORM } from './RolePattern.js';
export type { RolePattern } from './RolePattern.js';
export { sessionsConfigSchema, sanctionedRoleSchema, DEFAULT_SESSIONS_CONFIG } from './config.js';
export type { SanctionedRoleConfig, SessionsConfig } from './config.js';
export { accountSession } from './AccountSession.js';
export type { AccountSession } from './AccountSession.js';
export { SessionError, SessionRefusedError, isSessionError, isSessionRefusedError } from './errors.js';
