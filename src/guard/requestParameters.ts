/**
 * Turns a command's input into something an audit entry can hold: the SDK's
 * own sensitive-field filter first (it hides `SecretString`, passwords and
 * the like), then bodies, streams and deep or long values cut down, because
 * an audit row must stay small and must never carry object contents.
 */
const MAX_DEPTH = 5;
const MAX_STRING = 512;
const MAX_ITEMS = 50;

function isBinaryOrStream(value: object): boolean {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  const candidate = value as {
    pipe?: unknown;
    getReader?: unknown;
    arrayBuffer?: unknown;
    [Symbol.asyncIterator]?: unknown;
  };
  return (
    typeof candidate.pipe === 'function' ||
    typeof candidate.getReader === 'function' ||
    typeof candidate.arrayBuffer === 'function' ||
    typeof candidate[Symbol.asyncIterator] === 'function'
  );
}

function summarize(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'string')
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[${value.length} chars]` : value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (value instanceof Date) return value.toISOString();
  if (isBinaryOrStream(value)) return '[binary]';
  if (depth >= MAX_DEPTH) return '[nested]';
  if (value instanceof Set) return summarize([...value], depth);
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => summarize(item, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `…[${value.length - MAX_ITEMS} more]`] : items;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value).slice(0, MAX_ITEMS)) {
    const summarized = summarize(item, depth + 1);
    if (summarized !== undefined) out[key] = summarized;
  }
  return out;
}

/** The input as an audit entry stores it; `filter` is the SDK's `inputFilterSensitiveLog`. */
export function requestParametersOf(input: unknown, filter: ((input: unknown) => unknown) | undefined): unknown {
  let filtered: unknown;
  try {
    filtered = filter === undefined ? input : filter(input);
  } catch {
    // A filter that fails must not let unfiltered values through.
    return '[unavailable]';
  }
  return summarize(filtered, 0);
}
