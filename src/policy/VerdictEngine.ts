import { AccessLevel, type CatalogAction } from '../catalog/data.js';
import { catalogInfo, resolveOperation } from '../catalog/resolve.js';
import { sensitiveRead } from '../catalog/sensitiveReads.js';
import { compileWildcard, type WildcardMatcher } from '../catalog/wildcard.js';
import { ComplianceStandard, OperationType, RiskLevel } from '../constants.js';
import type { SensitiveRead, Verdict, VerdictEvidence, VerdictSource } from '../contracts.js';
import { ControlTopic, controlIdsFor, type CustomControlMappings } from './controls.js';
import { DELIBERATE_OVERRIDES } from './deliberateOverrides.js';
import { resolveEngineOptions, type ResolvedVerdictEngineOptions, type VerdictEngineOptions } from './engineOptions.js';

/** Name patterns for operations the IAM data does not know (the seed's methods 2 and 3). */
export const READ_NAME_PATTERN = /^(Describe|List|Get|Head|Search|Lookup|BatchGet)[A-Z0-9]/;
export const MUTATING_NAME_PATTERN =
  /^(Create|Delete|Put|Update|Modify|Remove|Add|Attach|Detach|Start|Stop|Terminate|Reboot|Run|Send|Invoke|Tag|Untag|Set|Enable|Disable|Associate|Disassociate|Import|Copy|Restore|Reset|Revoke|Authorize|Register|Deregister|Cancel|Accept|Reject|Allocate|Release|Replace|Upload|Publish|Purchase|Execute|Apply|Assume|Rotate|Change|Grant|Retire|Schedule|Write|BatchWrite|BatchDelete|BatchPut|BatchUpdate)[A-Z0-9]?/;

/**
 * Verbs that, as a word inside a name, say the call acts: the mutating verbs
 * that are not also common AWS nouns (`Run`, `Change`, `Set`, `Tag`,
 * `Upload`, `Release`, `Schedule`, `Import`, `Grant`, `Publish` name things
 * in read operations: `GetJobRun`, `DescribeCapacityReservationDateChangeQuotes`).
 */
const MUTATING_VERB_WORDS: ReadonlySet<string> = new Set([
  'Create',
  'Delete',
  'Put',
  'Update',
  'Modify',
  'Remove',
  'Attach',
  'Detach',
  'Start',
  'Stop',
  'Terminate',
  'Reboot',
  'Send',
  'Receive',
  'Invoke',
  'Execute',
  'Untag',
  'Enable',
  'Disable',
  'Associate',
  'Disassociate',
  'Restore',
  'Reset',
  'Revoke',
  'Authorize',
  'Register',
  'Deregister',
  'Cancel',
  'Accept',
  'Reject',
  'Allocate',
  'Replace',
  'Purchase',
  'Assume',
  'Rotate',
  'Retire',
  'Purge',
  'Rename',
  'Destroy',
  'Erase',
  'Kill',
  'Drop',
]);

