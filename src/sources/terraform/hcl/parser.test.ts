import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BlockNode, ConfigFile, Expr, Range, TemplateExpr, TemplatePart, Traverser } from './ast';
import { HclSyntaxError } from './ast';
import { parseHcl } from './parser';

const TESTDATA = join(fileURLToPath(new URL('.', import.meta.url)), 'testdata');

/** A compact, unambiguous rendering of an expression, so tables can state structure in one line. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value);
    case 'template':
      if (!e.heredoc && e.parts.length === 1 && e.parts[0]!.kind === 'text') return JSON.stringify(e.parts[0]!.value);
      return `${e.heredoc ? 'H' : ''}\`${e.parts.map(showPart).join('')}\``;
    case 'traversal':
      return e.root + e.steps.map(showStep).join('');
    case 'relative-traversal':
      return `rel(${show(e.source)})${e.steps.map(showStep).join('')}`;
    case 'index':
      return `idx(${show(e.collection)}, ${show(e.key)})`;
    case 'splat':
      return `splat${e.full ? '[*]' : '.*'}(${show(e.source)})${e.steps.map(showStep).join('')}`;
    case 'call':
      return `${e.name}(${e.args.map(show).join(', ')}${e.expandFinal ? '...' : ''})`;
    case 'tuple':
      return `[${e.items.map(show).join(', ')}]`;
    case 'object':
      return `{${e.items.map((item) => `${item.keyIsBareName ? (item.key as { root: string }).root : show(item.key)}=${show(item.value)}`).join(', ')}}`;
    case 'conditional':
      return `(${show(e.condition)} ? ${show(e.then)} : ${show(e.else)})`;
    case 'binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'unary':
      return `(${e.op}${show(e.operand)})`;
    case 'parens':
      return `paren(${show(e.expr)})`;
    case 'for': {
      const vars = e.keyVar === null ? e.valueVar : `${e.keyVar}, ${e.valueVar}`;
      const head = `for ${vars} in ${show(e.collection)} : `;
      const result = e.isObject ? `${show(e.keyExpr!)} => ${show(e.valueExpr)}${e.grouping ? '...' : ''}` : show(e.valueExpr);
      const cond = e.condition === null ? '' : ` if ${show(e.condition)}`;
      return e.isObject ? `{${head}${result}${cond}}` : `[${head}${result}${cond}]`;
    }
  }
}

function showPart(p: TemplatePart): string {
  switch (p.kind) {
    case 'text':
      return p.value;
    case 'interpolation':
      return `\${${show(p.expr)}}`;
    case 'if':
      return `%{if ${show(p.condition)}}${p.then.map(showPart).join('')}${p.else.length ? `%{else}${p.else.map(showPart).join('')}` : ''}%{endif}`;
    case 'for':
      return `%{for ${p.keyVar === null ? '' : `${p.keyVar}, `}${p.valueVar} in ${show(p.collection)}}${p.body.map(showPart).join('')}%{endfor}`;
  }
}

function showStep(s: Traverser): string {
  return s.kind === 'attr' ? `.${s.name}` : `[${show(s.key)}]`;
}

/** The expression of attribute `a` in `a = <source>`. */
function expr(source: string): Expr {
  const file = parseHcl(`a = ${source}\n`);
  assert.equal(file.body.attributes.length, 1);
  return file.body.attributes[0]!.expr;
}

/** "line:column-line:column" of a range. */
function at(r: Range): string {
  return `${r.start.line}:${r.start.column}-${r.end.line}:${r.end.column}`;
}

function text(source: string, r: Range): string {
  return source.slice(r.start.offset, r.end.offset);
}

function template(e: Expr): TemplateExpr {
  assert.equal(e.kind, 'template');
  return e as TemplateExpr;
}

/** Value of a template with no interpolation or directives. */
function templateText(e: Expr): string {
  return template(e)
    .parts.map((p) => {
      assert.equal(p.kind, 'text');
      return (p as { value: string }).value;
    })
    .join('');
}

function throwsSyntax(source: string, message: RegExp, line?: number, column?: number): void {
  assert.throws(
    () => parseHcl(source),
    (err: unknown) => {
      assert.ok(err instanceof HclSyntaxError, `expected HclSyntaxError, got ${String(err)}`);
      assert.match(err.message, message);
      assert.match(err.message, /at line \d+, column \d+$/);
      if (line !== undefined) assert.equal(err.position.line, line, err.message);
      if (column !== undefined) assert.equal(err.position.column, column, err.message);
      return true;
    },
  );
}

/** Every range in the tree must agree with its offset, computed the slow way. */
function checkPositions(source: string, file: ConfigFile): number {
  const chars = Array.from(source);
  const byOffset = new Map<number, [number, number]>();
  let line = 1;
  let column = 1;
  let offset = 0;
  for (const ch of chars) {
    byOffset.set(offset, [line, column]);
    offset += ch.length;
    if (ch === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  byOffset.set(offset, [line, column]);
  let count = 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (typeof o.line === 'number' && typeof o.offset === 'number') {
        const expected = byOffset.get(o.offset);
        assert.deepEqual([o.line, o.column], expected, `position at offset ${o.offset}`);
        count++;
        return;
      }
      for (const key of Object.keys(o)) visit(o[key]);
    }
  };
  visit(file);
  return count;
}

