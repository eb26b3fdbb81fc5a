/**
 * Hand-written parser for HCL2 native syntax (`.tf` files), following hashicorp/hcl's
 * hclsyntax/spec.md and, where the spec is silent, the behaviour of hclsyntax itself.
 *
 * Why our own: no JavaScript library is both correct with source positions and fast enough.
 * @cdktf/hcl2json (Go compiled to WASM) drops line numbers and is deprecated; tree-sitter's HCL
 * grammar measured ~1.5-2 MB/s here, far from the 1,000 files/s of 10-50 KB the scan needs.
 * This one is a single forward pass over `charCodeAt`, without backtracking or a token array:
 * 65-80 MB/s (~2,000 files/s of 33 KB) on one core of the 2-core dev machine under load, measured
 * with `npx tsx bench/hcl-parser-bench.ts`; ~80 MB/s on the .bench corpus's main.tf files.
 *
 * Robustness: the only exception it throws is HclSyntaxError. Nesting of blocks, expressions
 * and template directives is capped at MAX_DEPTH so neither this parser nor a recursive
 * consumer of the tree can overflow the stack. Every loop consumes input, so time is linear.
 *
 * Line breaks: at body level and between object items a line break ends the item; inside `()`,
 * `[]`, `${}`, `%{}` and `for` expressions they are plain whitespace, as in hclsyntax.
 *
 * Deliberately more lenient than hclsyntax, in ways that cannot misread a valid file: line
 * breaks after a binary operator, `?`, `:`, `!` or unary `-`; a one-line block holding a nested
 * block or `}` on the next line; `a.0.1` as two legacy index steps; a repeated attribute name.
 */
import type {
  AttributeNode,
  BinaryOperator,
  BlockNode,
  Body,
  ConfigFile,
  Expr,
  ForExpr,
  FunctionCallExpr,
  ObjectExpr,
  ObjectItem,
  Position,
  SplatExpr,
  TemplateExpr,
  TemplatePart,
  Traverser,
  TupleExpr,
} from './ast';
import { HclSyntaxError } from './ast';
import {
  CH_AMP,
  CH_BACKSLASH,
  CH_BANG,
  CH_BOM,
  CH_COLON,
  CH_COMMA,
  CH_CR,
  CH_DOLLAR,
  CH_DOT,
  CH_EQ,
  CH_GT,
  CH_LBRACE,
  CH_LBRACK,
  CH_LF,
  CH_LPAREN,
  CH_LT,
  CH_MINUS,
  CH_N_LOWER,
  CH_PERCENT,
  CH_PIPE,
  CH_PLUS,
  CH_QUESTION,
  CH_QUOTE,
  CH_RBRACE,
  CH_RBRACK,
  CH_RPAREN,
  CH_R_LOWER,
  CH_SLASH,
  CH_SPACE,
  CH_STAR,
  CH_TAB,
  CH_TILDE,
  CH_T_LOWER,
  CH_U_LOWER,
  CH_U_UPPER,
  MAX_DEPTH,
  Scanner,
  isDigit,
} from './lexer';

export { HclSyntaxError } from './ast';

/** Parses one `.tf` file. Throws HclSyntaxError (and nothing else) on invalid input. */
export function parseHcl(text: string): ConfigFile {
  const parser = new Parser(text);
  try {
    return parser.parseFile();
  } catch (err) {
    if (err instanceof HclSyntaxError) throw err;
    // Belt and braces: MAX_DEPTH keeps recursion far below the stack limit, but a stack
    // overflow must still surface as a syntax error rather than crash the scan.
    if (err instanceof RangeError) throw new HclSyntaxError('Input is nested too deeply to parse', parser.pos(Math.min(parser.i, text.length)));
    throw err;
  }
}

// Kinds of flat template tokens, before directives are matched into a tree.
const TOK_TEXT = 0;
const TOK_INTERP = 1;
const TOK_IF = 2;
const TOK_ELSE = 3;
const TOK_ENDIF = 4;
const TOK_FOR = 5;
const TOK_ENDFOR = 6;

/** One literal run, `${}` or `%{}` of a template, in source order (hclsyntax's template tokens). */
interface TemplateToken {
  kind: number;
  /** Literal text after escapes and `~` trimming (TOK_TEXT only). */
  value: string;
  start: number;
  end: number;
  /** The interpolated expression, `if` condition or `for` collection. */
  expr: Expr | null;
  keyVar: string | null;
  valueVar: string;
}

function templateToken(kind: number, start: number, end: number, expr: Expr | null = null): TemplateToken {
  return { kind, value: '', start, end, expr, keyVar: null, valueVar: '' };
}

interface HeredocState {
  marker: string;
  /** Offset of `<<`, for error messages. */
  open: number;
  /** Offset where the closing marker line starts. */
  contentEnd: number;
  /** Offset just after the closing marker. */
  markerEnd: number;
}

class Parser extends Scanner {
  /** Current nesting of blocks, expressions and directives, capped at MAX_DEPTH. */
  private depth = 0;
  /** True where a line break ends the current expression (attribute values, object items). */
  private newlineEnds = true;

  parseFile(): ConfigFile {
    if (this.src.charCodeAt(0) === CH_BOM) this.i = 1;
    const attributes: AttributeNode[] = [];
    const blocks: BlockNode[] = [];
    this.parseBodyItems(attributes, blocks, -1);
    const body: Body = { attributes, blocks, range: this.range(0, this.len) };
    return { body, comments: this.comments };
  }

  // ---------------------------------------------------------------- bodies