/** The PascalCase words of a name: `GetAndTerminateInstances` -> Get, And, Terminate, Instances; `GetACLForVPC` -> Get, ACL, For, VPC. */
const wordsOf = (name: string): string[] => name.match(/[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+/g) ?? [];

/**
 * The first mutating verb among the words after the first of a name the IAM
 * data does not know (`GetAndTerminateInstances` -> `Terminate`): such a
 * name merely starts like a read, so it is not classified by its first word.
 */
function mutatingVerbInside(name: string): string | undefined {
  return wordsOf(name)
    .slice(1)
    .find((word) => MUTATING_VERB_WORDS.has(word));
}

/** Services whose reads reveal who can do what: never LOW risk. */
export const IDENTITY_SERVICES: ReadonlySet<string> = new Set([
  'iam',
  'sts',
  'organizations',
  'sso',
  'sso-directory',
  'identitystore',
  'identity-sync',
  'access-analyzer',
]);

const LEVEL_WEIGHT: Record<AccessLevel, number> = {
  [AccessLevel.LIST]: 0,
  [AccessLevel.READ]: 1,
  [AccessLevel.TAGGING]: 2,
  [AccessLevel.WRITE]: 3,
  [AccessLevel.PERMISSIONS_MANAGEMENT]: 4,
};

const isReadLevel = (level: AccessLevel): boolean => level === AccessLevel.READ || level === AccessLevel.LIST;

interface CompiledPatterns {
  readonly allow: readonly WildcardMatcher[];
  readonly deny: readonly WildcardMatcher[];
  readonly sensitive: ReadonlyArray<readonly [WildcardMatcher, SensitiveRead]>;
}

/**
 * Decides, for any (service, operation) in any naming form, whether the call
 * is read-only and may run. Verdicts come from the IAM access level of the
 * action (all ~22,000 of them), in this order of evidence:
 *
 * 1. explicit lists: your `overrides` (and CUSTOM `allow`/`deny`) win over
 *    everything; the deliberate-override table corrects the few actions the
 *    IAM data calls Read although they change something;
 * 2. the IAM access level: Read and List are read-only; Write, Permissions
 *    management and Tagging are mutating;
 * 3. for names the IAM data does not know, read name patterns (`Describe*`,
 *    `List*`, `Get*` ...), then
 * 4. mutating name patterns (`Create*`, `Delete*` ...), and otherwise
 * 5. unknown: blocked.
 *
 * Verdicts are cached per engine; `decide` makes no I/O.
 *
 * @example
 * const engine = new VerdictEngine({ standard: 'soc2' });
 * engine.decide('ec2', 'describe_instances').isValid; // true
 * engine.decide('S3Client', 'PutObjectCommand').isValid; // false
 */
export class VerdictEngine implements VerdictSource {
  readonly options: ResolvedVerdictEngineOptions;
  /**
   * Verdicts by service, then operation (SDK command names under their own map):
   * two lookups of strings whose hashes V8 keeps, instead of hashing a key built
   * from both on every call. Bounded by `cacheSize` verdicts in all.
   */
  private readonly cache = new Map<string, Map<string, Verdict>>();
  private readonly sdkCache = new Map<string, Map<string, Verdict>>();
  private cached = 0;
  private readonly patterns: CompiledPatterns;
  private readonly controlMappings: CustomControlMappings | undefined;

  constructor(options: VerdictEngineOptions = {}) {
    this.options = resolveEngineOptions(options);
    const custom = this.options.standard === ComplianceStandard.CUSTOM ? this.options.custom : undefined;
    const compile = (list: readonly string[]): WildcardMatcher[] => list.map(compileWildcard);
    this.patterns = {
      allow: compile([...this.options.overrides.allow, ...(custom?.allow ?? [])]),
      deny: compile([...this.options.overrides.deny, ...(custom?.deny ?? [])]),
      sensitive: custom ? this.options.extraSensitive.map(([p, read]) => [compileWildcard(p), read] as const) : [],
    };
    this.controlMappings = custom?.controlMappings;
  }

  /** The CUSTOM standard's control mappings (undefined under other standards). */
  get customControlMappings(): CustomControlMappings | undefined {
    return this.controlMappings;
  }

  get standard(): ComplianceStandard {
    return this.options.standard;
  }

  decide(service: string, operation: string): Verdict {
    const cacheable = typeof service === 'string' && typeof operation === 'string';
    if (cacheable) {
      const hit = this.cache.get(service)?.get(operation);
      if (hit) return hit;
    }
    const verdict = this.compute(service, operation, false);
    if (cacheable && verdict.evidence !== 'none') this.remember(this.cache, service, operation, verdict);
    return verdict;
  }

  /** For SDK command class names, which always carry exactly one `Command` suffix (`SendCommandCommand` is `ssm:SendCommand`). */
  decideSdk(clientName: string, commandName: string): Verdict {
    const hit = this.sdkCache.get(clientName)?.get(commandName);
    if (hit) return hit;
    const verdict = this.compute(clientName, commandName, true);
    if (verdict.evidence !== 'none' && typeof clientName === 'string' && typeof commandName === 'string')
      this.remember(this.sdkCache, clientName, commandName, verdict);
    return verdict;
  }

  private remember(
    cache: Map<string, Map<string, Verdict>>,
    service: string,
    operation: string,
    verdict: Verdict,
  ): void {
    if (this.cached >= this.options.cacheSize) {
      this.cache.clear();
      this.sdkCache.clear();
      this.cached = 0;
    }
    let byOperation = cache.get(service);
    if (!byOperation) cache.set(service, (byOperation = new Map<string, Verdict>()));
    byOperation.set(operation, verdict);
    this.cached++;
  }

  private compute(service: unknown, operation: unknown, sdkCommand: boolean): Verdict {
    const standard = this.options.standard;
    const resolved = resolveOperation(service, operation, { sdkCommand });
    const svcText = typeof service === 'string' ? service.slice(0, 80) : String(service);
    const opText = typeof operation === 'string' ? operation.slice(0, 80) : String(operation);
    const notes: string[] = [];
    const topics: ControlTopic[] = [ControlTopic.AUDIT_LOGGING];

    /** A call the engine cannot classify: blocked (fail closed), with why. */
    const unclassified = (message: string, note: string): Verdict =>
      this.build({
        service: svcText,
        operation: opText,
        operationType: OperationType.UNKNOWN,
        isValid: false,
        riskLevel: RiskLevel.MEDIUM,
        evidence: 'none',
        iamActions: [],
        accessLevel: undefined,
        sensitive: undefined,
        message: `Operation blocked: ${message}`,
        notes: [note],
        topics: [...topics, ControlTopic.READ_ONLY_ACCESS],
      });
    if (resolved.problem) return unclassified(resolved.problem, 'Input could not be classified; blocked (fail closed)');
    if (!resolved.servicePrefix) {
      const { version } = catalogInfo();
      return unclassified(
        `unknown service ${JSON.stringify(svcText)} (not an IAM service prefix, SDK client or boto3 client name known to the IAM data ${version}); unknown operations are blocked`,
        'Unknown service: blocked (fail closed)',
      );
    }

    const prefix = resolved.servicePrefix;
    const actions = resolved.actions;
    const primary = actions.reduce<CatalogAction | undefined>(
      (best, a) => (!best || LEVEL_WEIGHT[a.accessLevel] > LEVEL_WEIGHT[best.accessLevel] ? a : best),
      undefined,
    );
    const iamActions = actions.map((a) => a.iamAction);
    const subject = primary?.iamAction ?? `${prefix}:${resolved.operationName}`;

    // Baseline from the IAM data, then the name patterns.
    let operationType: OperationType;
    let evidence: VerdictEvidence;
    let accessLevel = primary?.accessLevel;
    if (primary) {
      evidence = 'iam-data';
      operationType = isReadLevel(primary.accessLevel) ? OperationType.READ_ONLY : OperationType.MUTATING;
      notes.push(
        `IAM access level of ${subject}: ${primary.accessLevel}${actions.length > 1 ? ` (the call needs ${iamActions.join(', ')})` : ''}`,
      );
      const deliberate = actions
        .map((a) => [a.iamAction, DELIBERATE_OVERRIDES[a.iamAction]] as const)
        .find(([, d]) => d);
      if (deliberate?.[1] && operationType === OperationType.READ_ONLY) {
        operationType = OperationType.MUTATING;
        evidence = 'override';
        notes.push(
          `Treated as mutating although IAM calls it ${primary.accessLevel}: ${deliberate[0]} ${deliberate[1].reason}`,
        );
      }
    } else if (READ_NAME_PATTERN.test(resolved.operationName) && mutatingVerbInside(resolved.operationName)) {
      evidence = 'mutating-pattern';
      operationType = OperationType.MUTATING;
      notes.push(
        `${subject} is not in the IAM data ${catalogInfo().version}; its name starts like a read but contains the mutating verb ${mutatingVerbInside(resolved.operationName)}, so it is classified mutating`,
      );
    } else if (READ_NAME_PATTERN.test(resolved.operationName)) {
      evidence = 'read-pattern';
      operationType = OperationType.READ_ONLY;
      notes.push(`${subject} is not in the IAM data ${catalogInfo().version}; classified read-only by its name`);
    } else if (MUTATING_NAME_PATTERN.test(resolved.operationName)) {
      evidence = 'mutating-pattern';
      operationType = OperationType.MUTATING;
      notes.push(`${subject} is not in the IAM data ${catalogInfo().version}; classified mutating by its name`);
    } else {
      evidence = 'none';
      operationType = OperationType.UNKNOWN;
      accessLevel = undefined;
    }

    let isValid = operationType === OperationType.READ_ONLY;
    let sensitive: SensitiveRead | undefined;
    if (operationType === OperationType.READ_ONLY) {
      for (const a of iamActions.length ? iamActions : [subject]) {
        sensitive = sensitiveRead(a, this.patterns.sensitive);
        if (sensitive) break;
      }
    }

    // Explicit lists win over the data: deny first, then allow.
    const candidates = iamActions.length ? iamActions : [subject];
    const denied = this.patterns.deny.find((m) => candidates.some((a) => m.test(a)));
    const allowed = this.patterns.allow.find((m) => m.test(subject));
    if (denied) {
      isValid = false;
      evidence = 'override';
      notes.push(`Blocked by deny rule ${JSON.stringify(denied.pattern)}`);
    } else if (!isValid && allowed) {
      isValid = true;
      evidence = 'override';
      notes.push(
        `Allowed by allow rule ${JSON.stringify(allowed.pattern)}${operationType === OperationType.MUTATING ? `: WARNING, this allows a ${accessLevel ?? 'mutating'} action` : operationType === OperationType.UNKNOWN ? ': WARNING, this allows an operation the IAM data does not know' : ''}`,
      );
    }
    if (isValid && sensitive && standard === ComplianceStandard.CUSTOM) {
      const allowSensitive = this.options.custom?.allowSensitiveReads ?? true;
      const ok =
        allowSensitive === true || (Array.isArray(allowSensitive) && allowSensitive.includes(sensitive.category));
      if (!ok && !allowed) {
        isValid = false;
        notes.push(`Blocked: CUSTOM rules do not allow ${sensitive.category} reads`);
      }
    }

    // Risk.
    let riskLevel: RiskLevel;
    if (operationType === OperationType.MUTATING)
      riskLevel = accessLevel === AccessLevel.PERMISSIONS_MANAGEMENT ? RiskLevel.CRITICAL : RiskLevel.HIGH;
    else if (operationType === OperationType.UNKNOWN) riskLevel = RiskLevel.MEDIUM;
    else if (sensitive) riskLevel = sensitive.category === 'data' ? RiskLevel.MEDIUM : RiskLevel.HIGH;
    else if (IDENTITY_SERVICES.has(prefix) || evidence === 'read-pattern') riskLevel = RiskLevel.MEDIUM;
    else riskLevel = RiskLevel.LOW;

    if (sensitive) {
      notes.push(`Sensitive read (${sensitive.category}): ${subject} ${sensitive.reason}`);
      topics.push(ControlTopic.SENSITIVE_ACCESS);
    } else if (operationType === OperationType.READ_ONLY && IDENTITY_SERVICES.has(prefix)) {
      notes.push(`Read of an identity service (${prefix}): reveals who can do what`);
    }
    topics.push(ControlTopic.READ_ONLY_ACCESS);
    if (!isValid && operationType !== OperationType.READ_ONLY) topics.push(ControlTopic.CHANGE_PREVENTED);

    let message: string;
    if (isValid) {
      message =
        operationType === OperationType.READ_ONLY
          ? `Operation approved: ${subject} is read-only`
          : `Operation approved by override: ${subject} is ${operationType === OperationType.MUTATING ? 'mutating' : 'not classified'}`;
    } else if (operationType === OperationType.READ_ONLY) {
      message = `Operation blocked by rule: ${subject} is read-only but not allowed`;
    } else if (operationType === OperationType.MUTATING) {
      message = `Operation blocked: ${subject} is mutating${accessLevel ? ` (IAM access level ${accessLevel})` : ''}; only read-only operations are allowed`;
    } else {
      message = `Operation blocked: ${subject} is unknown (not in the IAM data ${catalogInfo().version} and its name matches no read or write pattern); unknown operations are blocked`;
      notes.push('Unknown operation: blocked (fail closed)');
    }

    return this.build({
      service: svcText,
      operation: opText,
      operationType,
      isValid,
      riskLevel,
      evidence,
      iamActions: primary ? [primary.iamAction, ...iamActions.filter((a) => a !== primary.iamAction)] : [],
      accessLevel,
      sensitive,
      message,
      notes,
      topics,
    });
  }

  private build(v: {
    service: string;
    operation: string;
    operationType: OperationType;
    isValid: boolean;
    riskLevel: RiskLevel;
    evidence: VerdictEvidence;
    iamActions: readonly string[];
    accessLevel: AccessLevel | undefined;
    sensitive: SensitiveRead | undefined;
    message: string;
    notes: string[];
    topics: ControlTopic[];
  }): Verdict {
    const standard = this.options.standard;
    const controls = controlIdsFor(standard, v.topics, this.controlMappings);
    const notes = [...v.notes, ...standardNotes(standard, v.isValid, v.operationType, controls)];
    return Object.freeze({
      isValid: v.isValid,
      service: v.service,
      operation: v.operation,
      iamAction: v.iamActions[0],
      iamActions: Object.freeze([...v.iamActions]),
      accessLevel: v.accessLevel,
      operationType: v.operationType,
      riskLevel: v.riskLevel,
      validationMessage: v.message,
      complianceNotes: Object.freeze(notes),
      controls: Object.freeze(controls),
      evidence: v.evidence,
      sensitive: v.sensitive,
      standard,
    });
  }
}

function standardNotes(
  standard: ComplianceStandard,
  isValid: boolean,
  type: OperationType,
  controls: readonly string[],
): string[] {
  const ids = controls.length ? ` [${controls.join(', ')}]` : '';
  switch (standard) {
    case ComplianceStandard.SOC2:
      return [
        isValid
          ? `SOC2: read-only access to production is restricted and every attempt is logged${ids}`
          : `SOC2: unauthorised ${type === OperationType.UNKNOWN ? 'unclassified' : 'change'} prevented and the attempt logged as a security event${ids}`,
      ];
    case ComplianceStandard.ISO27001:
      return [
        isValid
          ? `ISO/IEC 27001:2022: access limited to reading; attempt logged${ids}`
          : `ISO/IEC 27001:2022: change prevented under access control and change management; attempt logged${ids}`,
      ];
    case ComplianceStandard.CUSTOM:
      return [isValid ? `CUSTOM rules: permitted${ids}` : `CUSTOM rules: blocked${ids}`];
    default:
      return [
        isValid
          ? 'General production safety: read-only operation permitted'
          : 'General production safety: only read-only operations may run against production',
      ];
  }
}
