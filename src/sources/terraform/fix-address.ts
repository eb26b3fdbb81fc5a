/**
 * A resource address as the scan reports it (`module.ml["a"].aws_x.nb[0]`), split into the
 * module calls it goes through and the resource block it names. Instance keys are dropped: all
 * instances of a block share its configuration.
 */
export interface ResourceAddress {
  /** Names of the module calls, outermost first; empty in a root module. */
  modules: string[];
  mode: 'managed' | 'data';
  type: string;
  name: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*/;

export function parseResourceAddress(address: string): ResourceAddress | undefined {
  const names: string[] = [];
  let i = 0;
  while (i < address.length) {
    const match = NAME.exec(address.slice(i));
    if (!match) return undefined;
    names.push(match[0]);
    i += match[0].length;
    if (address[i] === '[') {
      const end = instanceKeyEnd(address, i);
      if (end < 0) return undefined;
      i = end;
    }
    if (i === address.length) break;
    if (address[i] !== '.') return undefined;
    i++;
  }
  const modules: string[] = [];
  let at = 0;
  while (names[at] === 'module' && names.length - at > 2) {
    modules.push(names[at + 1]!);
    at += 2;
  }
  const rest = names.slice(at);
  if (rest.length === 3 && rest[0] === 'data') return { modules, mode: 'data', type: rest[1]!, name: rest[2]! };
  if (rest.length !== 2) return undefined;
  return { modules, mode: 'managed', type: rest[0]!, name: rest[1]! };
}

/** Offset after `[0]` or `["key"]` (a quoted key may hold escapes and brackets). */
function instanceKeyEnd(text: string, open: number): number {
  let i = open + 1;
  if (text[i] === '"') {
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) return -1;
    i++;
  } else {
    while (i < text.length && /[0-9]/.test(text[i]!)) i++;
  }
  return text[i] === ']' ? i + 1 : -1;
}
