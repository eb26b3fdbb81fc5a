import type { RawAttribute } from '../../model/attribute';
import type { SourceLocation } from '../../model/location';
import type { InlineSuppression, SourceResource } from '../../model/resource';
import { terraformAttributeName, type ResourceTypeInfo } from '../../model/resource-types';
import { cloudFormationShape } from './cfn-shape';
import type { AttributeNode, BlockNode, Body, Expr } from './hcl/ast';
import { evaluateSafely, iterate, withBindings, type EvalBudget, type EvalContext, type Scope } from './evaluator';
import type { LoadedFile } from './module-loader';
import { renderExpr } from './render';
import { UnknownValue, isObjectValue, newObject, setKey, unknownFrom, findNotKnown, type Value } from './values';

/** Where a resource instance's configuration is and what it can refer to. */
export interface ResourceInstanceSource {
  block: BlockNode;
  file: LoadedFile;
  /** The file a node was written in: differs from `file` for parts merged from override files. */
  fileOf(node: object): LoadedFile;
  scope: Scope;
  /** `count.index` / `each.key` / `each.value` of this instance. */
  bindings: ReadonlyMap<string, Value>;
  /** The scan unit's budget: every instance's reads draw on it (an expression times `count`). */
  budget: EvalBudget;
}

/**
 * One instance of a Terraform resource. Properties are evaluated when a rule reads them, from
 * the scan unit's budget: once it is spent, every read is unknown (never a pass).
 */
export class TerraformResource implements SourceResource {
  readonly source = 'terraform' as const;
  readonly location: SourceLocation;

  constructor(
    readonly type: string,
    readonly id: string,
    private readonly info: ResourceTypeInfo,
    private readonly instance: ResourceInstanceSource,
    readonly suppressions: InlineSuppression[] | undefined,
    readonly existenceUnknown: string | undefined,
  ) {
    this.location = { file: instance.file.path, line: instance.block.range.start.line };
  }

  readProperty(name: string): RawAttribute {
    const budget = this.instance.budget;
    if (budget.exceeded) return { state: 'unknown', reason: `not evaluated: ${budget.exceeded.message}`, location: this.location };
    const ctx: EvalContext = { scope: this.instance.scope, bindings: this.instance.bindings, budget };
    try {
      return budget.at(this.location, () => readTopLevel({ body: this.instance.block.body, ctx }, this.info, name, this.instance));
    } catch (e) {
      // The evaluator reports errors as unknown values; this guards against anything else.
      return { state: 'unknown', reason: `could not evaluate: ${e instanceof Error ? e.message : String(e)}`, location: this.location };
    }
  }

  /** The nested block, attribute or object key written deepest along `path` (CloudFormation names); no evaluation. */
  locate(path: readonly string[]): SourceLocation | undefined {
    if (path.length === 0) return undefined;
    const names = terraformAttributeName(this.info, path.join('.')).split('.');
    // Override files register their top-level nodes only: what is nested is in its top-level node's file.
    let file: string | undefined;
    const at = (node: { range: { start: { line: number } } }): SourceLocation => {
      file ??= this.instance.fileOf(node).path;
      return { file, line: node.range.start.line };
    };
    let body: Body | undefined = this.instance.block.body;
    let expr: Expr | undefined;
    let found: SourceLocation | undefined;
    for (const name of names) {
      if (body) {
        const attr: AttributeNode | undefined = body.attributes.find((a) => a.name === name);
        const block: BlockNode | undefined = body.blocks.find((b) => b.type === name || (b.type === 'dynamic' && b.labels[0] === name));
        if (attr) {
          found = at(attr);
          [body, expr] = [undefined, attr.expr];
        } else if (block) {
          found = at(block);
          // What a dynamic block generates is known only by evaluating it: it stands for all of it.
          if (block.type === 'dynamic') break;
          body = block.body;
        } else break;
      } else {
        // Inside an attribute's value: an object's key, through a list of one (Terraform JSON's blocks).
        while (expr?.kind === 'tuple' || expr?.kind === 'parens') expr = expr.kind === 'tuple' ? expr.items[0] : expr.expr;
        const item = expr?.kind === 'object' ? expr.items.find((i) => literalKey(i.key) === name) : undefined;
        if (!item) break;
        found = at(item.key);
        expr = item.value;
      }
    }
    return found;
  }
}

/** An object key written as a name or a plain string. */
function literalKey(key: Expr): string | undefined {
  if (key.kind === 'traversal' && key.steps.length === 0) return key.root;
  if (key.kind === 'template' && key.parts.length === 1 && key.parts[0]?.kind === 'text') return key.parts[0].value;
  return undefined;
}

