export { VerdictEngine, READ_NAME_PATTERN, MUTATING_NAME_PATTERN, IDENTITY_SERVICES } from './VerdictEngine.js';
export { DELIBERATE_OVERRIDES } from './deliberateOverrides.js';
export { ControlTopic, controlsFor, controlIdsFor } from './controls.js';
export type { ControlDefinition, CustomControlMappings } from './controls.js';
export { customRulesSchema, verdictEngineOptionsSchema, actionPatternSchema, InvalidOptionsError, isInvalidOptionsError, parseOptions, describeIssues } from './options.js';
export type { CustomRules, CustomRulesInput, VerdictEngineOptions } from './options.js';