  /** Parses attributes and blocks until EOF (top level, openBrace -1) or the closing `}`. */
  private parseBodyItems(attributes: AttributeNode[], blocks: BlockNode[], openBrace: number): void {
    const src = this.src;
    const nested = openBrace >= 0;
    for (;;) {
      this.skipTrivia(true);
      const start = this.i;
      if (start >= this.len) {
        if (nested) this.fail('Unclosed block: this "{" has no matching "}" before the end of the file', openBrace);
        return;
      }
      const c = src.charCodeAt(start);
      if (c === CH_RBRACE) {
        if (nested) return;
        this.fail('Unexpected "}": there is no open block to close');
      }
      const nameEnd = this.identEnd(start);
      if (nameEnd === start) {
        const hint = c === CH_QUOTE ? ' (attribute and block names are not quoted)' : '';
        this.fail(`Expected an attribute or block definition, found ${this.describe(start)}${hint}`);
      }
      const nameStart = this.pos(start);
      const nameRange = { start: nameStart, end: this.pos(nameEnd) };
      const name = src.slice(start, nameEnd);
      this.i = nameEnd;
      this.skipTrivia(false);
      if (src.charCodeAt(this.i) === CH_EQ && src.charCodeAt(this.i + 1) !== CH_EQ) {
        this.i++;
        this.skipTrivia(false);
        this.newlineEnds = true;
        const expr = this.parseExpr();
        attributes.push({ name, nameRange, expr, range: { start: nameStart, end: expr.range.end } });
        this.expectItemEnd(nested, `attribute "${name}"`);
      } else {
        blocks.push(this.parseBlock(name, nameRange));
        this.expectItemEnd(nested, `block "${name}"`);
      }
    }
  }

  private parseBlock(type: string, typeRange: { start: Position; end: Position }): BlockNode {
    const src = this.src;
    const labels: string[] = [];
    const labelRanges: { start: Position; end: Position }[] = [];
    for (;;) {
      const c = src.charCodeAt(this.i);
      if (c === CH_QUOTE) {
        const start = this.i;
        labels.push(this.parseLabelString());
        labelRanges.push(this.range(start, this.i));
      } else {
        const end = this.identEnd(this.i);
        if (end === this.i) break;
        labels.push(src.slice(this.i, end));
        labelRanges.push(this.range(this.i, end));
        this.i = end;
      }
      this.skipTrivia(false);
    }
    const open = this.i;
    if (src.charCodeAt(open) !== CH_LBRACE) {
      const found = this.describe(open);
      if (src.charCodeAt(open) === CH_EQ) this.fail(`Expected "{" to open block "${type}", found "=" (an attribute needs "name = value")`);
      this.fail(`Expected "=" or "{" after "${type}", found ${found}`);
    }
    this.i = open + 1;
    this.enter(open);
    const attributes: AttributeNode[] = [];
    const blocks: BlockNode[] = [];
    this.parseBodyItems(attributes, blocks, open);
    this.i++; // the closing brace
    this.depth--;
    const body: Body = { attributes, blocks, range: this.range(open, this.i) };
    return { type, typeRange, labels, labelRanges, body, range: { start: typeRange.start, end: body.range.end } };
  }

  /** After an attribute or block: a line break, the end of the file, or the enclosing `}`. */
  private expectItemEnd(nested: boolean, what: string): void {
    this.skipTrivia(false);
    if (this.i >= this.len) return;
    const c = this.src.charCodeAt(this.i);
    if (c === CH_LF || (nested && c === CH_RBRACE)) return;
    const hint = c === CH_COMMA ? ' (attributes are separated by line breaks, not commas)' : '';
    this.fail(`Expected a line break after ${what}, found ${this.describe()}${hint}`);
  }

  /** A block label in quotes: escapes allowed, interpolation not. */
  private parseLabelString(): string {
    const open = this.i;
    const tokens = this.scanTemplateTokens(open + 1, null);
    for (const token of tokens) {
      if (token.kind !== TOK_TEXT) this.fail('Block labels must be plain strings; "${" and "%{" sequences are not allowed here', token.start);
    }
    return tokens.map((token) => token.value).join('');
  }

  // ----------------------------------------------------------- expressions

  /** Counts one more level of nesting at `offset`, failing beyond MAX_DEPTH. */
  private enter(offset: number): void {
    if (++this.depth > MAX_DEPTH) this.fail(`Nesting is too deep (more than ${MAX_DEPTH} levels)`, offset);
  }

  /** Skips trivia that may sit inside the current expression. */
  private skipInline(): void {
    this.skipTrivia(!this.newlineEnds);
  }

  /** Expression := Conditional | BinaryOps */
  private parseExpr(): Expr {
    this.enter(this.i);
    const condition = this.parseBinary(1);
    this.skipInline();
    if (this.src.charCodeAt(this.i) !== CH_QUESTION) {
      this.depth--;
      return condition;
    }
    this.i++;
    this.skipTrivia(true);
    const then = this.parseExpr();
    this.skipTrivia(true);
    if (this.src.charCodeAt(this.i) !== CH_COLON) {
      this.fail(`Expected ":" in conditional expression (cond ? a : b), found ${this.describe()}`);
    }
    this.i++;
    this.skipTrivia(true);
    const otherwise = this.parseExpr();
    this.depth--;
    return { kind: 'conditional', condition, then, else: otherwise, range: { start: condition.range.start, end: otherwise.range.end } };
  }

  /** Binary operators by precedence climbing; all are left-associative. */
  private parseBinary(minPrecedence: number): Expr {
    let left = this.parseUnary();
    let chained = 0;
    for (;;) {
      this.skipInline();
      const op = this.binaryOperatorAt(this.i);
      if (op === null) break;
      const precedence = PRECEDENCE[op];
      if (precedence < minPrecedence) break;
      // A chain a+b+c+... nests to the left, so it counts towards the depth limit too.
      this.enter(this.i);
      chained++;
      this.i += op.length;
      this.skipTrivia(true);
      const right = this.parseBinary(precedence + 1);
      left = { kind: 'binary', op, left, right, range: { start: left.range.start, end: right.range.end } };
    }
    this.depth -= chained;
    return left;
  }

