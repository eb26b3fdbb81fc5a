/**
 * The work one scan unit (a Terraform configuration: a root module and every module it calls)
 * may do. Terraform has no such limits; a hostile configuration could otherwise make the scan
 * run for hours or run out of memory (module count 10,000 → module count 10,000 → resource
 * count 10,000 took 4.3 GB and aborted). The limits are far above what real configurations use
 * (see LIMITS), and are counted per unit, not per value, so that an expression repeated by
 * `count` or a value built up through many locals is bounded too.
 *
 * When one is exceeded, evaluation of the unit stops for good: every further evaluation throws
 * `BudgetExceeded` (which `try()` and `can()` don't catch, as Terraform would not have failed),
 * values read after that are unknown, and the unit gets one error entry naming the limit and
 * where it was reached, so the scan exits 2.
 */

export interface BudgetLimits {
  /** Expressions evaluated (each node of an expression, each iteration of a `for`). */
  steps: number;
  /** Characters of strings built by templates and functions. */
  chars: number;
  /** Elements of lists, maps and objects built by `for` expressions and functions. */
  elements: number;
  /** The longest single string. */
  stringLength: number;
  /** Resource and module instances created by `count` and `for_each`. */
  instances: number;
}

/**
 * Measured on this machine (2 cores, node 20): the evaluator does 1.3 to 4 million steps a
 * second (a `for` building strings is the slow end); V8 builds strings at ~500 million
 * characters a second; a module instance costs ~2 KB. The 3,004 configurations of the bench
 * corpus, the examples and the test data use at most 40 steps, 102 characters, 8 instances
 * each (only what rules read is evaluated: a few properties per resource, and the locals,
 * variables and outputs they refer to). So the limits let a unit run at most a few seconds in a
 * few hundred MB, and are orders of magnitude above that use:
 */
export const LIMITS: BudgetLimits = {
  /** ~1.5 to 4 s of evaluation. */
  steps: 5_000_000,
  /** 64 MB (128 MB as UTF-16) even if every string were kept. */
  chars: 64 * 1024 * 1024,
  /** The longest string: the per-value limit this budget replaced. */
  stringLength: 16 * 1024 * 1024,
  /** As many as steps: each element built takes about one. */
  elements: 4_000_000,
  /** Module count 10,000 → module count 10,000 → resource count 10,000 stops in 1.3-1.6 s, 150 MB RSS. */
  instances: 50_000,
};

/** Where the evaluation is, for the error entry. */
export interface BudgetSite {
  file: string;
  line?: number;
}

/** A limit of ours was reached: not a Terraform error, so `try()`/`can()` must not catch it. */
export class BudgetExceeded extends Error {
  constructor(
    message: string,
    readonly site: BudgetSite | undefined,
  ) {
    super(message);
    this.name = 'BudgetExceeded';
  }
}

export class EvalBudget {
  /** Steps left: decremented by every `evaluate()`, the hot path, so a plain field. */
  remaining: number;
  private chars: number;
  private elements: number;
  private instances: number;
  /** What is being evaluated now (set by whoever starts evaluating a block or a value). */
  site: BudgetSite | undefined;
  /** The first limit reached; after it every charge fails at once. */
  exceeded: BudgetExceeded | undefined;

  constructor(
    readonly limits: BudgetLimits = LIMITS,
    private readonly onExceeded?: (e: BudgetExceeded) => void,
  ) {
    this.remaining = limits.steps;
    this.chars = limits.chars;
    this.elements = limits.elements;
    this.instances = limits.instances;
  }

  /** Runs `fn` with `site` as the place named if a limit is reached. */
  at<T>(site: BudgetSite, fn: () => T): T {
    const previous = this.site;
    this.site = site;
    try {
      return fn();
    } finally {
      this.site = previous;
    }
  }

  /** Called by `evaluate()` when `remaining` went below zero. */
  stepsExhausted(): never {
    this.remaining = -1;
    return this.fail(`more than ${count(this.limits.steps)} evaluation steps`);
  }

  /** Work done inside a function, counted in steps (a pass over a long list or string). */
  work(steps: number): void {
    this.remaining -= steps;
    if (this.remaining < 0) this.stepsExhausted();
  }

  /** A string of `length` characters was built. */
  string(length: number): void {
    if (this.exceeded) throw this.exceeded;
    if (length > this.limits.stringLength) this.fail(`a string of more than ${count(this.limits.stringLength)} characters`);
    this.chars -= length;
    if (this.chars < 0) this.fail(`more than ${count(this.limits.chars)} characters of strings built`);
  }

  /** A list, map or object of `n` elements was built. */
  collection(n: number): void {
    if (this.exceeded) throw this.exceeded;
    this.elements -= n;
    if (this.elements < 0) this.fail(`more than ${count(this.limits.elements)} list and map elements built`);
  }

  /** `n` resource or module instances are about to be created. */
  instance(n: number): void {
    if (this.exceeded) throw this.exceeded;
    this.instances -= n;
    if (this.instances < 0) this.fail(`more than ${count(this.limits.instances)} resource and module instances`);
  }

  /** Throws the first exceedance again, if any (for work that evaluates nothing). */
  check(): void {
    if (this.exceeded) throw this.exceeded;
  }

  private fail(what: string): never {
    if (this.exceeded) throw this.exceeded;
    const where = this.site ? ` (reached at ${this.site.file}${this.site.line === undefined ? '' : `:${this.site.line}`})` : '';
    this.exceeded = new BudgetExceeded(
      `evaluation stopped: ${what}, the limit for one configuration${where}; what was not evaluated is unknown or not reported`,
      this.site,
    );
    this.remaining = -1;
    this.onExceeded?.(this.exceeded);
    throw this.exceeded;
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
