/**
 * The one normaliser of API operation names. Users, boto3-style code and the
 * SDK spell one operation several ways (`describe_instances`,
 * `describe-instances`, `describeInstances`, `DescribeInstances`); the
 * catalog, the guard, the breakers and the monitor all reduce them with this
 * function, so every part of InvenTag names a call the same way.
 */

const SEPARATORS = /[_\-\s]+/;

/**
 * The PascalCase spelling of an operation name. A name with separators is
 * split on them and each part capitalised (`DESCRIBE_INSTANCES` ->
 * `DescribeInstances`); a name without them keeps its inner capitals and
 * only gets its first letter raised (`describeInstances` -> `DescribeInstances`).
 */
export function canonicalOperationName(operation: string): string {
  const trimmed = operation.trim();
  const pascal = SEPARATORS.test(trimmed)
    ? trimmed
        .split(SEPARATORS)
        .filter(Boolean)
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
        .join('')
    : trimmed;
  return pascal.charAt(0).toUpperCase() + pascal.slice(1);
}