describe('parseHcl: bodies', () => {
  it('parses attributes and blocks with labels, with ranges', () => {
    const source = 'region = "eu-west-1"\n\nresource "aws_s3_bucket" logs {\n  bucket = "x"\n\n  versioning {\n    enabled = true\n  }\n}\n';
    const file = parseHcl(source);
    assert.equal(file.body.attributes.length, 1);
    const region = file.body.attributes[0]!;
    assert.equal(region.name, 'region');
    assert.equal(at(region.nameRange), '1:1-1:7');
    assert.equal(at(region.range), '1:1-1:21');
    assert.equal(at(file.body.range), '1:1-10:1');

    const block = file.body.blocks[0]!;
    assert.equal(block.type, 'resource');
    assert.deepEqual(block.labels, ['aws_s3_bucket', 'logs']);
    assert.deepEqual(block.labelRanges.map(at), ['3:10-3:25', '3:26-3:30']);
    assert.equal(at(block.typeRange), '3:1-3:9');
    assert.equal(at(block.range), '3:1-9:2');
    assert.equal(at(block.body.range), '3:31-9:2');
    assert.equal(text(source, block.body.range).at(0), '{');
    assert.equal(text(source, block.body.range).at(-1), '}');
    assert.equal(block.body.attributes[0]!.name, 'bucket');
    assert.equal(at(block.body.attributes[0]!.range), '4:3-4:15');
    const nested = block.body.blocks[0]!;
    assert.equal(nested.type, 'versioning');
    assert.deepEqual(nested.labels, []);
    assert.equal(at(nested.range), '6:3-8:4');
    assert.equal(show(nested.body.attributes[0]!.expr), 'true');
    assert.equal(nested.body.attributes[0]!.nameRange.start.line, 7);
  });

  it('parses one-line and empty blocks', () => {
    const file = parseHcl('a "b" { c = 1 }\nd {}\ne "f" "g" {\n}\nh { i = [1,\n 2] }');
    assert.deepEqual(
      file.body.blocks.map((b) => [b.type, b.labels, b.body.attributes.map((x) => `${x.name}=${show(x.expr)}`)]),
      [
        ['a', ['b'], ['c=1']],
        ['d', [], []],
        ['e', ['f', 'g'], []],
        ['h', [], ['i=[1, 2]']],
      ],
    );
    assert.equal(at(file.body.blocks[0]!.body.attributes[0]!.range), '1:9-1:14');
  });

  it('unescapes quoted labels', () => {
    const block = parseHcl('x "a\\"b" "\\u00e9" {}\n').body.blocks[0]!;
    assert.deepEqual(block.labels, ['a"b', 'é']);
    assert.equal(at(block.labelRanges[0]!), '1:3-1:9');
  });

  it('accepts names with dashes and underscores, and unicode names', () => {
    const file = parseHcl('my-attr_2 = other-name\n_x = 1\nnaïve = 2\n');
    assert.deepEqual(
      file.body.attributes.map((a) => `${a.name}=${show(a.expr)}`),
      ['my-attr_2=other-name', '_x=1', 'naïve=2'],
    );
  });

  it('handles an empty file, comments only, a BOM and CRLF line ends', () => {
    assert.deepEqual(parseHcl('').body.attributes, []);
    assert.equal(parseHcl('# nothing\n').comments.length, 1);
    const file = parseHcl('\ufeffa = 1\r\nb {\r\n  c = "x" # note\r\n}\r\n');
    assert.equal(file.body.attributes[0]!.name, 'a');
    assert.equal(file.body.blocks[0]!.body.attributes[0]!.nameRange.start.line, 3);
    assert.equal(file.comments[0]!.text, '# note');
    assert.equal(templateText(file.body.blocks[0]!.body.attributes[0]!.expr), 'x');
  });

  it('keeps __proto__ and other special names as plain data', () => {
    const file = parseHcl('__proto__ = { __proto__ = 1, constructor = 2, "toString" = 3 }\nconstructor "__proto__" {}\n');
    assert.equal(file.body.attributes[0]!.name, '__proto__');
    assert.equal(show(file.body.attributes[0]!.expr), '{__proto__=1, constructor=2, "toString"=3}');
    assert.deepEqual(file.body.blocks[0]!.labels, ['__proto__']);
    assert.equal(Object.getPrototypeOf(file.body.attributes[0]!), Object.prototype);
  });
});

describe('parseHcl: comments', () => {
  it('collects #, // and /* */ comments with ranges', () => {
    const source = '# hash\na = 1 // slash\n/* block\n   over lines */ b = 2\nc = [1, /* inline */ 2]\n';
    const file = parseHcl(source);
    assert.deepEqual(
      file.comments.map((c) => [c.text, at(c.range)]),
      [
        ['# hash', '1:1-1:7'],
        ['// slash', '2:7-2:15'],
        ['/* block\n   over lines */', '3:1-4:17'],
        ['/* inline */', '5:9-5:21'],
      ],
    );
    assert.deepEqual(file.comments.map((c) => text(source, c.range)), file.comments.map((c) => c.text));
    assert.deepEqual(file.body.attributes.map((a) => a.name), ['a', 'b', 'c']);
  });

  it('does not treat # or // inside strings and heredocs as comments', () => {
    const file = parseHcl('a = "# not // a comment"\nb = <<EOT\n# nor this\nEOT\n');
    assert.equal(file.comments.length, 0);
    assert.equal(templateText(file.body.attributes[1]!.expr), '# nor this\n');
  });

  it('accepts comments inside multi-line expressions', () => {
    const e = expr('[\n  1, # one\n  // two\n  2,\n]');
    assert.equal(show(e), '[1, 2]');
  });
});