  private binaryOperatorAt(i: number): BinaryOperator | null {
    const src = this.src;
    const next = src.charCodeAt(i + 1);
    switch (src.charCodeAt(i)) {
      case CH_PIPE:
        return next === CH_PIPE ? '||' : null;
      case CH_AMP:
        return next === CH_AMP ? '&&' : null;
      case CH_EQ:
        return next === CH_EQ ? '==' : null;
      case CH_BANG:
        return next === CH_EQ ? '!=' : null;
      case CH_LT:
        return next === CH_EQ ? '<=' : '<';
      case CH_GT:
        return next === CH_EQ ? '>=' : '>';
      case CH_PLUS:
        return '+';
      case CH_MINUS:
        return '-';
      case CH_STAR:
        return '*';
      case CH_SLASH:
        return '/';
      case CH_PERCENT:
        return '%';
      default:
        return null;
    }
  }

  private parseUnary(): Expr {
    const c = this.src.charCodeAt(this.i);
    if (c !== CH_BANG && c !== CH_MINUS) return this.parsePostfix(this.parsePrimary());
    const start = this.pos(this.i);
    this.enter(this.i);
    this.i++;
    this.skipTrivia(true);
    const operand = this.parseUnary();
    this.depth--;
    return { kind: 'unary', op: c === CH_BANG ? '!' : '-', operand, range: { start, end: operand.range.end } };
  }

  private parsePrimary(): Expr {
    const src = this.src;
    const start = this.i;
    const c = src.charCodeAt(start);
    if (isDigit(c)) {
      const end = this.numberEnd(start);
      this.i = end;
      return { kind: 'literal', value: Number(src.slice(start, end)), range: this.range(start, end) };
    }
    switch (c) {
      case CH_QUOTE:
        return this.parseQuotedTemplate();
      case CH_LT:
        if (src.charCodeAt(start + 1) === CH_LT) return this.parseHeredoc();
        break;
      case CH_LBRACK:
        return this.parseTuple();
      case CH_LBRACE:
        return this.parseObject();
      case CH_LPAREN:
        return this.parseParens();
      default: {
        const end = this.identEnd(start);
        if (end > start) return this.parseNameExpr(start, end);
      }
    }
    this.fail(`Expected an expression, found ${this.describe(start)}`);
  }

  /** A name: `true`/`false`/`null`, a function call, or the root of a traversal. */
  private parseNameExpr(start: number, end: number): Expr {
    const src = this.src;
    let nameEnd = end;
    // Provider-defined functions: provider::aws::arn_parse(...)
    while (src.charCodeAt(nameEnd) === CH_COLON && src.charCodeAt(nameEnd + 1) === CH_COLON) {
      const partEnd = this.identEnd(nameEnd + 2);
      if (partEnd === nameEnd + 2) this.fail('Expected a function name after "::"', nameEnd + 2);
      nameEnd = partEnd;
    }
    this.i = nameEnd;
    this.skipInline();
    if (src.charCodeAt(this.i) === CH_LPAREN) return this.parseCall(start, src.slice(start, nameEnd));
    if (nameEnd !== end) this.fail(`Expected "(" after function name "${src.slice(start, nameEnd)}"`);
    const range = this.range(start, end);
    switch (end - start) {
      case 4:
        if (src.startsWith('true', start)) return { kind: 'literal', value: true, range };
        if (src.startsWith('null', start)) return { kind: 'literal', value: null, range };
        break;
      case 5:
        if (src.startsWith('false', start)) return { kind: 'literal', value: false, range };
        break;
    }
    return { kind: 'traversal', root: src.slice(start, end), steps: [], range };
  }

  private parseCall(start: number, name: string): FunctionCallExpr {
    const src = this.src;
    const open = this.i;
    this.i++;
    const savedMode = this.newlineEnds;
    this.newlineEnds = false;
    const args: Expr[] = [];
    let expandFinal = false;
    for (;;) {
      this.skipTrivia(true);
      const c = src.charCodeAt(this.i);
      if (c === CH_RPAREN) break;
      if (this.i >= this.len) this.fail(`Unclosed call to ${name}(): no ")" before the end of the file`, open);
      args.push(this.parseExpr());
      this.skipTrivia(true);
      const sep = src.charCodeAt(this.i);
      if (sep === CH_COMMA) {
        this.i++;
      } else if (sep === CH_DOT && src.charCodeAt(this.i + 1) === CH_DOT && src.charCodeAt(this.i + 2) === CH_DOT) {
        expandFinal = true;
        this.i += 3;
        this.skipTrivia(true);
        if (src.charCodeAt(this.i) === CH_COMMA) {
          this.i++;
          this.skipTrivia(true);
        }
        if (src.charCodeAt(this.i) !== CH_RPAREN) {
          this.fail(`Expected ")" after "..." in call to ${name}() (only the last argument can be expanded), found ${this.describe()}`);
        }
        break;
      } else if (sep !== CH_RPAREN) {
        this.fail(`Expected "," or ")" in call to ${name}(), found ${this.describe()}`);
      }
    }
    this.i++;
    this.newlineEnds = savedMode;
    return { kind: 'call', name, args, expandFinal, range: this.range(start, this.i) };
  }

