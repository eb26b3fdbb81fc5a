import type { Expr, TemplatePart, Traverser } from './hcl/ast';

/**
 * Writes an expression back as Terraform source, compactly. Used to describe what a reference
 * or unknown value depends on (`element(aws_subnet.private[*].id, 0)`), not to reproduce files.
 */
export function renderExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return expr.value === null ? 'null' : String(expr.value);
    case 'template':
      return `"${renderTemplateParts(expr.parts)}"`;
    case 'traversal':
      return expr.root + renderSteps(expr.steps);
    case 'relative-traversal':
      return renderExpr(expr.source) + renderSteps(expr.steps);
    case 'index':
      return `${renderExpr(expr.collection)}[${renderExpr(expr.key)}]`;
    case 'splat':
      return `${renderExpr(expr.source)}${expr.full ? '[*]' : '.*'}${renderSteps(expr.steps)}`;
    case 'call':
      return `${expr.name}(${expr.args.map(renderExpr).join(', ')}${expr.expandFinal ? '...' : ''})`;
    case 'tuple':
      return `[${expr.items.map(renderExpr).join(', ')}]`;
    case 'object':
      return `{ ${expr.items.map((i) => `${renderExpr(i.key)} = ${renderExpr(i.value)}`).join(', ')} }`;
    case 'conditional':
      return `${renderExpr(expr.condition)} ? ${renderExpr(expr.then)} : ${renderExpr(expr.else)}`;
    case 'binary':
      return `${renderExpr(expr.left)} ${expr.op} ${renderExpr(expr.right)}`;
    case 'unary':
      return `${expr.op}${renderExpr(expr.operand)}`;
    case 'parens':
      return `(${renderExpr(expr.expr)})`;
    case 'for': {
      const vars = expr.keyVar ? `${expr.keyVar}, ${expr.valueVar}` : expr.valueVar;
      const body = expr.isObject
        ? `${expr.keyExpr ? renderExpr(expr.keyExpr) : ''} => ${renderExpr(expr.valueExpr)}${expr.grouping ? '...' : ''}`
        : renderExpr(expr.valueExpr);
      const cond = expr.condition ? ` if ${renderExpr(expr.condition)}` : '';
      const [open, close] = expr.isObject ? ['{', '}'] : ['[', ']'];
      return `${open}for ${vars} in ${renderExpr(expr.collection)} : ${body}${cond}${close}`;
    }
  }
}

export function renderSteps(steps: readonly Traverser[]): string {
  return steps.map((s) => (s.kind === 'attr' ? `.${s.name}` : `[${renderExpr(s.key)}]`)).join('');
}

function renderTemplateParts(parts: readonly TemplatePart[]): string {
  return parts
    .map((p) => {
      switch (p.kind) {
        case 'text':
          return p.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
        case 'interpolation':
          return `\${${renderExpr(p.expr)}}`;
        case 'if':
          return `%{if ${renderExpr(p.condition)}}${renderTemplateParts(p.then)}${p.else.length ? `%{else}${renderTemplateParts(p.else)}` : ''}%{endif}`;
        case 'for':
          return `%{for ${p.keyVar ? `${p.keyVar}, ` : ''}${p.valueVar} in ${renderExpr(p.collection)}}${renderTemplateParts(p.body)}%{endfor}`;
      }
    })
    .join('');
}

/** An instance key as Terraform writes it in addresses: `[0]`, `["alpha"]`. */
export function renderInstanceKey(key: string | number): string {
  return typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`;
}
