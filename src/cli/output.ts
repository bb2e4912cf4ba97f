/** Output helpers shared by the CLI commands: JSON for machines, colour where a person reads a terminal. */
import { redactText } from '../audit/redact.js';

let noColourFlag = false;

/** `--no-color` on the command line: no colour, whatever the environment says. */
export function disableColour(): void {
  noColourFlag = true;
}

/**
 * Whether text written to `stream` is coloured, first rule that applies: `--no-color` off; FORCE_COLOR set
 * (`0` or `false` off, anything else on, even when not a terminal, as Node itself reads it); NO_COLOR set and
 * not empty off; TERM=dumb off; else on only when the stream is a terminal.
 */
export function colourEnabled(stream: { isTTY?: boolean } = process.stdout): boolean {
  if (noColourFlag) return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  if (process.env.NO_COLOR) return false;
  if (process.env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

const wrap =
  (code: string) =>
  (text: string): string =>
    colourEnabled() ? `\u001b[${code}m${text}\u001b[0m` : text;

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