describe('parseHcl: literals', () => {
  const table: [string, string][] = [
    ['0', '0'],
    ['42', '42'],
    ['3.25', '3.25'],
    ['1e3', '1000'],
    ['1E+2', '100'],
    ['2.5e-3', '0.0025'],
    ['true', 'true'],
    ['false', 'false'],
    ['null', 'null'],
  ];
  for (const [source, expected] of table) {
    it(`parses ${source}`, () => {
      const e = expr(source);
      assert.equal(e.kind, 'literal');
      assert.equal(show(e), expected);
      assert.equal(at(e.range), `1:5-1:${5 + source.length}`);
    });
  }

  it('parses a negative number as unary minus', () => {
    assert.equal(show(expr('-1.5')), '(-1.5)');
  });
});

describe('parseHcl: quoted templates', () => {
  const table: [string, string][] = [
    ['"plain"', '"plain"'],
    ['""', '""'],
    ['"a\\nb\\tc\\"d\\\\e\\r"', JSON.stringify('a\nb\tc"d\\e\r')],
    ['"\\u00e9\\U0001F600"', '"é😀"'],
    ['"$${not} %%{not}"', '"${not} %{not}"'],
    ['"cost: $5 and 100% and $$"', '"cost: $5 and 100% and $$"'],
    ['"${var.name}"', '`${var.name}`'],
    ['"a-${b}-c"', '`a-${b}-c`'],
    ['"${a}${b}"', '`${a}${b}`'],
    ['"${"nested ${x}"}"', '`${`nested ${x}`}`'],
    ['"x${ 1 + 2 }y"', '`x${(1 + 2)}y`'],
    ['"%{ if a }yes%{ else }no%{ endif }"', '`%{if a}yes%{else}no%{endif}`'],
    ['"%{if a}yes%{endif}"', '`%{if a}yes%{endif}`'],
    ['"%{ for k, v in m }${k}=${v};%{ endfor }"', '`%{for k, v in m}${k}=${v};%{endfor}`'],
    ['"%{for x in xs}%{if x}[${x}]%{endif}%{endfor}"', '`%{for x in xs}%{if x}[${x}]%{endif}%{endfor}`'],
    ['"a ${~ b ~} c"', '`a${b}c`'],
    ['"a %{~ if x ~} b %{~ endif ~} c"', '`a%{if x}b%{endif}c`'],
    ['"${x ~}  \\n y"', '`${x}y`'],
  ];
  for (const [source, expected] of table) {
    it(`parses ${source}`, () => {
      const e = expr(source);
      assert.equal(e.kind, 'template');
      assert.equal(show(e), expected);
      assert.equal(at(e.range), `1:5-1:${5 + source.length}`);
    });
  }

  it('gives text, interpolation and directive parts accurate ranges', () => {
    const source = 'a = "pre-${var.x}%{if c}T%{endif}"\n';
    const parts = template(parseHcl(source).body.attributes[0]!.expr).parts;
    assert.deepEqual(
      parts.map((p) => [p.kind, text(source, p.range)]),
      [
        ['text', 'pre-'],
        ['interpolation', '${var.x}'],
        ['if', '%{if c}T%{endif}'],
      ],
    );
    const interp = parts[1] as { expr: Expr };
    assert.equal(at(interp.expr.range), '1:12-1:17');
  });

  it('keeps the text range over the escapes', () => {
    const source = 'a = "x\\ny"\n';
    const part = template(parseHcl(source).body.attributes[0]!.expr).parts[0]!;
    assert.equal(text(source, part.range), 'x\\ny');
  });

  it('allows line breaks inside an interpolation', () => {
    assert.equal(show(expr('"${\n  join(",",\n    list)\n}"')), '`${join(",", list)}`');
  });
});

