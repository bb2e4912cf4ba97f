import { parseRolePattern, type RolePattern } from './RolePattern.js';
import type { SanctionedRoleConfig } from './config.js';

/** A role ARN matched against `sessions.assumeRoles`: which entry, and what to send. */
export interface SanctionedMatch {
  /** Position in `sessions.assumeRoles`. */
  readonly index: number;
  readonly pattern: string;
  readonly externalId: string | undefined;
  readonly sessionName: string;
}

/** `RoleSessionName` when the entry names none: CloudTrail shows it in the assumed-role ARN. */
export const DEFAULT_SESSION_NAME = 'inventag';

/**
 * The roles InvenTag may assume (`sessions.assumeRoles`), parsed once. Every
 * question about a role (may we assume it? does a policy's `Resource` name
 * only such roles?) is answered here.
 *
 * @example
 * const roles = new SanctionedRoles([{ roleArn: 'arn:aws:iam::*:role/InventoryReadOnly' }]);
 * roles.match('arn:aws:iam::111122223333:role/InventoryReadOnly')?.sessionName; // 'inventag'
 * roles.match('arn:aws:iam::111122223333:role/Admin'); // undefined
 */
export class SanctionedRoles {
  readonly #entries: { pattern: RolePattern; config: SanctionedRoleConfig }[];

  /** Throws a TypeError naming the entry when a pattern is malformed (the configuration schema refuses it first). */
  constructor(entries: readonly SanctionedRoleConfig[] = []) {
    this.#entries = entries.map((config, i) => {
      const pattern = parseRolePattern(config.roleArn);
      if (typeof pattern === 'string') throw new TypeError(`sessions.assumeRoles[${i}].roleArn: ${pattern}`);
      return { pattern, config };
    });
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The patterns, as configured. */
  get patterns(): readonly string[] {
    return this.#entries.map((e) => e.pattern.text);
  }

  /** The first entry whose pattern matches the role ARN, or undefined: then the AssumeRole is not sanctioned. */
  match(roleArn: string): SanctionedMatch | undefined {
    const index = this.#entries.findIndex((e) => e.pattern.matches(roleArn));
    const entry = this.#entries[index];
    if (!entry) return undefined;
    return {
      index,
      pattern: entry.pattern.text,
      externalId: entry.config.externalId,
      sessionName: entry.config.sessionName ?? DEFAULT_SESSION_NAME,
    };
  }

  /** True when the role matches a pattern (CloudTrail analysis asks this of each AssumeRole event). */
  isSanctioned(roleArn: string): boolean {
    return this.match(roleArn) !== undefined;
  }

  /**
   * True when every role a policy `Resource` names is sanctioned: the resource
   * is one of the patterns as written, or a role ARN without wildcards that a
   * pattern matches. `*` and other wildcards are never covered (fail closed).
   */
  covers(resource: string): boolean {
    if (this.#entries.some((e) => e.pattern.text === resource)) return true;
    return !resource.includes('*') && !resource.includes('?') && this.match(resource) !== undefined;
  }
}
