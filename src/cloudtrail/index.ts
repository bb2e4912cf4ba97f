export { toCloudTrailEvent, eventToJson } from './CloudTrailEvent.js';
export type {
  CloudTrailEvent,
  CloudTrailResource,
  EventVerdict,
  EventVerdictSource,
  SessionIssuer,
  UserIdentity,
} from './CloudTrailEvent.js';
export { EventClassifier } from './EventClassifier.js';
export type { EventClassifierOptions } from './EventClassifier.js';
export { EVENT_SOURCE_PREFIXES, iamPrefixForEventSource, actionNameForEvent } from './eventSources.js';
export {
  CloudTrailError,
  CloudTrailErrorKind,
  LookupEventsError,
  LookupWindowError,
  TrailObjectMissingError,
  TrailSourceError,
  isCloudTrailError,
} from './errors.js';
export { DigestVerifier, IntegrityCode, IntegrityResult, TAMPER_CODES } from './DigestVerifier.js';
export type {
  DigestChainSummary,
  DigestVerifyOptions,
  IntegrityIssue,
  IntegrityReport,
  PublicKeySource,
} from './DigestVerifier.js';
export { PublicKeyRing, listPublicKeys, parsePublicKeyFile } from './PublicKeyRing.js';
export type { KeyLookup, PublicKeyRecord } from './PublicKeyRing.js';
export { digestSigningString, parseDigestName, toDigestFile, SIGNATURE_ALGORITHM } from './digestFormat.js';
export type { DigestFile, DigestLogFile, DigestName } from './digestFormat.js';
export { TokenBucket, realClock } from './TokenBucket.js';
export type { PacingClock, TokenBucketOptions } from './TokenBucket.js';
export {
  LookupEventsReader,
  integrateCloudtrailEvents,
  LOOKUP_MAX_RATE,
  LOOKUP_PAGE_SIZE,
  LOOKUP_RETENTION_DAYS,
} from './LookupEventsReader.js';
export type {
  LookupEventsReaderOptions,
  LookupProgress,
  LookupResult,
  RegionLookupStats,
} from './LookupEventsReader.js';
export { planLookupFilter, LOOKUP_ATTRIBUTES } from './lookupFilter.js';
export type { LookupFilter, PlannedFilter } from './lookupFilter.js';
export { parseTrailLocation } from './trailStore.js';
export type { TrailListing, TrailLocation, TrailObject, TrailStore } from './trailStore.js';
export { LocalTrailStore } from './LocalTrailStore.js';
export { S3TrailStore } from './S3TrailStore.js';
export type { S3TrailStoreOptions } from './S3TrailStore.js';
export { findTrailFiles } from './trailLayout.js';
export type { TrailFileRef, TrailWalkOptions } from './trailLayout.js';
export { TrailFileReader, trailScanProgressTo } from './TrailFileReader.js';
export type {
  CorruptTrailFile,
  TrailFileResult,
  TrailReadProblem,
  TrailScanOptions,
  TrailScanProgress,
  TrailScanSummary,
} from './TrailFileReader.js';
export { principalMatcher } from './principal.js';
export type { PrincipalKind, PrincipalMatcher } from './principal.js';
export { PrincipalAnalyzer, findWritesByPrincipal, summarizeEvent } from './PrincipalAnalyzer.js';
export type {
  AuditRecordRef,
  CloudTrailFinding,
  CorrelationOptions,
  CorrelationResult,
  EventSummary,
  FlagDisagreement,
  PrincipalAnalysis,
  SessionEstablishment,
  SessionRoles,
} from './PrincipalAnalyzer.js';
export { parseDuration, resolveWindow } from './window.js';
export type { TimeWindow } from './window.js';
export { checkTrailIntegrity, TrailIntegrityStatus, validationStatesOf } from './trailIntegrity.js';
export type {
  TrailIntegrity,
  TrailIntegrityOptions,
  TrailValidationState,
  UnverifiedTrailFile,
} from './trailIntegrity.js';
export type { EventSelection, SkippedEvents } from './trailSelect.js';
export { TrailWorkerError } from './scanPool.js';
