/** Output helpers shared by the CLI commands: JSON for machines, colour only on a TTY. */
import { redactText } from '../audit/redact.js';

const useColour = (): boolean => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

const wrap =
  (code: string) =>
  (text: string): string =>
    useColour() ? `\u001b[${code}m${text}\u001b[0m` : text;

export const colour = {
  red: wrap('31'),
  green: wrap('32'),
  yellow: wrap('33'),
  bold: wrap('1'),
  dim: wrap('2'),
};

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** A message for the terminal (errors quote AWS and file contents): secret values are redacted first. */
export function printErr(text: string): void {
  process.stderr.write(`${redactText(text)}\n`);
}
