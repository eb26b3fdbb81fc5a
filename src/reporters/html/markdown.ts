// The small part of Markdown the rules' knowledge-base pages use, to HTML: headings, paragraphs,
// fenced code, pipe tables, lists, `code` and **bold**. Every piece of text is escaped before any
// tag of ours is put around it, so a page (or a report's rule text) can add no markup, link,
// attribute or script. Links are left as text: the report loads nothing and sends no one anywhere.
import { html } from './escape';

/** Inline spans: `code` and **bold**; everything else is text. */
function inline(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((part, i) => (i % 2 === 1 ? `<code>${html(part.slice(1, -1))}</code>` : html(part).replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')))
    .join('');
}

function tableCells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

/**
 * Markdown to HTML. `headingShift` makes the page's `#` a lower heading (the page sits inside the
 * report's own sections).
 */
export function markdownToHtml(markdown: string, headingShift = 2): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(`<p>${inline(paragraph.join(' '))}</p>`);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*(```+|~~~+)/.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i]!.trim().startsWith(fence[1]!); i++) code.push(lines[i]!);
      out.push(`<pre><code>${html(code.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = Math.min(6, heading[1]!.length + headingShift);
      out.push(`<h${level}>${inline(heading[2]!.trim())}</h${level}>`);
      continue;
    }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1]!)) {
      flush();
      const head = tableCells(line);
      const body: string[][] = [];
      for (i += 2; i < lines.length && /^\s*\|/.test(lines[i]!); i++) body.push(tableCells(lines[i]!));
      i--;
      out.push(
        `<table class="md"><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>` +
          body.map((row) => `<tr>${row.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('') +
          '</tbody></table>',
      );
      continue;
    }
    const item = /^(\s*)([-*]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const ordered = /\d/.test(item[2]!);
      const items: string[] = [];
      let current = [item[3]!];
      for (i++; i < lines.length; i++) {
        const next = lines[i]!;
        const nextItem = /^(\s*)([-*]|\d+[.)])\s+(.*)$/.exec(next);
        if (nextItem && /\d/.test(nextItem[2]!) === ordered) {
          items.push(current.join(' '));
          current = [nextItem[3]!];
        } else if (next.trim() !== '' && /^\s+/.test(next)) {
          current.push(next.trim()); // a continuation line
        } else break;
      }
      items.push(current.join(' '));
      i--;
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.map((t) => `<li>${inline(t)}</li>`).join('')}</${tag}>`);
      continue;
    }
    if (line.trim() === '') flush();
    else paragraph.push(line.trim());
  }
  flush();
  return out.join('\n');
}