describe('parseHcl: heredocs', () => {
  it('parses <<EOF with interpolation and keeps indentation', () => {
    const source = 'policy = <<EOF\n  {\n    "a": "${var.x}"\n  }\nEOF\nnext = 1\n';
    const file = parseHcl(source);
    const e = template(file.body.attributes[0]!.expr);
    assert.equal(e.heredoc, true);
    assert.equal(show(e), 'H`  {\n    "a": "${var.x}"\n  }\n`');
    assert.equal(at(e.range), '1:10-5:4');
    assert.equal((e.parts[1] as { expr: Expr }).expr.range.start.line, 3);
    assert.equal(file.body.attributes[1]!.name, 'next');
  });

  it('strips the common indentation of <<-EOF', () => {
    const e = expr('<<-EOT\n    line one\n      indented ${x}\n\n    last\n  EOT');
    assert.equal(show(e), 'H`line one\n  indented ${x}\n\nlast\n`');
  });

  it('follows hclsyntax for lines that start with a template sequence', () => {
    // A line starting with `${` at column 1 counts as zero indentation, so nothing is stripped.
    assert.equal(show(expr('<<-EOT\n    a\n${b}\n  EOT')), 'H`    a\n${b}\n`');
    assert.equal(show(expr('<<-EOT\n    a\n  ${b}\n  EOT')), 'H`  a\n${b}\n`');
  });

  it('parses directives and strip markers inside heredocs', () => {
    const e = expr('<<EOT\n%{ for p in pkgs ~}\ninstall ${p}\n%{ endfor ~}\ndone\nEOT');
    assert.equal(show(e), 'H`%{for p in pkgs}install ${p}\n%{endfor}done\n`');
  });

  it('applies ~ before <<- indentation, per line, as hclsyntax does', () => {
    // `~}` eats only the rest of its own line, and the next line then does not count as a line
    // start for <<- (hclsyntax's token model), so its indentation stays.
    const e = expr('<<-EOT\n  %{ for p in pkgs ~}\n  install ${p}\n  %{ endfor ~}\n  done\nEOT');
    assert.equal(show(e), 'H`%{for p in pkgs}  install ${p}\n%{endfor}  done\n`');
  });

  it('does not unescape backslashes in heredocs', () => {
    assert.equal(templateText(expr('<<EOT\na\\nb "q" $${x}\nEOT')), 'a\\nb "q" ${x}\n');
  });

  it('ends only at a line holding just the marker', () => {
    assert.equal(templateText(expr('<<EOT\nNOT EOT\nEOTX\n  EOT  ')), 'NOT EOT\nEOTX\n');
    assert.equal(templateText(expr('<<EOT\nEOT')), '');
  });

  it('handles CRLF line ends', () => {
    const file = parseHcl('a = <<EOT\r\nline\r\nEOT\r\nb = 2\r\n');
    assert.equal(templateText(file.body.attributes[0]!.expr), 'line\r\n');
    assert.equal(file.body.attributes[1]!.name, 'b');
  });

  it('works as a function argument and inside objects', () => {
    assert.equal(show(expr('jsonencode(<<EOT\n{}\nEOT\n)')), 'jsonencode(H`{}\n`)');
    assert.equal(show(expr('{\n  a = <<EOT\nx\nEOT\n  b = 1\n}')), '{a=H`x\n`, b=1}');
  });
});

describe('parseHcl: operators', () => {
  const table: [string, string][] = [
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 * 2 + 3', '((1 * 2) + 3)'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b % c * d', '(((a / b) % c) * d)'],
    ['a < b == c >= d', '((a < b) == (c >= d))'],
    ['a == b != c', '((a == b) != c)'],
    ['a <= b && c > d', '((a <= b) && (c > d))'],
    ['a || b && c', '(a || (b && c))'],
    ['!a && b', '((!a) && b)'],
    ['!!a', '(!(!a))'],
    ['-a.b * 2', '((-a.b) * 2)'],
    ['1 - -2', '(1 - (-2))'],
    ['a + b == c * d', '((a + b) == (c * d))'],
    ['(a + b) * c', '(paren((a + b)) * c)'],
    ['a ? b : c', '(a ? b : c)'],
    ['a || b ? c + 1 : d', '((a || b) ? (c + 1) : d)'],
    ['a ? b : c ? d : e', '(a ? b : (c ? d : e))'],
    ['a ? b ? c : d : e', '(a ? (b ? c : d) : e)'],
    ['x != null ? x : "default"', '((x != null) ? x : "default")'],
    ['a &&\n  b', '(a && b)'],
  ];
  for (const [source, expected] of table) {
    it(`parses ${JSON.stringify(source)}`, () => {
      assert.equal(show(expr(source)), expected);
    });
  }

  it('gives binary and conditional nodes the full range', () => {
    const e = expr('a + b * c ? 1 : 2');
    assert.equal(at(e.range), '1:5-1:22');
    assert.equal(e.kind, 'conditional');
  });
});

