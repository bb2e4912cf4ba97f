export { VerdictEngine, READ_NAME_PATTERN, MUTATING_NAME_PATTERN, IDENTITY_SERVICES } from './VerdictEngine.js';
export { DELIBERATE_OVERRIDES } from './deliberateOverrides.js';
export { ControlTopic, controlsFor, controlIdsFor } from './controls.js';
export type { ControlDefinition, CustomControlMappings } from './controls.js';
export { InvalidOptionsError, isInvalidOptionsError } from './errors.js';
export { resolveEngineOptions, ACTION_PATTERN, SENSITIVE_CATEGORIES } from './engineOptions.js';
export type { CustomRules, CustomRulesInput, VerdictEngineOptions, SensitiveCategory } from './engineOptions.js';
