/**
 * Writing JSON text by hand, byte for byte as JSON.stringify (and fast-json-stringify, which
 * escapes strings the same way) would write it — for hot list pages rendered without building
 * and re-walking an object tree.
 */

/** Characters JSON.stringify escapes: `"`, `\`, control characters, and (lone) surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string literal: `"…"`, escaped exactly as JSON.stringify escapes it. */
export function jsonString(s: string): string {
  // a test is cheaper than JSON.stringify's call, and almost no value needs escaping
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** A JSON string literal, or `null`. */
export function jsonStringOrNull(s: string | null): string {
  return s === null ? 'null' : jsonString(s);
}

/**
 * Text of a JSON value already in hand, marked so it is not escaped again: the items of a page
 * rendered by hand (see api-mappers' `transactionJson`).
 */
export type JsonText = string & { readonly __json: unique symbol };

/** Marks text as JSON; the caller vouches that it is one JSON value. */
export const asJsonText = (text: string): JsonText => text as JsonText;
