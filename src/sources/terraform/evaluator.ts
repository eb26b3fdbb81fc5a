import type { BinaryExpr, ConditionalExpr, Expr, ForExpr, FunctionCallExpr, TemplatePart, Traverser } from './hcl/ast';
import { callFunction, type FunctionHost } from './functions';
import { renderExpr, renderSteps } from './render';
import { asBool, asNumber, templateString } from './convert';
import { EvalError } from './eval-error';
import { EvalBudget } from './budget';
import {
  ReferenceValue,
  UnknownValue,
  findNotKnown,
  findUnknownFirst,
  getKey,
  isObjectValue,
  newObject,
  numberToString,
  setKey,
  sortedKeys,
  unknownFrom,
  valuesEqual,
  deepSize,
  type ObjectValue,
  type Value,
} from './values';

export { EvalError, EvalBudget };

/** Names an expression can refer to: `var`, `local`, `module`, resources... (one module instance). */
export interface Scope {
  /**
   * Resolves the root name of a traversal; may use some of the steps (`var.x` uses one) and
   * returns how many, the evaluator applies the rest.
   */
  resolve(root: string, steps: readonly Traverser[], ctx: EvalContext): { value: Value; consumed: number };
  readonly functions: FunctionHost;
}

export interface EvalContext {
  scope: Scope;
  /** Names bound by the surrounding construct: `count`, `each`, `for` variables, dynamic iterators. */
  bindings: ReadonlyMap<string, Value>;
  /** The scan unit's budget (see budget.ts), shared by every evaluation of the unit. */
  budget: EvalBudget;
}

/** A budget of its own, for evaluations outside a scan unit (tests, tfvars files). */
export function newBudget(): EvalBudget {
  return new EvalBudget();
}

export function withBindings(ctx: EvalContext, extra: Iterable<readonly [string, Value]>): EvalContext {
  const bindings = new Map(ctx.bindings);
  for (const [k, v] of extra) bindings.set(k, v);
  return { scope: ctx.scope, bindings, budget: ctx.budget };
}

/**
 * Evaluates an expression as Terraform would at plan time, offline. Values that can't be known
 * come back as `UnknownValue` (or `ReferenceValue`); what Terraform would reject throws `EvalError`.
 */
export function evaluate(expr: Expr, ctx: EvalContext): Value {
  if (--ctx.budget.remaining < 0) ctx.budget.stepsExhausted();
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'template':
      return evaluateTemplate(expr.parts, ctx, !expr.heredoc);
    case 'parens':
      return evaluate(expr.expr, ctx);
    case 'traversal':
      return evaluateTraversal(expr.root, expr.steps, ctx);
    case 'relative-traversal':
      return applySteps(evaluate(expr.source, ctx), expr.steps, ctx);
    case 'index': {
      const collection = evaluate(expr.collection, ctx);
      return indexValue(collection, evaluate(expr.key, ctx));
    }
    case 'splat':
      return evaluateSplat(evaluate(expr.source, ctx), expr.steps, expr.full, ctx);
    case 'tuple':
      return expr.items.map((item) => evaluate(item, ctx));
    case 'object':
      return evaluateObject(expr.items, ctx);
    case 'conditional':
      return evaluateConditional(expr, ctx);
    case 'binary':
      return evaluateBinary(expr, ctx);
    case 'unary': {
      const operand = evaluate(expr.operand, ctx);
      const notKnown = findNotKnown(operand);
      if (notKnown) return expr.op === '!' ? unknownFrom(notKnown) : referenceOrUnknown(notKnown, expr);
      return expr.op === '!' ? !asBool(operand) : -asNumber(operand);
    }
    case 'for':
      return evaluateFor(expr, ctx);
    case 'call':
      return evaluateCall(expr, ctx);
  }
}

/**
 * Evaluates for an attribute's value: errors Terraform would report become an unknown value with
 * the reason, never an exception.
 */
