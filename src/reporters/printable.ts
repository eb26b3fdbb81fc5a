/**
 * Resource ids, messages and paths come from scanned files; control characters and bidi overrides
 * in them could rewrite the terminal or disguise a line, so they are shown escaped.
 */
export function printable(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