  private parseParens(): Expr {
    const open = this.i;
    const start = this.pos(open);
    this.i++;
    const savedMode = this.newlineEnds;
    this.newlineEnds = false;
    this.skipTrivia(true);
    const expr = this.parseExpr();
    this.skipTrivia(true);
    if (this.src.charCodeAt(this.i) !== CH_RPAREN) this.fail(`Expected ")" to close the "(" at line ${start.line}, column ${start.column}, found ${this.describe()}`);
    this.i++;
    this.newlineEnds = savedMode;
    return { kind: 'parens', expr, range: { start, end: this.pos(this.i) } };
  }

  /** True if `for` at the cursor starts a for expression (`for name ...`), not a name `for`. */
  private atForExpr(): boolean {
    if (!this.atKeyword('for')) return false;
    const next = this.peekPastTrivia(this.i + 3);
    return next > this.i + 3 && this.identEnd(next) > next;
  }

  private parseTuple(): TupleExpr | ForExpr {
    const src = this.src;
    const open = this.i;
    const start = this.pos(open);
    this.i++;
    const savedMode = this.newlineEnds;
    this.newlineEnds = false;
    this.skipTrivia(true);
    if (this.atForExpr()) {
      const forExpr = this.parseFor(start, false);
      this.newlineEnds = savedMode;
      return forExpr;
    }
    const items: Expr[] = [];
    for (;;) {
      this.skipTrivia(true);
      if (src.charCodeAt(this.i) === CH_RBRACK) break;
      if (this.i >= this.len) this.fail('Unclosed tuple: this "[" has no matching "]" before the end of the file', open);
      items.push(this.parseExpr());
      this.skipTrivia(true);
      const sep = src.charCodeAt(this.i);
      if (sep === CH_COMMA) this.i++;
      else if (sep !== CH_RBRACK) this.fail(`Expected "," or "]" in tuple, found ${this.describe()}`);
    }
    this.i++;
    this.newlineEnds = savedMode;
    return { kind: 'tuple', items, range: { start, end: this.pos(this.i) } };
  }

  private parseObject(): ObjectExpr | ForExpr {
    const src = this.src;
    const open = this.i;
    const start = this.pos(open);
    this.i++;
    const savedMode = this.newlineEnds;
    this.skipTrivia(true);
    if (this.atForExpr()) {
      this.newlineEnds = false;
      const forExpr = this.parseFor(start, true);
      this.newlineEnds = savedMode;
      return forExpr;
    }
    // Object items are separated by commas or line breaks, so line breaks matter again.
    this.newlineEnds = true;
    const items: ObjectItem[] = [];
    for (;;) {
      this.skipTrivia(true);
      if (src.charCodeAt(this.i) === CH_RBRACE) break;
      if (this.i >= this.len) this.fail('Unclosed object: this "{" has no matching "}" before the end of the file', open);
      const keyStart = this.i;
      let key = this.parseExpr();
      let keyIsBareName = key.kind === 'traversal' && key.steps.length === 0;
      if (key.kind === 'literal' && typeof key.value !== 'number') {
        // `{ null = 1 }`: a keyword written as a key is the name, like any other bare key.
        key = { kind: 'traversal', root: src.slice(keyStart, key.range.end.offset), steps: [], range: key.range };
        keyIsBareName = true;
      }
      this.skipInline();
      const sep = src.charCodeAt(this.i);
      if (sep !== CH_EQ && sep !== CH_COLON) {
        this.fail(`Expected "=" or ":" after object key, found ${this.describe()}`);
      }
      this.i++;
      this.skipInline();
      const value = this.parseExpr();
      items.push({ key, keyIsBareName, value });
      this.skipInline();
      const end = src.charCodeAt(this.i);
      if (end === CH_COMMA || end === CH_LF) this.i++;
      else if (end !== CH_RBRACE) this.fail(`Expected a line break, "," or "}" after object item, found ${this.describe()}`);
    }
    this.i++;
    this.newlineEnds = savedMode;
    return { kind: 'object', items, range: { start, end: this.pos(this.i) } };
  }

  /** `[for k, v in coll : value if cond]` or `{for k, v in coll : key => value... if cond}`. */
  private parseFor(start: Position, isObject: boolean): ForExpr {
    const src = this.src;
    this.i += 3;
    this.skipTrivia(true);
    let keyVar: string | null = null;
    let valueVar = this.expectName('a variable name after "for"');
    this.skipTrivia(true);
    if (src.charCodeAt(this.i) === CH_COMMA) {
      this.i++;
      this.skipTrivia(true);
      keyVar = valueVar;
      valueVar = this.expectName('a second variable name after ","');
      this.skipTrivia(true);
    }
    if (!this.atKeyword('in')) this.fail(`Expected "in" in for expression, found ${this.describe()}`);
    this.i += 2;
    this.skipTrivia(true);
    const collection = this.parseExpr();
    this.skipTrivia(true);
    if (src.charCodeAt(this.i) !== CH_COLON) this.fail(`Expected ":" after the collection of a for expression, found ${this.describe()}`);
    this.i++;
    this.skipTrivia(true);
    let keyExpr: Expr | null = null;
    let valueExpr = this.parseExpr();
    this.skipTrivia(true);
    if (src.charCodeAt(this.i) === CH_EQ && src.charCodeAt(this.i + 1) === CH_GT) {
      if (!isObject) this.fail('"=>" is only allowed in an object for expression ({for ...}); a tuple for expression has no keys');
      this.i += 2;
      this.skipTrivia(true);
      keyExpr = valueExpr;
      valueExpr = this.parseExpr();
      this.skipTrivia(true);
    } else if (isObject) {
      this.fail(`Expected "=>" after the key of an object for expression, found ${this.describe()}`);
    }
    let grouping = false;
    if (src.charCodeAt(this.i) === CH_DOT && src.charCodeAt(this.i + 1) === CH_DOT && src.charCodeAt(this.i + 2) === CH_DOT) {
      if (!isObject) this.fail('Grouping "..." is only allowed in an object for expression');
      grouping = true;
      this.i += 3;
      this.skipTrivia(true);
    }
    let condition: Expr | null = null;
    if (this.atKeyword('if')) {
      this.i += 2;
      this.skipTrivia(true);
      condition = this.parseExpr();
      this.skipTrivia(true);
    }
    const close = isObject ? CH_RBRACE : CH_RBRACK;
    if (src.charCodeAt(this.i) !== close) {
      this.fail(`Expected "${isObject ? '}' : ']'}" to end the for expression, found ${this.describe()}`);
    }
    this.i++;
    return { kind: 'for', keyVar, valueVar, collection, keyExpr, valueExpr, condition, grouping, isObject, range: { start, end: this.pos(this.i) } };
  }