export function evaluateSafely(expr: Expr, ctx: EvalContext): Value {
  try {
    return evaluate(expr, ctx);
  } catch (e) {
    return new UnknownValue(`could not evaluate ${abbreviate(renderExpr(expr))}: ${errorMessage(e)}`);
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof RangeError) return 'expression nested too deeply';
  return e instanceof Error ? e.message : String(e);
}

function abbreviate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// A template that is only `${expr}` yields expr's value unconverted, as in Terraform.
function evaluateTemplate(parts: readonly TemplatePart[], ctx: EvalContext, unwrapSingle: boolean): Value {
  const only = parts[0];
  if (unwrapSingle && parts.length === 1 && only && only.kind === 'interpolation') return evaluate(only.expr, ctx);
  const state: TemplateState = { text: '', unknown: undefined, references: false };
  renderTemplateParts(parts, ctx, state);
  ctx.budget.string(state.text.length);
  if (state.unknown) return state.unknown;
  if (state.references) return new ReferenceValue(state.text);
  return state.text;
}

interface TemplateState {
  text: string;
  unknown: UnknownValue | undefined;
  /** The text then shows references as `${...}`: the result is a ReferenceValue. */
  references: boolean;
}

function renderTemplateParts(parts: readonly TemplatePart[], ctx: EvalContext, state: TemplateState): void {
  for (const part of parts) {
    if (state.unknown) return;
    switch (part.kind) {
      case 'text':
        state.text += part.value;
        break;
      case 'interpolation': {
        const v = evaluate(part.expr, ctx);
        const notKnown = findUnknownFirst([v]);
        if (notKnown instanceof UnknownValue) {
          state.unknown = notKnown;
        } else if (notKnown) {
          state.references = true;
          state.text += v instanceof ReferenceValue ? `\${${v.reference}}` : `\${${renderExpr(part.expr)}}`;
        } else {
          state.text += templateString(v);
        }
        break;
      }
      case 'if': {
        const cond = evaluate(part.condition, ctx);
        const notKnown = findNotKnown(cond);
        if (notKnown) {
          state.unknown = unknownFrom(notKnown, 'template condition');
          return;
        }
        renderTemplateParts(asBool(cond) ? part.then : part.else, ctx, state);
        break;
      }
      case 'for': {
        const collection = evaluate(part.collection, ctx);
        const notKnown = findNotKnown(collection);
        if (notKnown && !Array.isArray(collection) && !isObjectValue(collection)) {
          state.unknown = unknownFrom(notKnown, 'template for');
          return;
        }
        const pairs = iterate(collection);
        // An iteration may evaluate nothing (`%{ for x in list }text%{ endfor }`): charged anyway.
        ctx.budget.work(pairs.length);
        for (const [k, v] of pairs) {
          const inner = withBindings(ctx, part.keyVar ? [[part.keyVar, k], [part.valueVar, v]] : [[part.valueVar, v]]);
          renderTemplateParts(part.body, inner, state);
        }
        break;
      }
    }
    if (state.text.length > ctx.budget.limits.stringLength) ctx.budget.string(state.text.length);
  }
}

function evaluateTraversal(root: string, steps: readonly Traverser[], ctx: EvalContext): Value {
  if (ctx.bindings.has(root)) return applySteps(ctx.bindings.get(root) as Value, steps, ctx);
  const { value, consumed } = ctx.scope.resolve(root, steps, ctx);
  return applySteps(value, steps.slice(consumed), ctx);
}

function applySteps(value: Value, steps: readonly Traverser[], ctx: EvalContext): Value {
  let current = value;
  for (const step of steps) {
    if (current instanceof UnknownValue) return current;
    if (step.kind === 'attr') {
      current = attributeOf(current, step.name);
    } else {
      current = indexValue(current, evaluate(step.key, ctx));
    }
  }
  return current;
}