describe('parseHcl: traversals and splats', () => {
  const table: [string, string][] = [
    ['var.name', 'var.name'],
    ['local.a.b.c', 'local.a.b.c'],
    ['aws_instance.web[0].id', 'aws_instance.web[0].id'],
    ['var.map["key"].x', 'var.map["key"].x'],
    ['aws_instance.web.0.id', 'aws_instance.web[0].id'],
    ['a.0.1', 'a[0][1]'],
    ['var.list[count.index]', 'idx(var.list, count.index)'],
    ['var.list[count.index].id', 'rel(idx(var.list, count.index)).id'],
    ['var.m["${k}"]', 'idx(var.m, `${k}`)'],
    ['f(x).a[0]', 'rel(f(x)).a[0]'],
    ['(x)[0]', 'rel(paren(x))[0]'],
    ['[1, 2][0]', 'rel([1, 2])[0]'],
    ['aws_instance.web[*].id', 'splat[*](aws_instance.web).id'],
    ['aws_instance.web[*]', 'splat[*](aws_instance.web)'],
    ['a[*].b[0].c', 'splat[*](a).b[0].c'],
    ['a[*].tags[var.k]', 'splat[*](a).tags[var.k]'],
    ['aws_instance.web.*.id', 'splat.*(aws_instance.web).id'],
    ['a.*.b.0', 'splat.*(a).b[0]'],
    ['a.*.b[0]', 'rel(splat.*(a).b)[0]'],
    ['a[*].b[*].c', 'splat[*](splat[*](a).b).c'],
    ['var.x[ 0 ]', 'var.x[0]'],
    ['each.value', 'each.value'],
    ['count.index', 'count.index'],
  ];
  for (const [source, expected] of table) {
    it(`parses ${source}`, () => {
      const e = expr(source);
      assert.equal(show(e), expected);
      assert.equal(at(e.range), `1:5-1:${5 + source.length}`);
    });
  }

  it('gives each step its range', () => {
    const source = 'a = aws_instance.web[0].id\n';
    const e = parseHcl(source).body.attributes[0]!.expr;
    assert.equal(e.kind, 'traversal');
    if (e.kind !== 'traversal') return;
    assert.deepEqual(e.steps.map((s) => text(source, s.range)), ['.web', '[0]', '.id']);
  });
});

describe('parseHcl: function calls', () => {
  const table: [string, string][] = [
    ['f()', 'f()'],
    ['length(var.list)', 'length(var.list)'],
    ['merge(a, b, )', 'merge(a, b)'],
    ['max(var.sizes...)', 'max(var.sizes...)'],
    ['merge(a, b...,)', 'merge(a, b...)'],
    ['provider::aws::arn_parse(x)', 'provider::aws::arn_parse(x)'],
    ['coalesce(\n  a,\n  b\n)', 'coalesce(a, b)'],
    ['lookup(m, "k", null).x', 'rel(lookup(m, "k", null)).x'],
    ['format ("%s", x)', 'format("%s", x)'],
  ];
  for (const [source, expected] of table) {
    it(`parses ${JSON.stringify(source)}`, () => {
      const e = expr(source);
      assert.equal(show(e), expected);
    });
  }

  it('ranges a call from its name to the closing parenthesis', () => {
    assert.equal(at(expr('f(1,\n 2)').range), '1:5-2:4');
  });
});

describe('parseHcl: tuples and objects', () => {
  const table: [string, string][] = [
    ['[]', '[]'],
    ['[1, "two", three]', '[1, "two", three]'],
    ['[1, 2, ]', '[1, 2]'],
    ['[\n  1,\n  2\n]', '[1, 2]'],
    ['[[1], [2, [3]]]', '[[1], [2, [3]]]'],
    ['{}', '{}'],
    ['{ a = 1, b = 2 }', '{a=1, b=2}'],
    ['{ a = 1, }', '{a=1}'],
    ['{\n  a = 1\n  b = 2\n\n}', '{a=1, b=2}'],
    ['{ a : 1, "b" : 2 }', '{a=1, "b"=2}'],
    ['{ "key with spaces" = 1 }', '{"key with spaces"=1}'],
    ['{ (var.k) = 1, "${p}-x" = 2 }', '{paren(var.k)=1, `${p}-x`=2}'],
    ['{ a = { b = [1, {c = 2}] } }', '{a={b=[1, {c=2}]}}'],
    ['{ null = 1, true = 2, for = 3, if = 4 }', '{null=1, true=2, for=3, if=4}'],
    ['{ a = 1 + 2, b = x ? y : z }', '{a=(1 + 2), b=(x ? y : z)}'],
    ['{ a = [\n 1,\n 2\n] }', '{a=[1, 2]}'],
    ['{ a = (1\n + 2) }', '{a=paren((1 + 2))}'],
    ['{ a = f(1,\n 2) }', '{a=f(1, 2)}'],
  ];
  for (const [source, expected] of table) {
    it(`parses ${JSON.stringify(source)}`, () => {
      assert.equal(show(expr(source)), expected);
    });
  }

  it('marks bare keys and keeps others as expressions', () => {
    const e = expr('{ a = 1, "b" = 2, (c) = 3, d.e = 4 }');
    assert.equal(e.kind, 'object');
    if (e.kind !== 'object') return;
    assert.deepEqual(e.items.map((i) => i.keyIsBareName), [true, false, false, false]);
    assert.equal(at(e.items[0]!.key.range), '1:7-1:8');
  });
});