  private expectName(what: string): string {
    const end = this.identEnd(this.i);
    if (end === this.i) this.fail(`Expected ${what}, found ${this.describe()}`);
    const name = this.src.slice(this.i, end);
    this.i = end;
    return name;
  }

  // ------------------------------------------------------------- traversals

  /**
   * Applies `.name`, `.0`, `[key]`, `[*]` and `.*` after an expression. Each new wrapping node
   * (relative traversal, index, splat) counts towards the depth limit: `x[a][b][c]...` nests.
   */
  private parsePostfix(source: Expr): Expr {
    const src = this.src;
    let expr = source;
    const depthBefore = this.depth;
    for (;;) {
      this.skipInline();
      const at = this.i;
      const c = src.charCodeAt(at);
      let next: Expr;
      if (c === CH_DOT && src.charCodeAt(at + 1) === CH_STAR) {
        this.i = at + 2;
        next = this.parseSplatSteps(expr, false, at + 2);
      } else if (c === CH_DOT && src.charCodeAt(at + 1) !== CH_DOT) {
        next = withStep(expr, this.parseDotStep());
      } else if (c === CH_LBRACK) {
        this.i = at + 1;
        this.skipTrivia(true);
        if (src.charCodeAt(this.i) === CH_STAR) {
          this.i++;
          this.skipTrivia(true);
          if (src.charCodeAt(this.i) !== CH_RBRACK) this.fail(`Expected "]" after "[*", found ${this.describe()}`);
          this.i++;
          next = this.parseSplatSteps(expr, true, this.i);
        } else {
          const key = this.parseIndexKey();
          const range = this.range(at, this.i);
          next = isLiteralKey(key)
            ? withStep(expr, { kind: 'index', key, range })
            : { kind: 'index', collection: expr, key, range: { start: expr.range.start, end: range.end } };
        }
      } else {
        break;
      }
      if (next !== expr) this.enter(at);
      expr = next;
    }
    this.depth = depthBefore;
    return expr;
  }

  /** `.name` or legacy `.0`; the cursor is on the dot. */
  private parseDotStep(): Traverser {
    const src = this.src;
    const dot = this.i;
    this.i++;
    const start = this.i;
    if (isDigit(src.charCodeAt(start))) {
      // Legacy index `foo.0`: digits only, so `foo.0.1` is two steps.
      let end = start + 1;
      while (isDigit(src.charCodeAt(end))) end++;
      this.i = end;
      const key: Expr = { kind: 'literal', value: Number(src.slice(start, end)), range: this.range(start, end) };
      return { kind: 'index', key, range: { start: this.pos(dot), end: key.range.end } };
    }
    const end = this.identEnd(start);
    if (end === start) this.fail(`Expected an attribute name after ".", found ${this.describe(start)}`);
    this.i = end;
    return { kind: 'attr', name: src.slice(start, end), range: this.range(dot, end) };
  }

  /** The key inside `[...]`; the cursor is after `[` and trivia, and ends after `]`. */
  private parseIndexKey(): Expr {
    const savedMode = this.newlineEnds;
    this.newlineEnds = false;
    const key = this.parseExpr();
    this.skipTrivia(true);
    if (this.src.charCodeAt(this.i) !== CH_RBRACK) this.fail(`Expected "]" to close the index, found ${this.describe()}`);
    this.i++;
    this.newlineEnds = savedMode;
    return key;
  }

  /**
   * The steps applied to each element after `[*]` (attributes and indexes) or `.*` (attributes
   * and legacy `.0` only). Index keys after `[*]` may be any expression. A further `[*]`/`.*`
   * ends the steps: `a[*].b[*].c` becomes splat(splat(a, .b), .c), where hclsyntax would nest
   * the second splat inside the first one's per-element steps, which Traverser[] cannot hold.
   */
  private parseSplatSteps(source: Expr, full: boolean, markerEnd: number): SplatExpr {
    const src = this.src;
    const steps: Traverser[] = [];
    let end = markerEnd;
    for (;;) {
      this.skipInline();
      const at = this.i;
      const c = src.charCodeAt(at);
      if (c === CH_DOT && src.charCodeAt(at + 1) !== CH_STAR && src.charCodeAt(at + 1) !== CH_DOT) {
        const step = this.parseDotStep();
        steps.push(step);
        end = this.i;
      } else if (full && c === CH_LBRACK && src.charCodeAt(this.peekPastTrivia(at + 1)) !== CH_STAR) {
        this.i = at + 1;
        this.skipTrivia(true);
        // Keys here may be any expression, evaluated per element: `list[*].tags[var.key]`.
        const key = this.parseIndexKey();
        steps.push({ kind: 'index', key, range: this.range(at, this.i) });
        end = this.i;
      } else {
        break;
      }
    }
    return { kind: 'splat', source, steps, full, range: { start: source.range.start, end: this.pos(end) } };
  }

