/**
 * Resource ids, messages and paths come from scanned files; control characters, bidi marks and
 * overrides, line separators and invisible characters in them could rewrite the terminal,
 * disguise a line or make two names look the same, so they are shown escaped. The zero-width
 * joiner stays: emoji sequences are built with it.
 */
export function printable(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u180e\u200b\u200c\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufeff\uffa0\u{e0000}-\u{e007f}]/gu, (ch) => {
    const code = ch.codePointAt(0)!;
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
    return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * JSON whose text holds no character a terminal or an editor acts on: JSON.stringify escapes C0
 * controls only, so DEL, C1 controls (CSI and OSC introducers), line separators and bidi overrides
 * from scanned files are written as `\uXXXX` too. The value read back is the same.
 */
export function safeJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
