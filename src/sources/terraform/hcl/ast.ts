/**
 * Syntax tree of HCL2 native syntax (the `.tf` language), following the HCL native syntax
 * specification. Every node carries its source range so findings can point at a line.
 */

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  /** 0-based offset into the source string. */
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface ConfigFile {
  body: Body;
  /** Every comment (`#`, `//`, `/* *\/`) with its text including the markers. */
  comments: Comment[];
}

export interface Comment {
  text: string;
  range: Range;
}

export interface Body {
  attributes: AttributeNode[];
  blocks: BlockNode[];
  range: Range;
}

export interface AttributeNode {
  name: string;
  nameRange: Range;
  expr: Expr;
  /** From the name to the end of the expression. */
  range: Range;
}

export interface BlockNode {
  type: string;
  typeRange: Range;
  /** Labels with quotes removed (a label is a quoted string or an identifier). */
  labels: string[];
  labelRanges: Range[];
  body: Body;
  /** From the block type to the closing brace. */
  range: Range;
}

export type Expr =
  | LiteralExpr
  | TemplateExpr
  | ScopeTraversalExpr
  | RelativeTraversalExpr
  | IndexExpr
  | SplatExpr
  | FunctionCallExpr
  | TupleExpr
  | ObjectExpr
  | ConditionalExpr
  | BinaryExpr
  | UnaryExpr
  | ForExpr
  | ParenthesesExpr;

/** Numbers, `true`, `false`, `null`. Quoted strings without interpolation are TemplateExpr with one literal part. */
export interface LiteralExpr {
  kind: 'literal';
  value: string | number | boolean | null;
  range: Range;
}

/** A quoted string or heredoc; `parts` mixes literal text, `${...}` and `%{...}` directives. */
export interface TemplateExpr {
  kind: 'template';
  parts: TemplatePart[];
  /** True for `<<EOF` / `<<-EOF`. */
  heredoc: boolean;
  range: Range;
}

export type TemplatePart =
  | { kind: 'text'; value: string; range: Range }
  | { kind: 'interpolation'; expr: Expr; range: Range }
  | { kind: 'if'; condition: Expr; then: TemplatePart[]; else: TemplatePart[]; range: Range }
  | {
      kind: 'for';
      keyVar: string | null;
      valueVar: string;
      collection: Expr;
      body: TemplatePart[];
      range: Range;
    };

/** A traversal step: `.name`, `[expr]` with a literal key, or legacy `.0`. */
export type Traverser =
  | { kind: 'attr'; name: string; range: Range }
  | { kind: 'index'; key: Expr; range: Range };

/** `var.x`, `local.y.z`, `aws_s3_bucket.b.id`, `each.value`, `count.index`: a root name and steps. */
export interface ScopeTraversalExpr {
  kind: 'traversal';
  root: string;
  steps: Traverser[];
  range: Range;
}

/** Steps applied to a non-name expression, e.g. `func().a.b` or `(x)[0]`. */
export interface RelativeTraversalExpr {
  kind: 'relative-traversal';
  source: Expr;
  steps: Traverser[];
  range: Range;
}

/** `collection[key]` where key is not a literal (kept separate so evaluators can report it). */
export interface IndexExpr {
  kind: 'index';
  collection: Expr;
  key: Expr;
  range: Range;
}

/** `list[*].a.b` (full splat) or `list.*.a` (attribute-only splat); `steps` apply to each element. */
export interface SplatExpr {
  kind: 'splat';
  source: Expr;
  steps: Traverser[];
  full: boolean;
  range: Range;
}

export interface FunctionCallExpr {
  kind: 'call';
  name: string;
  args: Expr[];
  /** `f(list...)`: the last argument is expanded. */
  expandFinal: boolean;
  range: Range;
}

export interface TupleExpr {
  kind: 'tuple';
  items: Expr[];
  range: Range;
}

export interface ObjectExpr {
  kind: 'object';
  items: ObjectItem[];
  range: Range;
}

export interface ObjectItem {
  /**
   * A bare identifier key is a `traversal` with no steps and `keyIsBareName` true (Terraform
   * treats it as the string); otherwise any expression (`"k"`, `(var.k)`).
   */
  key: Expr;
  keyIsBareName: boolean;
  value: Expr;
}

export interface ConditionalExpr {
  kind: 'conditional';
  condition: Expr;
  then: Expr;
  else: Expr;
  range: Range;
}

export type BinaryOperator = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOperator;
  left: Expr;
  right: Expr;
  range: Range;
}

export interface UnaryExpr {
  kind: 'unary';
  op: '!' | '-';
  operand: Expr;
  range: Range;
}

/** `[for k, v in coll : v if cond]` or `{for k, v in coll : k => v... if cond}`. */
export interface ForExpr {
  kind: 'for';
  keyVar: string | null;
  valueVar: string;
  collection: Expr;
  /** Only for object `for`. */
  keyExpr: Expr | null;
  valueExpr: Expr;
  condition: Expr | null;
  /** `...` after the value in an object `for`. */
  grouping: boolean;
  isObject: boolean;
  range: Range;
}

export interface ParenthesesExpr {
  kind: 'parens';
  expr: Expr;
  range: Range;
}

/** Thrown by the parser; the message names the line and column. */
export class HclSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: Position,
  ) {
    super(`${message} at line ${position.line}, column ${position.column}`);
    this.name = 'HclSyntaxError';
  }
}
