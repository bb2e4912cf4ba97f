/**
 * `f` of each distinct text computed once, for texts that repeat (the services, operations and actions of a
 * trail, the few outcome bodies of an audit trail): the first `limit` distinct texts are kept, any later one is
 * computed each time it is met. `f` must depend on the text alone, and what it returns is shared, so it must
 * not be changed by whoever gets it.
 */
export function memo<T>(f: (text: string) => T, limit: number): (text: string) => T {
  const seen = new Map<string, T>();
  return (text) => {
    let value = seen.get(text);
    if (value === undefined) {
      value = f(text);
      if (seen.size < limit) seen.set(text, value);
    }
    return value;
  };
}