describe('parseHcl: for expressions', () => {
  const table: [string, string][] = [
    ['[for v in var.list : upper(v)]', '[for v in var.list : upper(v)]'],
    ['[for i, v in var.list : "${i}=${v}" if v != ""]', '[for i, v in var.list : `${i}=${v}` if (v != "")]'],
    ['{for k, v in var.map : k => v}', '{for k, v in var.map : k => v}'],
    ['{for s in var.users : s.team => s.name...}', '{for s in var.users : s.team => s.name...}'],
    ['{for s in var.users : s.team => s.name... if s.active}', '{for s in var.users : s.team => s.name... if s.active}'],
    ['[\n  for v in xs :\n  v\n  if v\n]', '[for v in xs : v if v]'],
    ['[for v in a ? b : c : v ? 1 : 2]', '[for v in (a ? b : c) : (v ? 1 : 2)]'],
    ['[for x in [for y in ys : y] : [for z in x : z]]', '[for x in [for y in ys : y] : [for z in x : z]]'],
    ['[for, 1]', '[for, 1]'],
  ];
  for (const [source, expected] of table) {
    it(`parses ${JSON.stringify(source)}`, () => {
      assert.equal(show(expr(source)), expected);
    });
  }

  it('records the variables and the range', () => {
    const e = expr('{ for k, v in m : k => v }');
    assert.equal(e.kind, 'for');
    if (e.kind !== 'for') return;
    assert.deepEqual([e.keyVar, e.valueVar, e.isObject, e.grouping, e.condition], ['k', 'v', true, false, null]);
    assert.equal(at(e.range), '1:5-1:31');
  });
});

describe('parseHcl: line breaks', () => {
  it('ends attributes at line breaks but ignores them inside brackets', () => {
    const file = parseHcl('a = f(\n1,\n2\n)\nb = [\n3\n]\nc = (\n4\n)\nd = 5\n');
    assert.deepEqual(file.body.attributes.map((x) => `${x.name}=${show(x.expr)}`), ['a=f(1, 2)', 'b=[3]', 'c=paren(4)', 'd=5']);
  });

  it('does not continue an expression on the next line', () => {
    throwsSyntax('a = b\n.c\n', /Expected an attribute or block definition, found "\."/, 2, 1);
    throwsSyntax('a = b\n? c : d\n', /found "\?"/, 2, 1);
  });
});

describe('parseHcl: syntax errors', () => {
  const table: [string, RegExp, number, number][] = [
    ['a = ', /Expected an expression, found the end of the file/, 1, 5],
    ['a =\n1', /Expected an expression, found a line break/, 1, 4],
    ['a = 1 b = 2', /Expected a line break after attribute "a", found "b"/, 1, 7],
    ['a = 1, b = 2', /not commas/, 1, 6],
    ['"a" = 1', /not quoted/, 1, 1],
    ['a = "unterminated\nb = 1', /Unterminated string/, 1, 5],
    ['a = "unterminated', /Unterminated string/, 1, 5],
    ['a = "bad \\q escape"', /Invalid escape sequence "\\q"/, 1, 10],
    ['a = "\\u12"', /needs 4 hexadecimal digits/, 1, 6],
    ['a = "${x"', /Expected "}" to close the interpolation/, 1, 9],
    ['a = "${}"', /Expected an expression, found "}"/, 1, 8],
    ['a = "%{ if x }y"', /Unclosed "%\{if\}"/, 1, 6],
    ['a = "%{ endif }"', /Unexpected "%\{endif\}"/, 1, 6],
    ['a = "%{ else }"', /Unexpected "%\{else\}"/, 1, 6],
    ['a = "%{ if x }%{ endfor }"', /Unexpected "%\{endfor\}"/, 1, 15],
    ['a = "%{ bogus }"', /Expected a template directive .* found "bogus"/, 1, 9],
    ['a = <<EOT\nno end\n', /Unterminated heredoc/, 1, 5],
    ['a = <<EOT x\n', /Expected a line break after heredoc marker/, 1, 11],
    ['a = << EOT\n', /heredoc marker name/, 1, 7],
    ['/* never closed', /Unterminated comment/, 1, 1],
    ['a = [1 2]', /Expected "," or "]" in tuple, found "2"/, 1, 8],
    ['a = [1, 2', /Expected "," or "]" in tuple, found the end of the file/, 1, 10],
    ['a = [1,', /Unclosed tuple/, 1, 5],
    ['a = {b = 1 c = 2}', /Expected a line break, "," or "}" after object item, found "c"/, 1, 12],
    ['a = {b}', /Expected "=" or ":" after object key, found "}"/, 1, 7],
    ['a = {\n', /Unclosed object/, 1, 5],
    ['a = f(1 2)', /Expected "," or "\)" in call to f\(\)/, 1, 9],
    ['a = f(x..., y)', /only the last argument can be expanded/, 1, 13],
    ['a = f(', /Unclosed call to f\(\)/, 1, 6],
    ['a = (1', /Expected "\)" to close the "\(" at line 1, column 5/, 1, 7],
    ['a = x.', /Expected an attribute name after "\.", found the end of the file/, 1, 7],
    ['a = x[1', /Expected "]" to close the index/, 1, 8],
    ['a = x[*', /Expected "]" after "\[\*"/, 1, 8],
    ['a = b ? c', /Expected ":" in conditional expression/, 1, 10],
    ['a = [for x in y]', /Expected ":" after the collection/, 1, 16],
    ['a = [for x in y : x => x]', /only allowed in an object for expression/, 1, 21],
    ['a = {for x in y : x}', /Expected "=>"/, 1, 20],
    ['a = [for x in y : x...]', /Grouping "\.\.\." is only allowed/, 1, 20],
    ['a = [for x y : x]', /Expected "in"/, 1, 12],
    ['a = p::(1)', /Expected a function name after "::"/, 1, 8],
    ['a = p::f', /Expected "\(" after function name "p::f"/, 1, 9],
    ['b {\n  c = 1\n', /Unclosed block/, 1, 3],
    ['b "x" = 1', /Expected "\{" to open block "b", found "="/, 1, 7],
    ['b "${x}" {}', /Block labels must be plain strings/, 1, 4],
    ['b {} c {}', /Expected a line break after block "b", found "c"/, 1, 6],
    ['}', /Unexpected "}"/, 1, 1],
    ['a = 1 }', /Expected a line break after attribute "a", found "}"/, 1, 7],
    ['a = @', /Expected an expression, found "@"/, 1, 5],
    ['a = \u0000', /Expected an expression, found character U\+0000/, 1, 5],
    ['\n\n  😀 = 1', /found character U\+1F600/, 3, 3],
    ['a = "😀" + @', /found "@"/, 1, 11],
  ];
  for (const [source, message, line, column] of table) {
    it(`rejects ${JSON.stringify(source)}`, () => {
      throwsSyntax(source, message, line, column);
    });
  }

  it('names the line and column in the message', () => {
    assert.throws(() => parseHcl('a = 1\nb = [1,\n  2 3]\n'), {
      name: 'HclSyntaxError',
      message: 'Expected "," or "]" in tuple, found "3" at line 3, column 5',
    });
  });

  it('rejects nesting deeper than the limit instead of overflowing the stack', () => {
    throwsSyntax(`a = ${'['.repeat(300)}${']'.repeat(300)}`, /Nesting is too deep/);
    throwsSyntax(`${'b {\n'.repeat(300)}${'}\n'.repeat(300)}`, /Nesting is too deep/);
    throwsSyntax(`a = ${'!'.repeat(300)}x`, /Nesting is too deep/);
    throwsSyntax(`a = ${Array(300).fill('x').join(' + ')}`, /Nesting is too deep/);
    throwsSyntax(`a = "${'%{ if x }'.repeat(300)}"`, /Nesting is too deep/);
    throwsSyntax(`a = x${'[y'.repeat(300)}`, /Nesting is too deep/);
    // Realistic depth is fine.
    assert.equal(show(expr(`${'['.repeat(50)}${']'.repeat(50)}`)).length, 100);
  });
});