function attributeOf(value: Value, name: string): Value {
  if (value instanceof UnknownValue) return value;
  if (value instanceof ReferenceValue) return new ReferenceValue(`${value.reference}.${name}`);
  if (isObjectValue(value)) {
    const v = getKey(value, name);
    if (v === undefined) throw new EvalError(`object has no attribute "${name}"`);
    return v;
  }
  // Legacy `list.0` index syntax.
  if (Array.isArray(value) && /^\d+$/.test(name)) return indexValue(value, Number(name));
  if (value === null) throw new EvalError(`attempt to get attribute "${name}" from a null value`);
  throw new EvalError(`can't access attribute "${name}" on a ${Array.isArray(value) ? 'list' : typeof value} value`);
}

function indexValue(value: Value, key: Value): Value {
  if (value instanceof UnknownValue) return value;
  if (key instanceof UnknownValue) return key;
  if (value instanceof ReferenceValue) {
    if (key instanceof ReferenceValue) return new ReferenceValue(`${value.reference}[${key.reference}]`);
    return new ReferenceValue(`${value.reference}[${typeof key === 'string' ? JSON.stringify(key) : String(key)}]`);
  }
  if (key instanceof ReferenceValue) return unknownFrom(key, 'index');
  if (Array.isArray(value)) {
    const n = typeof key === 'number' ? key : typeof key === 'string' && /^-?\d+$/.test(key) ? Number(key) : NaN;
    if (!Number.isInteger(n)) throw new EvalError(`a list index must be a whole number, not ${JSON.stringify(key)}`);
    if (n < 0 || n >= value.length) throw new EvalError(`index ${n} is out of range for a list of ${value.length}`);
    return value[n] as Value;
  }
  if (isObjectValue(value)) {
    const k = typeof key === 'string' ? key : typeof key === 'number' ? numberToString(key) : typeof key === 'boolean' ? String(key) : null;
    if (k === null) throw new EvalError('a map key must be a string');
    const v = getKey(value, k);
    if (v === undefined) throw new EvalError(`the map has no element "${k}"`);
    return v;
  }
  if (value === null) throw new EvalError('attempt to index a null value');
  throw new EvalError(`can't index a ${typeof value} value`);
}

function evaluateSplat(source: Value, steps: readonly Traverser[], full: boolean, ctx: EvalContext): Value {
  if (source instanceof UnknownValue) return source;
  if (source instanceof ReferenceValue) {
    return new ReferenceValue(`${source.reference}${full ? '[*]' : '.*'}${renderSteps(steps)}`);
  }
  if (source === null) return [];
  const items = Array.isArray(source) ? source : [source];
  ctx.budget.work(items.length);
  ctx.budget.collection(items.length);
  return items.map((item) => applySteps(item, steps, ctx));
}

function evaluateObject(items: readonly { key: Expr; keyIsBareName: boolean; value: Expr }[], ctx: EvalContext): Value {
  const obj = newObject();
  for (const item of items) {
    let key: string;
    if (item.keyIsBareName && item.key.kind === 'traversal' && item.key.steps.length === 0) {
      key = item.key.root;
    } else {
      const k = evaluate(item.key, ctx);
      const notKnown = findNotKnown(k);
      if (notKnown) return unknownFrom(notKnown, 'object key');
      if (k === null) throw new EvalError('an object key must not be null');
      key = templateString(k);
    }
    setKey(obj, key, evaluate(item.value, ctx));
  }
  return obj;
}

function evaluateConditional(expr: ConditionalExpr, ctx: EvalContext): Value {
  const cond = evaluate(expr.condition, ctx);
  const notKnown = findNotKnown(cond);
  if (!notKnown) return asBool(cond) ? evaluate(expr.then, ctx) : evaluate(expr.else, ctx);
  // Unknown condition: still known if both results are the same.
  const a = evaluateSafely(expr.then, ctx);
  const b = evaluateSafely(expr.else, ctx);
  ctx.budget.work(Math.min(deepSize(a), deepSize(b)));
  if (!findNotKnown(a) && valuesEqual(a, b)) return a;
  return unknownFrom(notKnown, `condition ${abbreviate(renderExpr(expr.condition))}`);
}

