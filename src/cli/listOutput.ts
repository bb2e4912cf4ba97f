/**
 * `--output json|table|text` and `--query <JMESPath>` for commands that list things, as the aws CLI has them:
 * the query runs over the command's JSON output; json prints the result, text prints tab-separated values one
 * row per line, table aligns an array of objects under its keys.
 */
import { Option, type Command } from 'commander';
import { UsageError } from './errors.js';
import { printJson, printLine } from './output.js';
import { terminalText } from './terminalText.js';

export const LIST_OUTPUTS = ['json', 'table', 'text'] as const;
export type ListOutput = (typeof LIST_OUTPUTS)[number];

export interface ListOutputFlags {
  output?: ListOutput;
  query?: string;
  json?: boolean;
}

export function addListOutputFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--output <format>', 'json, table or text (of the JSON output)').choices(LIST_OUTPUTS))
    .option('--query <jmespath>', 'a JMESPath expression over the JSON output (prints JSON unless --output says)');
}

/** True when the flags ask for one of these outputs instead of the command's own text. */
export function wantsListOutput(flags: ListOutputFlags): boolean {
  return Boolean(flags.json || flags.output || flags.query !== undefined);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'object') return JSON.stringify(value);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- primitives only here
  return terminalText(String(value));
}

/** aws-cli text: scalars one per line, an array of scalars on one line, an array of objects one row each. */
function textOf(input: unknown): string[] {
  const value = rowsOf(input);
  if (Array.isArray(value)) {
    const items = value as unknown[];
    if (items.every((v) => v === null || typeof v !== 'object')) return [items.map(scalar).join('\t')];
    return items.flatMap((v) => (isRecord(v) ? [Object.values(v).map(scalar).join('\t')] : textOf(v)));
  }
  if (value !== null && typeof value === 'object') return [Object.values(value).map(scalar).join('\t')];
  return [scalar(value)];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A map of objects (breakers by key) as rows with the key first; anything else as it is. */
function rowsOf(value: unknown): unknown {
  return isRecord(value) && Object.values(value).length > 0 && Object.values(value).every(isRecord)
    ? Object.entries(value).map(([key, v]) => ({ key, ...(v as Record<string, unknown>) }))
    : value;
}

function tableOf(input: unknown): string[] {
  const value = rowsOf(input);
  const rows: Record<string, unknown>[] = Array.isArray(value)
    ? (value as unknown[]).map((v) => (isRecord(v) ? v : { value: v }))
    : value !== null && typeof value === 'object'
      ? Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: v }))
      : [{ value }];
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => columns.map((c) => (c in r ? scalar(r[c]) : '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
}

/** Prints `value` (the command's JSON output) as the flags ask: the query first, then the format. */
export async function printListOutput(value: unknown, flags: ListOutputFlags): Promise<void> {
  let result = value;
  if (flags.query !== undefined) {
    const { compile, TreeInterpreter } = await import('@jmespath-community/jmespath');
    let ast;
    try {
      ast = compile(flags.query);
    } catch (err) {
      throw new UsageError(
        `--query ${JSON.stringify(flags.query)} is not a JMESPath expression: ${(err as Error).message}`,
      );
    }
    try {
      result = TreeInterpreter.search(ast, JSON.parse(JSON.stringify(value)) as never);
    } catch (err) {
      throw new UsageError(`--query ${JSON.stringify(flags.query)} failed on the output: ${(err as Error).message}`);
    }
  }
  const output = flags.output ?? 'json';
  if (output === 'json') printJson(result);
  else for (const l of output === 'text' ? textOf(result) : tableOf(result)) printLine(l);
}
