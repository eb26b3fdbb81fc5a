import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import {
  HclSyntaxError,
  type AttributeNode,
  type BlockNode,
  type Body,
  type ConfigFile,
  type Expr,
  type Range,
  type TemplatePart,
} from './hcl/ast';
import { parseHcl } from './hcl/parser';
import { parseTemplateText } from './template-text';
import { LineTable } from './text-positions';

/**
 * Reads a `.tf.json` file (Terraform's JSON configuration syntax) into the same syntax tree as
 * `.tf` files, so one evaluator serves both. Strings become templates (`"${var.x}"`), except
 * where Terraform reads them literally (variable defaults, module sources). Nested blocks of
 * resources stay attribute values: without the provider schema, JSON can't tell a block from a
 * map, so a nested block written as one object reads as an object rather than a list.
 */
export function parseTerraformJson(text: string): ConfigFile {
  const lines = new LineTable(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  const first = errors[0];
  if (first) throw new HclSyntaxError(`invalid JSON: ${printParseErrorCode(first.error)}`, lines.position(first.offset));
  if (!root || root.type !== 'object') {
    throw new HclSyntaxError('a Terraform JSON file must hold an object', lines.position(root?.offset ?? 0));
  }
  const converter = new JsonConverter(lines);
  const blocks: BlockNode[] = [];
  for (const [key, value, prop] of properties(root)) {
    const labelCount = BLOCK_LABELS[key];
    if (labelCount === undefined) continue;
    if (key === 'locals') {
      for (const body of objectsOf(value)) {
        blocks.push({ type: key, typeRange: converter.range(prop), labels: [], labelRanges: [], body: converter.expressionBody(body), range: converter.range(prop) });
      }
      continue;
    }
    converter.collectBlocks(key, value, labelCount, [], [], blocks);
  }
  return { body: { attributes: [], blocks, range: converter.range(root) }, comments: [] };
}

/** Block types of a configuration file and how many labels each has. */
const BLOCK_LABELS: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, {
  resource: 2,
  data: 2,
  module: 1,
  variable: 1,
  output: 1,
  locals: 0,
});

/** Resource body keys that are blocks Terraform defines, not provider attributes. */
const META_BLOCKS = new Set(['lifecycle', 'provisioner', 'connection']);

class JsonConverter {
  constructor(private readonly lines: LineTable) {}

  range(node: Node): Range {
    return this.lines.range(node.offset, node.length);
  }

  collectBlocks(type: string, node: Node, remaining: number, labels: string[], labelRanges: Range[], out: BlockNode[], keyNode?: Node): void {
    if (node.type === 'array') {
      for (const item of node.children ?? []) this.collectBlocks(type, item, remaining, labels, labelRanges, out, keyNode);
      return;
    }
    if (node.type !== 'object') return;
    if (remaining > 0) {
      for (const [label, value, prop] of properties(node)) {
        this.collectBlocks(type, value, remaining - 1, [...labels, label], [...labelRanges, this.range(prop.children?.[0] ?? prop)], out, prop);
      }
      return;
    }
    const range = this.range(keyNode ?? node);
    out.push({ type, typeRange: range, labels, labelRanges, body: this.blockBody(type, node), range: { start: range.start, end: this.range(node).end } });
  }

  private blockBody(type: string, node: Node): Body {
    if (type === 'variable') return this.variableBody(node);
    if (type === 'module') return this.moduleBody(node);
    return this.resourceBody(node);
  }

  /** Every property an attribute holding an expression. */
  expressionBody(node: Node): Body {
    const attributes: AttributeNode[] = [];
    for (const [key, value, prop] of properties(node)) {
      if (key === '//') continue;
      attributes.push(this.attribute(key, this.expression(value), prop));
    }
    return { attributes, blocks: [], range: this.range(node) };
  }

  private variableBody(node: Node): Body {
    const attributes: AttributeNode[] = [];
    for (const [key, value, prop] of properties(node)) {
      if (key === '//' || key === 'validation') continue;
      let expr: Expr;
      if (key === 'type' && value.type === 'string') {
        expr = this.typeExpression(String(value.value), value);
      } else {
        expr = this.literal(value);
      }
      attributes.push(this.attribute(key, expr, prop));
    }
    return { attributes, blocks: [], range: this.range(node) };
  }

  private moduleBody(node: Node): Body {
    const attributes: AttributeNode[] = [];
    for (const [key, value, prop] of properties(node)) {
      if (key === '//') continue;
      const literal = key === 'source' || key === 'version';
      attributes.push(this.attribute(key, literal ? this.literal(value) : this.expression(value), prop));
    }
    return { attributes, blocks: [], range: this.range(node) };
  }

  private resourceBody(node: Node): Body {
    const attributes: AttributeNode[] = [];
    const blocks: BlockNode[] = [];
    for (const [key, value, prop] of properties(node)) {
      if (key === '//' || META_BLOCKS.has(key)) continue;
      if (key === 'dynamic') {
        this.dynamicBlocks(value, blocks);
        continue;
      }
      attributes.push(this.attribute(key, this.expression(value), prop));
    }
    return { attributes, blocks, range: this.range(node) };
  }

