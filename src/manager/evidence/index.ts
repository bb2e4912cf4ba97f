export { auditEvidence } from './auditEvidence.js';
export { CLOUDTRAIL_TOPICS, cloudtrailEvidence, problemsOf, trailScanFacts } from './cloudtrailEvidence.js';
export type { CloudtrailScanFacts } from './cloudtrailEvidence.js';
export { identityEvidence } from './identityEvidence.js';
export { permissionsEvidence } from './permissionsEvidence.js';
export type {
  CloudtrailWriteFact,
  EvidenceFacts,
  EvidenceFinding,
  EvidenceIncompleteness,
  EvidenceProblem,
  EvidenceSection,
  TopicCheck,
} from './types.js';
