// Escaping for the HTML report. Every value from a scanned file, a tag or an API goes through
// `html()` (text and attribute values) or `scriptJson()` (the data the page's script reads).
import { printable } from '../printable';

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or a quoted attribute value: `& < > " '` escaped. */
export function html(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/**
 * A value from a scanned file or an API as a person should see it: control characters (ANSI
 * escapes, newlines), bidi overrides and invisible characters written out (`\x1b`), so a name
 * can't disguise itself or another row; then HTML-escaped.
 */
export function shown(value: string): string {
  return html(printable(value));
}

/**
 * JSON to put inside `<script type="application/json">`: `<`, `>` and `&` as `\u003c`… so no
 * `</script>` or `<!--` in a value can end the element or change how it is parsed, U+2028/2029
 * written out (older JavaScript parsers took them for line ends), and safeJson's other invisible
 * characters too. JSON.parse gives back the same value.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