  // -------------------------------------------------------------- templates

  private parseQuotedTemplate(): TemplateExpr {
    const src = this.src;
    const open = this.i;
    // Fast path: most strings have no escapes or template sequences.
    let j = open + 1;
    for (; j < this.len; j++) {
      const c = src.charCodeAt(j);
      if (c === CH_QUOTE || c === CH_BACKSLASH || c === CH_DOLLAR || c === CH_PERCENT || c === CH_LF) break;
    }
    if (src.charCodeAt(j) === CH_QUOTE) {
      this.i = j + 1;
      const text: TemplatePart = { kind: 'text', value: src.slice(open + 1, j), range: this.range(open + 1, j) };
      return { kind: 'template', parts: [text], heredoc: false, range: { start: this.pos(open), end: this.pos(j + 1) } };
    }
    const start = this.pos(open);
    const tokens = this.scanTemplateTokens(open + 1, null);
    const parts = this.buildTemplateParts(tokens, open + 1, this.i - 1);
    return { kind: 'template', parts, heredoc: false, range: { start, end: this.pos(this.i) } };
  }

  private parseHeredoc(): TemplateExpr {
    const src = this.src;
    const open = this.i;
    let markerStart = open + 2;
    const indented = src.charCodeAt(markerStart) === CH_MINUS;
    if (indented) markerStart++;
    const markerEnd = this.identEnd(markerStart);
    if (markerEnd === markerStart) this.fail(`Expected a heredoc marker name after "<<", found ${this.describe(markerStart)}`, markerStart);
    let eol = markerEnd;
    while (src.charCodeAt(eol) === CH_SPACE || src.charCodeAt(eol) === CH_TAB || src.charCodeAt(eol) === CH_CR) eol++;
    if (src.charCodeAt(eol) !== CH_LF) this.fail(`Expected a line break after heredoc marker "${src.slice(open, markerEnd)}", found ${this.describe(eol)}`, eol);
    const heredoc: HeredocState = { marker: src.slice(markerStart, markerEnd), open, contentEnd: 0, markerEnd: 0 };
    const start = this.pos(open);
    const contentStart = eol + 1;
    const tokens = this.scanTemplateTokens(contentStart, heredoc);
    if (indented) stripHeredocIndent(tokens);
    const parts = this.buildTemplateParts(tokens, contentStart, heredoc.contentEnd);
    // The line break after the closing marker is left to end the attribute or item.
    this.i = heredoc.markerEnd;
    return { kind: 'template', parts, heredoc: true, range: { start, end: this.pos(heredoc.markerEnd) } };
  }

  /**
   * Scans template content from `from` into flat tokens, like hclsyntax: text runs (split at
   * line ends in heredocs), `${...}` and `%{...}` sequences, with `~` trimming applied to the
   * adjacent text token. Stops after the closing quote, or at the heredoc's closing marker.
   */
  private scanTemplateTokens(from: number, heredoc: HeredocState | null): TemplateToken[] {
    const src = this.src;
    const len = this.len;
    const tokens: TemplateToken[] = [];
    const savedDepth = this.depth;
    const savedMode = this.newlineEnds;
    let trimNextLeading = false;
    let atLineStart = heredoc !== null;
    let j = from;
    for (;;) {
      if (atLineStart) {
        const end = this.heredocMarkerEnd(j, heredoc!.marker);
        if (end >= 0) {
          heredoc!.contentEnd = j;
          heredoc!.markerEnd = end;
          break;
        }
        atLineStart = false;
      }
      // A literal run up to a quote, a line end (heredocs), `${` or `%{`.
      const textStart = j;
      let chunks: string[] | null = null;
      let chunkStart = j;
      let stop = 0;
      while (j < len) {
        const c = src.charCodeAt(j);
        if (c === CH_LF) {
          if (heredoc === null) this.fail('Unterminated string: a quoted string must end on the line it starts (use "\\n" or a heredoc for line breaks)', from - 1);
          j++;
          atLineStart = true;
          break;
        } else if (c === CH_QUOTE && heredoc === null) {
          stop = c;
          break;
        } else if (c === CH_BACKSLASH && heredoc === null) {
          chunks ??= [];
          chunks.push(src.slice(chunkStart, j));
          j = this.decodeEscape(j, chunks);
          chunkStart = j;
        } else if (c === CH_DOLLAR || c === CH_PERCENT) {
          const next = src.charCodeAt(j + 1);
          if (next === CH_LBRACE) {
            stop = c;
            break;
          }
          if (next === c && src.charCodeAt(j + 2) === CH_LBRACE) {
            // `$${` and `%%{` are a literal `${` and `%{`.
            chunks ??= [];
            chunks.push(src.slice(chunkStart, j + 1));
            chunkStart = j + 2;
            j += 3;
          } else {
            j++;
          }
        } else {
          j++;
        }
      }
      if (j > textStart) {
        let value: string;
        if (chunks === null) {
          value = src.slice(textStart, j);
        } else {
          chunks.push(src.slice(chunkStart, j));
          value = chunks.join('');
        }
        if (trimNextLeading) value = value.trimStart();
        const token = templateToken(TOK_TEXT, textStart, j);
        token.value = value;
        tokens.push(token);
      }
      trimNextLeading = false;
      if (stop === CH_QUOTE) {
        this.i = j + 1;
        break;
      }
      if (stop === 0) {
        if (j >= len) {
          if (heredoc !== null) this.fail(`Unterminated heredoc: no line "${heredoc.marker}" closes it before the end of the file`, heredoc.open);
          this.fail('Unterminated string: no closing quote before the end of the file', from - 1);
        }
        continue; // the next heredoc line
      }
      // `${` or `%{`, possibly followed by `~` to trim the preceding text.
      const seqStart = j;
      this.i = j + 2;
      if (src.charCodeAt(this.i) === CH_TILDE) {
        const last = tokens[tokens.length - 1];
        if (last !== undefined && last.kind === TOK_TEXT && last.end === seqStart) last.value = last.value.trimEnd();
        this.i++;
      }
      this.newlineEnds = false;
      this.skipTrivia(true);
      const token = stop === CH_DOLLAR ? templateToken(TOK_INTERP, seqStart, 0, this.parseExpr()) : this.parseDirective(seqStart, savedDepth);
      this.skipTrivia(true);
      if (src.charCodeAt(this.i) === CH_TILDE && src.charCodeAt(this.i + 1) === CH_RBRACE) {
        trimNextLeading = true;
        this.i += 2;
      } else if (src.charCodeAt(this.i) === CH_RBRACE) {
        this.i++;
      } else {
        const what = stop === CH_DOLLAR ? 'interpolation' : 'template directive';
        const hint = stop === CH_DOLLAR ? ' (write "$${" for a literal "${")' : '';
        this.fail(`Expected "}" to close the ${what} started at line ${this.pos(seqStart).line}, column ${this.pos(seqStart).column}, found ${this.describe()}${hint}`);
      }
      token.end = this.i;
      tokens.push(token);
      j = this.i;
    }
    this.depth = savedDepth;
    this.newlineEnds = savedMode;
    return tokens;
  }