function evaluateBinary(expr: BinaryExpr, ctx: EvalContext): Value {
  const left = evaluate(expr.left, ctx);
  if (expr.op === '&&' || expr.op === '||') {
    const leftNotKnown = findNotKnown(left);
    // A known left side that decides the result makes the right side irrelevant.
    if (!leftNotKnown) {
      const l = asBool(left);
      if (expr.op === '&&' && !l) return false;
      if (expr.op === '||' && l) return true;
    }
    const right = evaluate(expr.right, ctx);
    const rightNotKnown = findNotKnown(right);
    if (!rightNotKnown && !leftNotKnown) return asBool(right);
    if (!rightNotKnown && leftNotKnown) {
      const r = asBool(right);
      if (expr.op === '&&' && !r) return false;
      if (expr.op === '||' && r) return true;
    }
    return unknownFrom((leftNotKnown ?? rightNotKnown) as UnknownValue | ReferenceValue);
  }
  const right = evaluate(expr.right, ctx);
  const notKnown = findUnknownFirst([left, right]);
  if (notKnown) {
    const arithmetic = expr.op === '+' || expr.op === '-' || expr.op === '*' || expr.op === '/' || expr.op === '%';
    return arithmetic ? referenceOrUnknown(notKnown, expr) : unknownFrom(notKnown);
  }
  // Comparing walks both values: charged by the smaller one's size.
  if (expr.op === '==' || expr.op === '!=') ctx.budget.work(Math.min(deepSize(left), deepSize(right)));
  switch (expr.op) {
    case '==':
      return valuesEqual(left, right);
    case '!=':
      return !valuesEqual(left, right);
  }
  const a = asNumber(left);
  const b = asNumber(right);
  switch (expr.op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (b === 0) throw new EvalError('division by zero');
      return a / b;
    case '%':
      if (b === 0) throw new EvalError('division by zero');
      return a % b;
  }
}

/** A computation on a reference is still a value that will exist: described by the expression. */
function referenceOrUnknown(notKnown: UnknownValue | ReferenceValue, expr: Expr): Value {
  return notKnown instanceof UnknownValue ? notKnown : new ReferenceValue(renderExpr(expr));
}

function evaluateFor(expr: ForExpr, ctx: EvalContext): Value {
  const collection = evaluate(expr.collection, ctx);
  if (collection instanceof UnknownValue) return collection;
  if (collection instanceof ReferenceValue) return new ReferenceValue(renderExpr(expr));
  if (collection === null) throw new EvalError('a for expression can\'t iterate over null');
  if (!Array.isArray(collection) && !isObjectValue(collection)) {
    throw new EvalError(`a for expression can't iterate over a ${typeof collection}`);
  }
  const list: Value[] = [];
  const obj = newObject();
  const groups = new Map<string, Value[]>();
  for (const [k, v] of iterate(collection)) {
    const inner = withBindings(ctx, expr.keyVar ? [[expr.keyVar, k], [expr.valueVar, v]] : [[expr.valueVar, v]]);
    if (expr.condition) {
      const keep = evaluate(expr.condition, inner);
      const notKnown = findNotKnown(keep);
      if (notKnown) return unknownFrom(notKnown, 'for expression condition');
      if (!asBool(keep)) continue;
    }
    if (!expr.isObject) {
      list.push(evaluate(expr.valueExpr, inner));
      continue;
    }
    const keyValue = evaluate(expr.keyExpr as Expr, inner);
    const keyNotKnown = findNotKnown(keyValue);
    if (keyNotKnown) return unknownFrom(keyNotKnown, 'for expression key');
    if (keyValue === null) throw new EvalError('a for expression key must not be null');
    const key = templateString(keyValue);
    const value = evaluate(expr.valueExpr, inner);
    if (expr.grouping) {
      const group = groups.get(key) ?? [];
      group.push(value);
      groups.set(key, group);
    } else {
      if (getKey(obj, key) !== undefined) throw new EvalError(`duplicate key "${key}" in a for expression`);
      setKey(obj, key, value);
    }
  }
  if (!expr.isObject) {
    ctx.budget.collection(list.length);
    return list;
  }
  for (const [k, group] of groups) setKey(obj, k, group);
  ctx.budget.collection(Object.keys(obj).length);
  return obj;
}