  // "dynamic": { "name": { "for_each": ..., "iterator": "it", "content": { ... } } }
  private dynamicBlocks(node: Node, out: BlockNode[]): void {
    for (const obj of objectsOf(node)) {
      for (const [label, spec, prop] of properties(obj)) {
        for (const specObj of objectsOf(spec)) {
          const attributes: AttributeNode[] = [];
          const blocks: BlockNode[] = [];
          for (const [key, value, p] of properties(specObj)) {
            if (key === 'content') {
              for (const content of objectsOf(value)) {
                const range = this.range(p);
                blocks.push({ type: 'content', typeRange: range, labels: [], labelRanges: [], body: this.resourceBody(content), range });
              }
            } else if (key === 'iterator' && value.type === 'string') {
              attributes.push(this.attribute(key, { kind: 'traversal', root: String(value.value), steps: [], range: this.range(value) }, p));
            } else if (key !== '//') {
              attributes.push(this.attribute(key, this.expression(value), p));
            }
          }
          const range = this.range(prop);
          out.push({
            type: 'dynamic',
            typeRange: range,
            labels: [label],
            labelRanges: [this.range(prop.children?.[0] ?? prop)],
            body: { attributes, blocks, range: this.range(specObj) },
            range,
          });
        }
      }
    }
  }

  private attribute(name: string, expr: Expr, prop: Node): AttributeNode {
    return { name, nameRange: this.range(prop.children?.[0] ?? prop), expr, range: this.range(prop) };
  }

  /** A JSON value as an expression: strings are templates. */
  expression(node: Node): Expr {
    const range = this.range(node);
    switch (node.type) {
      case 'string':
        return this.template(String(node.value), node);
      case 'number':
      case 'boolean':
      case 'null':
        return { kind: 'literal', value: node.type === 'null' ? null : (node.value as number | boolean), range };
      case 'array':
        return { kind: 'tuple', items: (node.children ?? []).map((c) => this.expression(c)), range };
      case 'object':
        return {
          kind: 'object',
          items: properties(node).map(([key, value, prop]) => ({
            key: this.template(key, prop.children?.[0] ?? prop),
            keyIsBareName: false,
            value: this.expression(value),
          })),
          range,
        };
      default:
        return { kind: 'literal', value: null, range };
    }
  }

  /** A JSON value taken as it is, strings included. */
  private literal(node: Node): Expr {
    const range = this.range(node);
    switch (node.type) {
      case 'string':
        return { kind: 'template', parts: [{ kind: 'text', value: String(node.value), range }], heredoc: false, range };
      case 'array':
        return { kind: 'tuple', items: (node.children ?? []).map((c) => this.literal(c)), range };
      case 'object':
        return {
          kind: 'object',
          items: properties(node).map(([key, value, prop]) => ({
            key: { kind: 'template', parts: [{ kind: 'text', value: key, range: this.range(prop) }], heredoc: false, range: this.range(prop) },
            keyIsBareName: false,
            value: this.literal(value),
          })),
          range,
        };
      default:
        return this.expression(node);
    }
  }

  private template(text: string, node: Node): Expr {
    const range = this.range(node);
    let parts: TemplatePart[];
    try {
      parts = parseTemplateText(text);
    } catch (e) {
      if (e instanceof HclSyntaxError) {
        throw new HclSyntaxError(e.message.replace(/ at line \d+, column \d+$/, ''), range.start);
      }
      throw e;
    }
    return { kind: 'template', parts: withRange(parts, range), heredoc: false, range };
  }

  /** `"list(string)"`, or the legacy `"${list(string)}"`. */
  private typeExpression(text: string, node: Node): Expr {
    const range = this.range(node);
    const source = text.replace(/^\$\{([\s\S]*)\}$/, '$1');
    try {
      const expr = parseHcl(`type = ${source}\n`).body.attributes[0]?.expr;
      if (expr) return withRange(expr, range);
    } catch {
      // An unreadable type is `any`, as for an unknown type name.
    }
    return { kind: 'traversal', root: 'any', steps: [], range };
  }
}

function properties(node: Node): [string, Node, Node][] {
  if (node.type !== 'object') return [];
  const out: [string, Node, Node][] = [];
  for (const prop of node.children ?? []) {
    const [key, value] = prop.children ?? [];
    if (key && value) out.push([String(key.value), value, prop]);
  }
  return out;
}

/** A value that may be one object or an array of objects (JSON syntax allows both). */
function objectsOf(node: Node): Node[] {
  if (node.type === 'object') return [node];
  if (node.type === 'array') return (node.children ?? []).flatMap(objectsOf);
  return [];
}

/**
 * Expressions parsed out of a JSON string point into that string; every position in them is
 * replaced by the string's own, so findings point at the JSON line.
 */
function withRange<T>(tree: T, range: Range): T {
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit);
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) {
      out[k] = k === 'range' || k.endsWith('Range') ? range : visit(child);
    }
    return out;
  };
  return visit(tree) as T;
}