  /** The body of a `%{...}` directive, cursor after `%{~` and trivia. */
  private parseDirective(seqStart: number, templateDepth: number): TemplateToken {
    const src = this.src;
    const nameStart = this.i;
    const nameEnd = this.identEnd(nameStart);
    const name = src.slice(nameStart, nameEnd);
    this.i = nameEnd;
    switch (name) {
      case 'if': {
        this.enter(seqStart);
        this.skipTrivia(true);
        return templateToken(TOK_IF, seqStart, 0, this.parseExpr());
      }
      case 'for': {
        this.enter(seqStart);
        this.skipTrivia(true);
        const token = templateToken(TOK_FOR, seqStart, 0);
        token.valueVar = this.expectName('a variable name after "for"');
        this.skipTrivia(true);
        if (src.charCodeAt(this.i) === CH_COMMA) {
          this.i++;
          this.skipTrivia(true);
          token.keyVar = token.valueVar;
          token.valueVar = this.expectName('a second variable name after ","');
          this.skipTrivia(true);
        }
        if (!this.atKeyword('in')) this.fail(`Expected "in" in for directive, found ${this.describe()}`);
        this.i += 2;
        this.skipTrivia(true);
        token.expr = this.parseExpr();
        return token;
      }
      case 'else':
        return templateToken(TOK_ELSE, seqStart, 0);
      case 'endif':
      case 'endfor':
        if (this.depth > templateDepth) this.depth--;
        return templateToken(name === 'endif' ? TOK_ENDIF : TOK_ENDFOR, seqStart, 0);
      default:
        this.fail(`Expected a template directive (if, else, endif, for, endfor) after "%{", found ${nameEnd > nameStart ? `"${name}"` : this.describe(nameStart)}`, nameStart);
    }
  }

  /** If the line at `lineStart` is the heredoc's closing marker, the offset after the marker. */
  private heredocMarkerEnd(lineStart: number, marker: string): number {
    const src = this.src;
    let k = lineStart;
    while (src.charCodeAt(k) === CH_SPACE || src.charCodeAt(k) === CH_TAB) k++;
    if (!src.startsWith(marker, k)) return -1;
    const end = k + marker.length;
    let t = end;
    while (t < this.len) {
      const c = src.charCodeAt(t);
      if (c === CH_LF) break;
      if (c !== CH_SPACE && c !== CH_TAB && c !== CH_CR) return -1;
      t++;
    }
    return end;
  }

  /** Handles the escape at `at` (a backslash), pushing its text; returns the offset after it. */
  private decodeEscape(at: number, chunks: string[]): number {
    const src = this.src;
    const c = src.charCodeAt(at + 1);
    switch (c) {
      case CH_N_LOWER:
        chunks.push('\n');
        return at + 2;
      case CH_R_LOWER:
        chunks.push('\r');
        return at + 2;
      case CH_T_LOWER:
        chunks.push('\t');
        return at + 2;
      case CH_QUOTE:
        chunks.push('"');
        return at + 2;
      case CH_BACKSLASH:
        chunks.push('\\');
        return at + 2;
      case CH_U_LOWER:
      case CH_U_UPPER: {
        const digits = c === CH_U_LOWER ? 4 : 8;
        let cp = 0;
        for (let k = 0; k < digits; k++) {
          const h = hexValue(src.charCodeAt(at + 2 + k));
          if (h < 0) this.fail(`Invalid escape sequence: "\\${String.fromCharCode(c)}" needs ${digits} hexadecimal digits`, at);
          cp = cp * 16 + h;
        }
        if (cp > 0x10ffff) this.fail(`Invalid escape sequence: U+${cp.toString(16).toUpperCase()} is not a Unicode character`, at);
        // Lone surrogates cannot be encoded; Go (hclsyntax) substitutes U+FFFD as well.
        chunks.push(cp >= 0xd800 && cp <= 0xdfff ? '\ufffd' : String.fromCodePoint(cp));
        return at + 2 + digits;
      }
      default:
        if (at + 1 >= this.len) this.fail('Unterminated string: no closing quote before the end of the file', at);
        this.fail(`Invalid escape sequence "\\${src.charAt(at + 1)}" (valid: \\n \\r \\t \\" \\\\ \\uNNNN \\UNNNNNNNN)`, at);
    }
  }