/** Pairs of (key, value) in Terraform's order: list index, or map key sorted. */
export function iterate(collection: Value): [Value, Value][] {
  if (Array.isArray(collection)) return collection.map((v, i) => [i, v]);
  if (isObjectValue(collection)) return sortedKeys(collection).map((k) => [k, (collection as ObjectValue)[k] as Value]);
  return [];
}

function evaluateCall(expr: FunctionCallExpr, ctx: EvalContext): Value {
  const name = expr.name;
  if (name === 'try') return evaluateTry(expr, ctx);
  if (name === 'can') return evaluateCan(expr, ctx);
  let args = expr.args.map((a) => evaluate(a, ctx));
  if (expr.expandFinal && args.length > 0) {
    const last = args[args.length - 1] as Value;
    if (last instanceof UnknownValue) return last;
    if (last instanceof ReferenceValue) return new ReferenceValue(renderExpr(expr));
    if (!Array.isArray(last)) throw new EvalError(`the final argument of ${name}(...) must be a list to expand`);
    args = [...args.slice(0, -1), ...last];
  }
  if (name === 'templatefile') return evaluateTemplateFile(args, ctx);
  return callFunction(name, args, ctx.scope.functions, () => renderExpr(expr), ctx.budget);
}

// try() returns the first argument that evaluates without error; an unknown one can't be judged.
function evaluateTry(expr: FunctionCallExpr, ctx: EvalContext): Value {
  let lastError: unknown;
  for (const arg of expr.args) {
    try {
      return evaluate(arg, ctx);
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      lastError = e;
    }
  }
  throw new EvalError(`no argument of try() could be evaluated${lastError ? `: ${errorMessage(lastError)}` : ''}`);
}

function evaluateCan(expr: FunctionCallExpr, ctx: EvalContext): Value {
  const arg = expr.args[0];
  if (!arg || expr.args.length !== 1) throw new EvalError('can() takes one argument');
  try {
    const v = evaluate(arg, ctx);
    return v instanceof UnknownValue ? v : true;
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
    return false;
  }
}

function evaluateTemplateFile(args: Value[], ctx: EvalContext): Value {
  const [path, vars] = args;
  if (args.length !== 2) throw new EvalError('templatefile() takes a path and a map of variables');
  const notKnown = findUnknownFirst([path as Value]);
  if (notKnown) return unknownFrom(notKnown, 'templatefile path');
  if (vars instanceof UnknownValue) return vars;
  if (vars instanceof ReferenceValue) return new ReferenceValue(`templatefile(${String(path)}, ${vars.reference})`);
  if (!isObjectValue(vars)) throw new EvalError('templatefile() variables must be a map');
  const template = ctx.scope.functions.parseTemplateFile(templateString(path as Value));
  if (template instanceof UnknownValue) return template;
  // The template sees only the variables given and the functions.
  const inner: EvalContext = {
    scope: { resolve: (root) => { throw new EvalError(`templatefile: no variable "${root}"`); }, functions: ctx.scope.functions },
    bindings: new Map(Object.keys(vars).map((k) => [k, vars[k] as Value])),
    budget: ctx.budget,
  };
  return evaluateTemplate(template, inner, false);
}

/** A scope without names: for tfvars files, type defaults and other constant expressions. */
export function constantContext(functions: FunctionHost, budget: EvalBudget = newBudget()): EvalContext {
  return {
    scope: {
      resolve: (root) => {
        throw new EvalError(`"${root}" can't be referred to here: only constant values are allowed`);
      },
      functions,
    },
    bindings: new Map(),
    budget,
  };
}
