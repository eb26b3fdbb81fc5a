import { HclSyntaxError, type Range, type TemplatePart } from './hcl/ast';
import { parseHcl } from './hcl/parser';

const NO_RANGE: Range = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

/**
 * Parses text as a Terraform template (a `templatefile` file, a string of the JSON syntax).
 * The HCL parser has no entry point for a bare template, so the text is wrapped in a heredoc,
 * whose content takes `${}` and `%{}` sequences but no backslash escapes, as these texts do.
 * Positions in errors are lines of `text`.
 */
export function parseTemplateText(text: string): TemplatePart[] {
  if (!text.includes('${') && !text.includes('%{')) return [{ kind: 'text', value: text, range: NO_RANGE }];
  let marker = 'CLOUDCONFORM_TEMPLATE';
  while (text.includes(marker)) marker += '_';
  let config;
  try {
    config = parseHcl(`v = <<${marker}\n${text}\n${marker}\n`);
  } catch (e) {
    if (e instanceof HclSyntaxError) {
      const line = Math.max(1, e.position.line - 1);
      throw new HclSyntaxError(e.message.replace(/ at line \d+, column \d+$/, ''), { ...e.position, line });
    }
    throw e;
  }
  const expr = config.body.attributes[0]?.expr;
  if (!expr || expr.kind !== 'template') return [{ kind: 'text', value: text, range: NO_RANGE }];
  return stripFinalNewline(expr.parts);
}

// The heredoc adds a newline after the text: drop it from the last literal part.
function stripFinalNewline(parts: TemplatePart[]): TemplatePart[] {
  const out = [...parts];
  const last = out[out.length - 1];
  if (last && last.kind === 'text' && last.value.endsWith('\n')) {
    const value = last.value.slice(0, -1);
    if (value === '') out.pop();
    else out[out.length - 1] = { ...last, value };
  }
  return out;
}
