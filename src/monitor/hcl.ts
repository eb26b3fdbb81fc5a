// A small HCL writer for `monitor deploy --emit terraform`: blocks, attributes and values, every
// string through hclString (quotes, line breaks and `${`/`%{` escaped), so what an option holds
// is a literal in the configuration and never an expression.
import { hclString } from '../sources/terraform/hcl/write';

/** Code we write ourselves (a reference, a function call): never built from an option's text. */
export class Expr {
  constructor(readonly text: string) {}
}

export type HclValue = string | number | boolean | Expr | readonly HclValue[] | { readonly [key: string]: HclValue };

export interface Block {
  type: string;
  labels: string[];
  body: Item[];
}

export type Item = [string, HclValue] | Block | { comment: string };

export const expr = (text: string): Expr => new Expr(text);
export const block = (type: string, labels: string[], body: Item[]): Block => ({ type, labels, body });

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isScalar(v: HclValue): boolean {
  return typeof v !== 'object' || v instanceof Expr;
}

export function value(v: HclValue, indent: string): string {
  if (typeof v === 'string') return hclString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Expr) return v.text;
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    const items = v as readonly HclValue[];
    if (items.every(isScalar)) return `[${items.map((i) => value(i, inner)).join(', ')}]`;
    return `[\n${items.map((i) => `${inner}${value(i, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, HclValue>);
  if (entries.length === 0) return '{}';
  const keys = entries.map(([k]) => (IDENT.test(k) ? k : hclString(k)));
  const width = Math.max(...keys.map((k) => k.length));
  return `{\n${entries.map(([, val], i) => `${inner}${keys[i]!.padEnd(width)} = ${value(val, inner)}`).join('\n')}\n${indent}}`;
}

export function jsonencode(v: HclValue, indent = '  '): Expr {
  return expr(`jsonencode(${value(v, indent)})`);
}

function isBlock(item: Item): item is Block {
  return !Array.isArray(item) && 'type' in item;
}

export function render(blocks: Block[], header: string[] = []): string {
  const out: string[] = header.map((l) => `# ${l}`);
  for (const b of blocks) {
    if (out.length > 0) out.push('');
    out.push(...renderBlock(b, ''));
  }
  return `${out.join('\n')}\n`;
}

function renderBlock(b: Block, indent: string): string[] {
  const head = `${indent}${b.type}${b.labels.map((l) => ` ${hclString(l)}`).join('')} {`;
  if (b.body.length === 0) return [`${head}}`];
  const inner = `${indent}  `;
  const lines = [head];
  // `=` aligned within each run of attributes, as terraform fmt does.
  const widths = new Map<number, number>();
  let run: number[] = [];
  const close = () => {
    const width = Math.max(0, ...run.map((i) => (b.body[i] as [string, HclValue])[0].length));
    for (const i of run) widths.set(i, width);
    run = [];
  };
  b.body.forEach((item, i) => (Array.isArray(item) ? run.push(i) : close()));
  close();
  for (const [i, item] of b.body.entries()) {
    if (Array.isArray(item)) {
      const [k, v] = item as [string, HclValue];
      lines.push(`${inner}${k.padEnd(widths.get(i)!)} = ${value(v, inner)}`);
    } else if (isBlock(item)) {
      lines.push(...renderBlock(item, inner));
    } else {
      lines.push(`${inner}# ${(item as { comment: string }).comment}`);
    }
  }
  lines.push(`${indent}}`);
  return lines;
}
