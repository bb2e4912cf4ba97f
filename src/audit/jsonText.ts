/**
 * JSON text of a string, for code that writes JSON by hand (the store's row
 * body, the canonical redactor): the string in quotes when nothing in it needs
 * escaping, which is almost always, else exactly what `JSON.stringify` writes.
 */
export function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}
