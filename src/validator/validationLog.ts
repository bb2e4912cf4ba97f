/**
 * The validator's in-memory audit entries: the newest `capacity` validations
 * in a ring of parallel arrays. A validation stores four references (its
 * verdict, its timestamp, its resource and its redacted parameters), never an
 * object of its own: a long-lived validator allocates nothing per call for its
 * log, and a full log costs what an empty one does. Entries are built when
 * they are read (reports, summaries), which is rare next to validations.
 */
import type { ComplianceStandard } from '../constants.js';
import type { Verdict } from '../contracts.js';
import type { ValidatorAuditEntry } from './ReadOnlyAccessValidator.js';

export class ValidationLog {
  private readonly verdicts: Verdict[] = [];
  private readonly timestamps: string[] = [];
  private readonly resources: (string | undefined)[] = [];
  private readonly parameters: unknown[] = [];
  /** Where the next validation goes once the ring is full (the oldest kept). */
  private next = 0;

  constructor(
    readonly capacity: number,
    private readonly standard: ComplianceStandard,
  ) {}

  push(verdict: Verdict, timestamp: string, resourceArn: string | undefined, requestParameters: unknown): void {
    if (this.verdicts.length < this.capacity) {
      this.verdicts.push(verdict);
      this.timestamps.push(timestamp);
      this.resources.push(resourceArn);
      this.parameters.push(requestParameters);
      return;
    }
    const i = this.next;
    this.verdicts[i] = verdict;
    this.timestamps[i] = timestamp;
    this.resources[i] = resourceArn;
    this.parameters[i] = requestParameters;
    this.next = i + 1 === this.capacity ? 0 : i + 1;
  }

  get size(): number {
    return this.verdicts.length;
  }

  /** The `index`-th entry, oldest first. */
  at(index: number): ValidatorAuditEntry | undefined {
    const n = this.verdicts.length;
    if (index < 0 || index >= n) return undefined;
    const i = n < this.capacity ? index : (this.next + index) % this.capacity;
    const verdict = this.verdicts[i] as Verdict;
    const entry: ValidatorAuditEntry = {
      timestamp: this.timestamps[i] as string,
      complianceStandard: this.standard,
      service: verdict.service,
      operation: verdict.operation,
      iamAction: verdict.iamAction,
      operationType: verdict.operationType,
      riskLevel: verdict.riskLevel,
      decision: verdict.isValid ? 'allowed' : 'blocked',
      validationMessage: verdict.validationMessage,
    };
    const resourceArn = this.resources[i];
    if (resourceArn) entry.resourceArn = resourceArn;
    const requestParameters = this.parameters[i];
    if (requestParameters !== undefined) entry.requestParameters = requestParameters;
    if (verdict.sensitive) entry.sensitive = verdict.sensitive.category;
    return entry;
  }

  /** The verdict of the `index`-th entry, oldest first, without building the entry. */
  verdictAt(index: number): Verdict | undefined {
    const n = this.verdicts.length;
    if (index < 0 || index >= n) return undefined;
    return this.verdicts[n < this.capacity ? index : (this.next + index) % this.capacity];
  }

  /** Every entry kept, oldest first (new objects: callers may change them). */
  all(): ValidatorAuditEntry[] {
    const out: ValidatorAuditEntry[] = [];
    for (let i = 0; i < this.verdicts.length; i++) out.push(this.at(i) as ValidatorAuditEntry);
    return out;
  }

  first(): ValidatorAuditEntry | undefined {
    return this.at(0);
  }

  last(): ValidatorAuditEntry | undefined {
    return this.at(this.verdicts.length - 1);
  }
}
