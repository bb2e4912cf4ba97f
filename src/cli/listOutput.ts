/**
 * `--output json|table|text` and `--query <JMESPath>` for commands that list things, as the aws CLI has them:
 * the query runs over the command's JSON output; json prints the result, text prints tab-separated values one
 * row per line, table aligns an array of objects under its keys.
 */
import type { Command } from 'commander';
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

/**
 * Adds `--output` and `--query` to a command. Before the action runs, the expression is compiled (a bad one exits 2
 * before any AWS call or long scan) and `--json` with `--output table|text` is refused (they would contradict).
 */
export function addListOutputFlags(cmd: Command): Command {
  return (
    cmd
      // createOption: commander's own Option class, without importing commander here (validate's start-up path).
      .addOption(
        cmd.createOption('--output <format>', 'json, table or text (of the JSON output)').choices(LIST_OUTPUTS),
      )
      .option('--query <jmespath>', 'a JMESPath expression over the JSON output (prints JSON unless --output says)')
      .hook('preAction', async (_command, action) => {
        const flags = action.opts<ListOutputFlags>();
        if (flags.json && flags.output !== undefined && flags.output !== 'json')
          throw new UsageError(
            `--json and --output ${flags.output} contradict each other: --json is --output json; give one of them`,
          );
        if (flags.query !== undefined) await compileQuery(flags.query);
      })
  );
}

async function compileQuery(query: string): Promise<ReturnType<typeof import('@jmespath-community/jmespath').compile>> {
  const { compile } = await import('@jmespath-community/jmespath');
  try {
    return compile(query);
  } catch (err) {
    throw new UsageError(
      `--query ${JSON.stringify(query)} is not a JMESPath expression: ${(err as Error).message} (expected e.g. "findings[].title"; see https://jmespath.org)`,
    );
  }
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
    // The scalars of a list on one line, then each nested list or object on lines of its own (as the aws CLI).
    const items = value as unknown[];
    const scalars = items.filter((v) => v === null || typeof v !== 'object');
    const nested = items.filter((v) => v !== null && typeof v === 'object');
    return [
      ...(scalars.length > 0 ? [scalars.map(scalar).join('\t')] : []),
      ...nested.flatMap((v) => (isRecord(v) ? [Object.values(v).map(scalar).join('\t')] : textOf(v))),
    ];
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

/**
 * Aligned columns: an array of objects under the union of their keys, an object as key/value rows, an array of
 * arrays (a multi-select list, `[].[a, b]`) as rows without a header.
 */
function tableOf(input: unknown): string[] {
  const value = rowsOf(input);
  if (Array.isArray(value) && value.length > 0 && value.every(Array.isArray)) {
    const cells = (value as unknown[][]).map((row) => row.map(scalar));
    return aligned(cells);
  }
  const rows: Record<string, unknown>[] = Array.isArray(value)
    ? (value as unknown[]).map((v) => (isRecord(v) ? v : { value: v }))
    : value !== null && typeof value === 'object'
      ? Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: v }))
      : [{ value }];
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (columns.length === 0) return [];
  const cells = rows.map((r) => columns.map((c) => (c in r ? scalar(r[c]) : '')));
  const widths = widthsOf([columns, ...cells]);
  return aligned([columns, widths.map((w) => '-'.repeat(w)), ...cells], widths);
}

function widthsOf(cells: string[][]): number[] {
  const count = Math.max(...cells.map((row) => row.length));
  return Array.from({ length: count }, (_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
}

function aligned(cells: string[][], widths = widthsOf(cells)): string[] {
  return cells.map((row) =>
    widths
      .map((w, i) => (row[i] ?? '').padEnd(w))
      .join('  ')
      .trimEnd(),
  );
}

/** Prints `value` (the command's JSON output) as the flags ask: the query first, then the format. */
export async function printListOutput(value: unknown, flags: ListOutputFlags): Promise<void> {
  let result = value;
  if (flags.query !== undefined) {
    const ast = await compileQuery(flags.query);
    const { TreeInterpreter } = await import('@jmespath-community/jmespath');
    try {
      // No match is null, printed as `null` (as the aws CLI does).
      result = TreeInterpreter.search(ast, JSON.parse(JSON.stringify(value)) as never) ?? null;
    } catch (err) {
      throw new UsageError(`--query ${JSON.stringify(flags.query)} failed on the output: ${(err as Error).message}`);
    }
  }
  const output = flags.output ?? 'json';
  if (output === 'json') printJson(result);
  else for (const l of output === 'text' ? textOf(result) : tableOf(result)) printLine(l);
}
