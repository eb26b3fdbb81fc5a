// Reading back what `monitor deploy` writes, for the tests: the CloudFormation YAML (as YAML 1.1
// and 1.2 readers load it) and the Terraform HCL (through our own parser), with references
// spelled alike (`<Logical.Attr>` / `<address.attr>`) so values can be compared.
import { parse as parseYaml } from 'yaml';
import { parseHcl } from '../../src/sources/terraform/hcl/parser';
import type { BlockNode, Expr, TemplatePart } from '../../src/sources/terraform/hcl/ast';

export function loadCfn(text: string): any {
  const v11 = parseYaml(text, { version: '1.1', uniqueKeys: true });
  const v12 = parseYaml(text, { version: '1.2', uniqueKeys: true });
  if (JSON.stringify(v11) !== JSON.stringify(v12)) throw new Error('YAML 1.1 and 1.2 readers load different values');
  return v11;
}

/** Intrinsics to plain strings: Ref X -> <X>, GetAtt X.A -> <X.A>, Join '' -> the concatenation. */
export function cfnValue(v: any): any {
  if (Array.isArray(v)) return v.map(cfnValue);
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'Ref') return `<${v.Ref}>`;
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') return `<${v['Fn::GetAtt'].join('.')}>`;
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [sep, parts] = v['Fn::Join'];
      return parts.map(cfnValue).join(sep);
    }
    return Object.fromEntries(keys.map((k) => [k, cfnValue(v[k])]));
  }
  return v;
}

export interface TfBlock {
  type: string;
  labels: string[];
  attrs: Record<string, any>;
  blocks: TfBlock[];
  /** Every `${…}` in a quoted string, as written. */
  interpolations: string[];
}

function traversalText(e: Expr): string {
  if (e.kind === 'traversal') return [e.root, ...e.steps.map((s) => (s.kind === 'attr' ? s.name : `[${JSON.stringify(tfValue(s.key, []))}]`))].join('.');
  if (e.kind === 'index') return `${traversalText(e.collection)}[${JSON.stringify(tfValue(e.key, []))}]`;
  throw new Error(`not a reference: ${e.kind}`);
}

/** A static reading: literals, tuples, objects, jsonencode(x) -> x, join("", [...]), references -> <a.b.c>. */
export function tfValue(e: Expr, interpolations: string[]): any {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'template':
      return e.parts.map((p: TemplatePart) => {
        if (p.kind === 'text') return p.value;
        if (p.kind === 'interpolation') {
          const t = traversalText(p.expr);
          interpolations.push(t);
          return `<${t}>`;
        }
        throw new Error(`template directive ${p.kind}`);
      }).join('');
    case 'tuple':
      return e.items.map((i) => tfValue(i, interpolations));
    case 'object':
      return Object.fromEntries(
        e.items.map((i) => [i.keyIsBareName && i.key.kind === 'traversal' ? i.key.root : tfValue(i.key, interpolations), tfValue(i.value, interpolations)]),
      );
    case 'call':
      if (e.name === 'jsonencode') return tfValue(e.args[0]!, interpolations);
      if (e.name === 'join') return (tfValue(e.args[1]!, interpolations) as string[]).join(tfValue(e.args[0]!, interpolations));
      return `<${e.name}()>`;
    case 'traversal':
    case 'index':
      return `<${traversalText(e)}>`;
    case 'conditional':
      return `<conditional>`;
    default:
      throw new Error(`unexpected ${e.kind}`);
  }
}

function toBlock(b: BlockNode): TfBlock {
  const interpolations: string[] = [];
  const attrs = Object.fromEntries(b.body.attributes.map((a) => [a.name, tfValue(a.expr, interpolations)]));
  const blocks = b.body.blocks.map(toBlock);
  return { type: b.type, labels: b.labels, attrs, blocks, interpolations: [...interpolations, ...blocks.flatMap((x) => x.interpolations)] };
}

export function loadTf(text: string): TfBlock[] {
  return parseHcl(text).body.blocks.map(toBlock);
}

export function tfResource(blocks: TfBlock[], type: string, name: string): TfBlock {
  const b = blocks.find((x) => x.type === 'resource' && x.labels[0] === type && x.labels[1] === name);
  if (!b) throw new Error(`no resource ${type}.${name}`);
  return b;
}
