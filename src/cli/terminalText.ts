/**
 * Text from evidence (trail-file fields, file names, principal ARNs) is
 * attacker-controlled. Before it reaches a terminal, every control character
 * (ESC sequences that recolour or move the cursor, OSC titles and hyperlinks,
 * a carriage return that overwrites a line, C1 controls) and every bidi
 * override is shown as a visible `\uXXXX` escape instead.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function terminalText(value: string): string {
  return value.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