describe('parseHcl: positions', () => {
  it('counts columns in characters, not UTF-16 units', () => {
    const source = 'a = "😀😀" # 😀\nb = "é" + x\n';
    const file = parseHcl(source);
    assert.equal(at(file.body.attributes[0]!.expr.range), '1:5-1:9');
    assert.equal(at(file.comments[0]!.range), '1:10-1:13');
    assert.equal(at(file.body.attributes[1]!.expr.range), '2:5-2:12');
    checkPositions(source, file);
  });

  it('gives every node of the fixtures a correct line, column and offset', () => {
    for (const name of readdirSync(TESTDATA)) {
      const source = readFileSync(join(TESTDATA, name), 'utf8');
      const count = checkPositions(source, parseHcl(source));
      assert.ok(count > 100, `${name}: only ${count} positions`);
    }
  });
});

describe('parseHcl: realistic files', () => {
  const source = readFileSync(join(TESTDATA, 'notebook-stack.tf'), 'utf8');
  const file = parseHcl(source);
  const lineOf = (needle: string) => source.slice(0, source.indexOf(needle)).split('\n').length;
  const block = (type: string, ...labels: string[]): BlockNode => {
    const found = file.body.blocks.find((b) => b.type === type && labels.every((l, i) => b.labels[i] === l));
    assert.ok(found, `${type} ${labels.join(' ')}`);
    return found;
  };
  const attribute = (b: BlockNode, name: string): Expr => {
    const found = b.body.attributes.find((a) => a.name === name);
    assert.ok(found, name);
    return found.expr;
  };

  it('finds every top-level block with its line', () => {
    assert.deepEqual(
      file.body.blocks.map((b) => `${b.range.start.line}:${[b.type, ...b.labels].join(' ')}`),
      [
        '4:terraform',
        '14:locals',
        '28:resource aws_vpc main',
        '34:resource aws_subnet private',
        '46:resource aws_security_group notebook',
        '69:resource aws_iam_role notebook',
        '83:resource aws_iam_role_policy notebook_s3',
        '96:resource aws_sagemaker_notebook_instance shared',
        '107:resource aws_sagemaker_notebook_instance per_user',
        '129:module logging',
        '135:output notebook_urls',
      ],
    );
    assert.equal(file.comments.length, 2);
    assert.equal(file.body.blocks.at(-1)!.range.end.line, 137);
  });

  it('parses locals with for expressions', () => {
    const locals = block('locals');
    assert.equal(show(attribute(locals, 'subnet_cidrs')), '{for index, az in local.azs : az => cidrsubnet(var.vpc_cidr, 8, index)}');
    assert.equal(show(attribute(locals, 'notebook_users')), 'toset([for u in var.users : lower(u) if (u != "")])');
    assert.equal(show(attribute(locals, 'tags_by_team')), '{for user in var.users : user.team => user.name...}');
    assert.equal(attribute(locals, 'common_tags').range.end.line, lineOf('common_tags') + 3);
  });

  it('parses notebooks with count, for_each and dynamic blocks', () => {
    const shared = block('resource', 'aws_sagemaker_notebook_instance', 'shared');
    assert.equal(show(attribute(shared, 'count')), '(var.create_shared ? 1 : 0)');
    assert.equal(show(attribute(shared, 'subnet_id')), 'aws_subnet.private["eu-west-1a"].id');
    assert.equal(show(attribute(shared, 'direct_internet_access')), '"Disabled"');

    const perUser = block('resource', 'aws_sagemaker_notebook_instance', 'per_user');
    assert.equal(show(attribute(perUser, 'for_each')), 'local.notebook_users');
    assert.equal(show(attribute(perUser, 'direct_internet_access')), '(var.allow_internet ? "Enabled" : "Disabled")');
    assert.equal(show(attribute(perUser, 'volume_size')), '((5 * 4) + 10)');
    const access = perUser.body.attributes.find((a) => a.name === 'direct_internet_access')!;
    assert.equal(access.range.start.line, lineOf('direct_internet_access = var.allow_internet'));
    assert.equal(access.range.start.column, 3);
    const dynamic = perUser.body.blocks[0]!;
    assert.equal(dynamic.type, 'dynamic');
    assert.deepEqual(dynamic.labels, ['instance_metadata_service_configuration']);
    assert.equal(show(attribute(dynamic, 'for_each')), '(var.imds_v2 ? [1] : [])');
    assert.equal(show(attribute(dynamic.body.blocks[0]!, 'minimum_instance_metadata_service_version')), '"2"');
    assert.equal(show(attribute(perUser.body.blocks[1]!, 'ignore_changes')), '[tags["LastModified"]]');

    const sg = block('resource', 'aws_security_group', 'notebook');
    assert.deepEqual(sg.body.blocks.map((b) => b.type), ['dynamic', 'egress']);
    assert.equal(show(attribute(sg.body.blocks[0]!, 'iterator')), 'rule');
  });

  it('parses heredoc policies', () => {
    const role = attribute(block('resource', 'aws_iam_role', 'notebook'), 'assume_role_policy');
    const policy = JSON.parse(templateText(role));
    assert.equal(policy.Statement[0].Principal.Service, 'sagemaker.amazonaws.com');
    assert.match(templateText(role), /^\{\n {2}"Version"/);
    assert.equal(role.range.start.line, lineOf('<<-EOT'));
    assert.equal(role.range.end.line, lineOf('  EOT'));

    const inline = template(attribute(block('resource', 'aws_iam_role_policy', 'notebook_s3'), 'policy'));
    assert.deepEqual(inline.parts.map((p) => p.kind), ['text', 'interpolation', 'text']);
    assert.equal(show((inline.parts[1] as { expr: Expr }).expr), 'var.bucket');
    assert.equal(inline.parts[1]!.range.start.line, lineOf('${var.bucket}'));
  });

  it('parses module blocks and outputs with splats', () => {
    const module = block('module', 'logging');
    assert.equal(show(attribute(module, 'source')), '"./modules/logging"');
    assert.equal(show(attribute(module, 'ids')), 'splat[*](aws_sagemaker_notebook_instance.shared).id');
    assert.equal(show(attribute(block('output', 'notebook_urls'), 'value')), '{for name, nb in aws_sagemaker_notebook_instance.per_user : name => nb.url}');
  });

  it('parses the other fixtures', () => {
    const network = parseHcl(readFileSync(join(TESTDATA, 'network-module.tf'), 'utf8'));
    assert.equal(network.comments.length, 1);
    const route = network.body.blocks.find((b) => b.labels[1] === 'edge_default')!;
    assert.equal(show(route.body.attributes.find((a) => a.name === 'gateway_id')!.expr), 'rel(splat.*(aws_internet_gateway.core).id)[0]');
    assert.equal(show(route.body.attributes.find((a) => a.name === 'route_table_id')!.expr), 'aws_route_table.edge[0].id');

    const templates = parseHcl(readFileSync(join(TESTDATA, 'templates-and-functions.tf'), 'utf8'));
    const locals = templates.body.blocks[0]!;
    const local = (name: string) => locals.body.attributes.find((a) => a.name === name)!.expr;
    assert.equal(
      show(local('user_data')),
      // Lines right after a `~}` keep their indentation (see the heredoc tests).
      'H`#!/bin/bash\nset -euo pipefail\n%{for pkg in var.packages}    yum install -y ${pkg}\n%{endfor}    %{if var.enable_ssm}\nsystemctl enable amazon-ssm-agent\n%{else}\necho "SSM disabled"\n%{endif}\necho "done: ${HOME} and %{literal}"\n`',
    );
    assert.equal(show(local('greeting')), '`Hello, %{if (var.name != "")}${var.name}%{else}world%{endif}!`');
    assert.equal(templateText(local('escaped')), 'tab:\t quote:" backslash:\\ unicode:é astral:😀');
    assert.equal(show(local('arn_parts')), 'provider::aws::arn_parse(var.role_arn)');
    assert.equal(show(local('merged')), 'merge(var.defaults, var.overrides...)');
    assert.equal(show(local('arithmetic')), '((-var.offset) + (((2 * paren((var.count - 1))) / 4) % 3))');
  });
});
