/**
 * Role ARN patterns of `sessions.assumeRoles`: `arn:aws:iam::*:role/InventoryReadOnly`.
 * `*` matches any run of characters inside one ARN part (the account, or the
 * role path and name); nothing else is special. A pattern is parsed once, so
 * a malformed one is refused when the configuration is read, never at the
 * first AssumeRole.
 */

/** The accepted form, quoted in every refusal. */
export const ROLE_PATTERN_FORM = 'arn:<partition>:iam::<12-digit account or *>:role/<path/name, * allowed>';

const PATTERN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|\*):iam::(\d{12}|\*):role\/([\w+=,.@\-/*]+)$/;
const ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/([\w+=,.@\-/]+)$/;

/** One parsed pattern. */
export interface RolePattern {
  /** As written in the configuration. */
  readonly text: string;
  readonly partition: string;
  /** A 12-digit account or `*`. */
  readonly account: string;
  readonly matches: (roleArn: string) => boolean;
}

/** The parts of a role ARN, or undefined when the text is not one. */
export function parseRoleArn(arn: string): { partition: string; account: string; name: string } | undefined {
  const m = ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, account: m[2]!, name: m[3]! };
}

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/**
 * Parses a role ARN pattern; returns a sentence saying what is wrong when it is
 * not one (the caller names the field).
 *
 * @example
 * const p = parseRolePattern('arn:aws:iam::*:role/InventoryReadOnly');
 * if (typeof p !== 'string') p.matches('arn:aws:iam::111122223333:role/InventoryReadOnly'); // true
 */
export function parseRolePattern(text: string): RolePattern | string {
  if (typeof text !== 'string' || text.trim() === '') return `expected a role ARN pattern (${ROLE_PATTERN_FORM})`;
  const m = PATTERN.exec(text);
  if (!m) return `${JSON.stringify(text)} is not a role ARN pattern: expected ${ROLE_PATTERN_FORM}`;
  const [, partition, account, name] = m as unknown as [string, string, string, string];
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
    return `${JSON.stringify(text)}: the role path and name must not have empty parts`;
  if (/^\*+$/.test(name)) return `${JSON.stringify(text)}: a pattern for every role is not a sanctioned role; name it`;
  const nameRe = globToRegExp(name);
  return {
    text,
    partition,
    account,
    matches: (roleArn) => {
      const arn = parseRoleArn(roleArn);
      if (!arn) return false;
      return (
        (partition === '*' || partition === arn.partition) &&
        (account === '*' || account === arn.account) &&
        nameRe.test(arn.name)
      );
    },
  };
}
