export { AccessLevel, loadCatalogData } from './data.js';
export type { CatalogAction, CatalogData, CatalogService } from './data.js';
export {
  resolveOperation,
  resolveService,
  serviceCandidates,
  allActions,
  catalogInfo,
  MAX_NAME_LENGTH,
} from './resolve.js';
export type { ResolvedOperation } from './resolve.js';
export { canonicalOperationName } from './operationName.js';
export { SERVICE_ALIASES } from './serviceAliases.js';
export { OPERATION_ALIASES, APIGATEWAY_VERB_BY_PREFIX } from './operationAliases.js';
export { SENSITIVE_READS, sensitiveRead } from './sensitiveReads.js';
export { compileWildcard, matchesWildcard } from './wildcard.js';
export type { WildcardMatcher } from './wildcard.js';
