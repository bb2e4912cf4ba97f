/**
 * Finds where JSON text first goes wrong. `JSON.parse` on Node 20 often says
 * only "Unexpected token" with a snippet; a person fixing a policy file wants
 * a line and column. Called only after `JSON.parse` failed, so speed does not
 * matter and the grammar can be checked plainly.
 */
export interface JsonErrorLocation {
  /** 0-based offset into the text. */
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  /** What was expected there, e.g. `a value` or `"," or "}"`. */
  readonly expected: string;
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {
    super(expected);
  }
}

export function locateJsonError(text: string): JsonErrorLocation | undefined {
  let pos = 0;
  const ws = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos] as string)) pos++;
  };
  const fail = (expected: string): never => {
    throw new Stop(pos, expected);
  };
  const string = () => {
    if (text[pos] !== '"') fail('a string in double quotes');
    pos++;
    while (pos < text.length && text[pos] !== '"') {
      const ch = text.charCodeAt(pos);
      if (ch < 0x20) fail('a closing double quote (control characters must be escaped)');
      if (text[pos] === '\\') {
        pos++;
        if (text[pos] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 1, pos + 5))) fail('four hex digits after \\u');
          pos += 4;
        } else if (!'"\\/bfnrt'.includes(text[pos] ?? 'x'))
          fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      }
      pos++;
    }
    if (pos >= text.length) fail('a closing double quote');
    pos++;
  };
  // The members of an object or the elements of an array, up to the closing bracket.
  const sequence = (close: '}' | ']', item: () => void) => {
    pos++;
    ws();
    if (text[pos] === close) {
      pos++;
      return;
    }
    for (;;) {
      item();
      ws();
      if (text[pos] === close) {
        pos++;
        return;
      }
      if (text[pos] !== ',') fail(`"," or "${close}"`);
      pos++;
    }
  };
  const member = () => {
    ws();
    string();
    ws();
    if (text[pos] !== ':') fail('":"');
    pos++;
    value();
  };
  const value = (): void => {
    ws();
    const ch = text[pos];
    if (ch === '{') return sequence('}', member);
    if (ch === '[') return sequence(']', value);
    if (ch === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(pos, pos + 400));
    if (!literal) fail('a value (object, array, string, number, true, false or null)');
    pos += (literal as RegExpExecArray)[0].length;
  };
  try {
    value();
    ws();
    if (pos < text.length) fail('the end of the document');
    return undefined;
  } catch (stop) {
    if (!(stop instanceof Stop)) throw stop;
    const before = text.slice(0, stop.offset).split('\n');
    return {
      offset: stop.offset,
      line: before.length,
      column: (before.at(-1)?.length ?? 0) + 1,
      expected: stop.expected,
    };
  }
}