  /**
   * Merges adjacent text tokens and matches `%{if}`/`%{else}`/`%{endif}` and
   * `%{for}`/`%{endfor}` into nested parts. Empty text is dropped, except that a template with
   * no parts at all gets one empty text part (so `""` is a one-literal template).
   */
  private buildTemplateParts(tokens: TemplateToken[], contentStart: number, contentEnd: number): TemplatePart[] {
    const root: TemplatePart[] = [];
    interface Frame {
      token: TemplateToken;
      first: TemplatePart[];
      second: TemplatePart[];
      inElse: boolean;
    }
    const stack: Frame[] = [];
    let current = root;
    for (let k = 0; k < tokens.length; k++) {
      const token = tokens[k]!;
      switch (token.kind) {
        case TOK_TEXT: {
          let last = k;
          while (last + 1 < tokens.length && tokens[last + 1]!.kind === TOK_TEXT) last++;
          let value = token.value;
          if (last > k) {
            const values: string[] = [];
            for (let m = k; m <= last; m++) values.push(tokens[m]!.value);
            value = values.join('');
          }
          if (value !== '') current.push({ kind: 'text', value, range: this.range(token.start, tokens[last]!.end) });
          k = last;
          break;
        }
        case TOK_INTERP:
          current.push({ kind: 'interpolation', expr: token.expr!, range: this.range(token.start, token.end) });
          break;
        case TOK_IF:
        case TOK_FOR: {
          const frame: Frame = { token, first: [], second: [], inElse: false };
          stack.push(frame);
          current = frame.first;
          break;
        }
        case TOK_ELSE: {
          const frame = stack[stack.length - 1];
          if (frame === undefined || frame.token.kind !== TOK_IF || frame.inElse) this.fail('Unexpected "%{else}": there is no open "%{if}" for it', token.start);
          frame.inElse = true;
          current = frame.second;
          break;
        }
        case TOK_ENDIF:
        case TOK_ENDFOR: {
          const opener = token.kind === TOK_ENDIF ? TOK_IF : TOK_FOR;
          const frame = stack.pop();
          if (frame === undefined || frame.token.kind !== opener) {
            const [close, open] = opener === TOK_IF ? ['endif', 'if'] : ['endfor', 'for'];
            this.fail(`Unexpected "%{${close}}": there is no open "%{${open}}" for it`, token.start);
          }
          const range = this.range(frame.token.start, token.end);
          const parent = stack.length > 0 ? stack[stack.length - 1]! : null;
          current = parent === null ? root : parent.inElse ? parent.second : parent.first;
          if (opener === TOK_IF) {
            current.push({ kind: 'if', condition: frame.token.expr!, then: frame.first, else: frame.second, range });
          } else {
            const t = frame.token;
            current.push({ kind: 'for', keyVar: t.keyVar, valueVar: t.valueVar, collection: t.expr!, body: frame.first, range });
          }
          break;
        }
      }
    }
    const open = stack[stack.length - 1];
    if (open !== undefined) {
      this.fail(`Unclosed "%{${open.token.kind === TOK_IF ? 'if' : 'for'}}": no "%{${open.token.kind === TOK_IF ? 'endif' : 'endfor'}}" before the end of the template`, open.token.start);
    }
    if (root.length === 0) root.push({ kind: 'text', value: '', range: this.range(contentStart, contentEnd) });
    return root;
  }
}

/** Precedence of binary operators; higher binds tighter. */
const PRECEDENCE: Record<BinaryOperator, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

/** A key that makes `[key]` a plain traversal step: a literal or a string without templates. */
function isLiteralKey(key: Expr): boolean {
  if (key.kind === 'literal') return true;
  return key.kind === 'template' && key.parts.length === 1 && key.parts[0]!.kind === 'text';
}

/** Appends a step to a traversal in place, or wraps any other expression in a relative traversal. */
function withStep(expr: Expr, step: Traverser): Expr {
  if (expr.kind === 'traversal' || expr.kind === 'relative-traversal') {
    expr.steps.push(step);
    expr.range.end = step.range.end;
    return expr;
  }
  return { kind: 'relative-traversal', source: expr, steps: [step], range: { start: expr.range.start, end: step.range.end } };
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * `<<-` heredocs: removes the smallest indentation of the lines from every line, exactly as
 * hclsyntax's flushHeredocTemplateParts does on its tokens. A line counts if it starts with
 * text; whitespace-only lines are ignored; a line starting with `${` or `%{` counts as zero.
 */
function stripHeredocIndent(tokens: TemplateToken[]): void {
  let minIndent = Infinity;
  let atLineStart = true;
  const lineStarts: TemplateToken[] = [];
  for (const token of tokens) {
    if (atLineStart) {
      atLineStart = false;
      let indent = 0;
      if (token.kind === TOK_TEXT) {
        const trimmed = token.value.trimStart();
        if (trimmed.length === 0 && token.value.endsWith('\n')) {
          indent = Infinity;
        } else {
          indent = token.value.length - trimmed.length;
          lineStarts.push(token);
        }
      }
      if (indent < minIndent) minIndent = indent;
    }
    if (token.kind === TOK_TEXT && token.value.endsWith('\n')) atLineStart = true;
  }
  if (minIndent === 0 || minIndent === Infinity) return;
  for (const token of lineStarts) {
    token.value = token.value.slice(minIndent);
    token.start += minIndent;
  }
}
