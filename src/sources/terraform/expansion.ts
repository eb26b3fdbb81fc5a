import type { BlockNode } from './hcl/ast';
import { asNumber, templateString } from './convert';
import { BudgetExceeded, type EvalBudget } from './budget';
import { EvalError, errorMessage, evaluate, type EvalContext } from './evaluator';
import { renderExpr, renderInstanceKey } from './render';
import { ReferenceValue, UnknownValue, findNotKnown, isObjectValue, newObject, sortedKeys, unknownFrom, type Value } from './values';

/** How many instances a resource or module call has, per its `count` or `for_each`. */
export type Expansion =
  | { kind: 'single' }
  | { kind: 'count'; count: number }
  | { kind: 'for_each'; entries: [string, Value][] }
  | { kind: 'unknown'; meta: 'count' | 'for_each'; reason: string };

/** One instance: its address suffix and what `count`/`each` mean inside it. */
export interface Instance {
  /** Appended to the address: `[0]`, `["alpha"]`, `[*]` when unknown, `` for a single instance. */
  suffix: string;
  /** The count index or for_each key; null for a single or unknown instance. */
  key: number | string | null;
  bindings: [string, Value][];
}

/**
 * Evaluates `count` / `for_each` of a block. A value that can't be known offline gives an
 * `unknown` expansion; an invalid one also returns the error for the scan's report. The
 * instances are charged to the scan unit's budget before any is created, so `count = 1e9`, or
 * counts multiplied through nested modules, stop with `BudgetExceeded` (thrown) at once.
 */
export function expandBlock(block: BlockNode, ctx: EvalContext): { expansion: Expansion; error?: string } {
  const count = block.body.attributes.find((a) => a.name === 'count');
  const forEach = block.body.attributes.find((a) => a.name === 'for_each');
  if (!count && !forEach) return { expansion: { kind: 'single' } };
  const meta = count ? 'count' : 'for_each';
  const attr = (count ?? forEach)!;
  try {
    const value = evaluate(attr.expr, ctx);
    return { expansion: count ? countExpansion(value, ctx.budget) : forEachExpansion(value, ctx.budget) };
  } catch (e) {
    if (e instanceof BudgetExceeded) throw e;
    const message = `${meta} = ${renderExpr(attr.expr)} could not be evaluated: ${errorMessage(e)}`;
    return { expansion: { kind: 'unknown', meta, reason: message }, error: message };
  }
}

function countExpansion(value: Value, budget: EvalBudget): Expansion {
  const notKnown = findNotKnown(value);
  if (notKnown) return { kind: 'unknown', meta: 'count', reason: unknownFrom(notKnown, 'count').reason };
  if (value === null) throw new EvalError('count must not be null');
  const n = asNumber(value);
  if (!Number.isInteger(n) || n < 0) throw new EvalError(`count must be a whole number of zero or more, not ${n}`);
  budget.instance(n);
  return { kind: 'count', count: n };
}

function forEachExpansion(value: Value, budget: EvalBudget): Expansion {
  if (value instanceof UnknownValue || value instanceof ReferenceValue) {
    return { kind: 'unknown', meta: 'for_each', reason: unknownFrom(value, 'for_each').reason };
  }
  if (value === null) throw new EvalError('for_each must not be null');
  let entries: [string, Value][];
  if (isObjectValue(value)) {
    entries = sortedKeys(value).map((k) => [k, value[k] as Value]);
  } else if (Array.isArray(value)) {
    // A set of strings: each.key and each.value are the element. Terraform rejects lists of
    // other things; unknown elements make the instances unknown.
    const notKnown = findNotKnown(value);
    if (notKnown) return { kind: 'unknown', meta: 'for_each', reason: unknownFrom(notKnown, 'for_each').reason };
    const keys = [...new Set(value.map((v) => templateString(v)))].sort();
    entries = keys.map((k) => [k, k]);
  } else {
    throw new EvalError(`for_each must be a map or a set of strings, not ${typeof value}`);
  }
  budget.instance(entries.length);
  return { kind: 'for_each', entries };
}

export function instancesOf(expansion: Expansion): Instance[] {
  switch (expansion.kind) {
    case 'single':
      return [{ suffix: '', key: null, bindings: [] }];
    case 'count':
      return Array.from({ length: expansion.count }, (_, i) => ({
        suffix: renderInstanceKey(i),
        key: i,
        bindings: [['count', newObject([['index', i]])]],
      }));
    case 'for_each':
      return expansion.entries.map(([k, v]) => ({
        suffix: renderInstanceKey(k),
        key: k,
        bindings: [['each', newObject([['key', k], ['value', v]])]],
      }));
    case 'unknown': {
      const unknown = new UnknownValue(expansion.reason);
      const bindings: [string, Value][] =
        expansion.meta === 'count'
          ? [['count', newObject([['index', unknown]])]]
          : [['each', newObject([['key', unknown], ['value', unknown]])]];
      return [{ suffix: '[*]', key: null, bindings }];
    }
  }
}