interface BodyInContext {
  body: Body;
  ctx: EvalContext;
}

type ExpandedBlocks = { kind: 'blocks'; items: BodyInContext[]; first: BlockNode } | { kind: 'unknown'; reason: string; block: BlockNode };

/** A top-level property: its attribute, or its blocks, in CloudFormation's shape. */
function readTopLevel(scope: BodyInContext, info: ResourceTypeInfo, property: string, source: ResourceInstanceSource): RawAttribute {
  const name = terraformAttributeName(info, property);
  const location = (node: { range: { start: { line: number } } }): SourceLocation => ({
    file: source.fileOf(node).path,
    line: node.range.start.line,
  });
  const attr = scope.body.attributes.find((a) => a.name === name);
  if (attr) return classify(cloudFormationShape(info, property, name, evaluateSafely(attr.expr, scope.ctx)), location(attr));
  const blocks = expandBlocks(scope, name);
  if (!blocks) return { state: 'absent' };
  if (blocks.kind === 'unknown') return { state: 'unknown', reason: blocks.reason, location: location(blocks.block) };
  return classify(cloudFormationShape(info, property, name, blocks.items.map(blockValue)), location(blocks.first));
}

function classify(value: Value | undefined, location: SourceLocation): RawAttribute {
  if (value === null || value === undefined) return { state: 'absent' };
  if (value instanceof UnknownValue) return { state: 'unknown', reason: value.reason, location };
  return { state: 'set', value, location };
}

/**
 * The nested blocks of one type, static and generated by `dynamic` blocks, in written order.
 * Undefined when there are none.
 */
function expandBlocks(scope: BodyInContext, type: string): ExpandedBlocks | undefined {
  const items: BodyInContext[] = [];
  let first: BlockNode | undefined;
  for (const block of scope.body.blocks) {
    if (block.type === type) {
      items.push({ body: block.body, ctx: scope.ctx });
      first ??= block;
    } else if (block.type === 'dynamic' && block.labels[0] === type) {
      const generated = expandDynamic(block, type, scope.ctx);
      if (generated instanceof UnknownValue) return { kind: 'unknown', reason: generated.reason, block };
      items.push(...generated);
      first ??= block;
    }
  }
  return first ? { kind: 'blocks', items, first } : undefined;
}

// dynamic "type" { for_each = ...; iterator = it; content { ... } }
function expandDynamic(block: BlockNode, type: string, ctx: EvalContext): BodyInContext[] | UnknownValue {
  const forEach = block.body.attributes.find((a) => a.name === 'for_each');
  const content = block.body.blocks.find((b) => b.type === 'content');
  if (!forEach || !content) return [];
  const iteratorExpr = block.body.attributes.find((a) => a.name === 'iterator')?.expr;
  const iterator = iteratorExpr?.kind === 'traversal' && iteratorExpr.steps.length === 0 ? iteratorExpr.root : type;
  const collection = evaluateSafely(forEach.expr, ctx);
  if (collection instanceof UnknownValue) return collection;
  if (!Array.isArray(collection) && !isObjectValue(collection)) {
    const notKnown = findNotKnown(collection);
    if (notKnown) return unknownFrom(notKnown, `dynamic "${type}" for_each`);
    if (collection === null) return [];
    return new UnknownValue(`dynamic "${type}" for_each = ${renderExpr(forEach.expr)} is not a collection`);
  }
  const pairs = iterate(collection);
  // Charged per block generated: a content block may evaluate nothing.
  ctx.budget.work(pairs.length);
  return pairs.map(([key, value]) => ({
    body: content.body,
    ctx: withBindings(ctx, [[iterator, newObject([['key', key], ['value', value]])]]),
  }));
}

/** A nested block as rules see it: an object of its attributes and (lists of) nested blocks. */
function blockValue(scope: BodyInContext): Value {
  const obj = newObject();
  for (const attr of scope.body.attributes) setKey(obj, attr.name, evaluateSafely(attr.expr, scope.ctx));
  const types = new Set<string>();
  for (const block of scope.body.blocks) {
    if (block.type === 'dynamic') {
      if (block.labels[0] !== undefined) types.add(block.labels[0]);
    } else {
      types.add(block.type);
    }
  }
  for (const type of types) {
    const blocks = expandBlocks(scope, type);
    if (!blocks) continue;
    setKey(obj, type, blocks.kind === 'unknown' ? new UnknownValue(blocks.reason) : blocks.items.map(blockValue));
  }
  return obj;
}
