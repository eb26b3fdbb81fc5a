import type { InlineSuppression } from '../../model/resource';
import type { BlockNode, Comment } from './hcl/ast';

const SKIP = /cloudconform:skip=([A-Za-z0-9_.-]+(?:\s*,\s*[A-Za-z0-9_.-]+)*)(?:[ \t]+([^\r\n]*))?/;

/**
 * Inline suppressions of a resource: `# cloudconform:skip=SageMaker-004 reason` (or `//`,
 * `/* *\/`) written inside its block, or in the comment lines directly above it.
 */
export function findSuppressions(comments: readonly Comment[], block: BlockNode, file: string, text: string): InlineSuppression[] {
  const out: InlineSuppression[] = [];
  const inside = comments.filter((c) => c.range.start.offset >= block.range.start.offset && c.range.end.offset <= block.range.end.offset);
  for (const comment of [...commentsAbove(comments, block, text), ...inside]) {
    const m = SKIP.exec(comment.text);
    if (!m) continue;
    const reason = (m[2] ?? '').replace(/\*\/\s*$/, '').trim();
    for (const ruleId of (m[1] as string).split(',')) {
      out.push({ ruleId: ruleId.trim(), reason, location: { file, line: comment.range.start.line } });
    }
  }
  return out;
}

/** The run of comments ending on the line just above the block. */
function commentsAbove(comments: readonly Comment[], block: BlockNode, text: string): Comment[] {
  const above: Comment[] = [];
  let line = block.range.start.line - 1;
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i] as Comment;
    if (c.range.start.offset >= block.range.start.offset) continue;
    // A line comment's range may end at the start of the next line.
    const endLine = c.range.end.column === 1 && c.range.end.line > c.range.start.line ? c.range.end.line - 1 : c.range.end.line;
    if (endLine !== line || !startsLine(text, c.range.start.offset)) break;
    above.unshift(c);
    line = c.range.start.line - 1;
  }
  return above;
}

/** Only whitespace before the comment on its line: it is not a trailing comment of other code. */
function startsLine(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return text.slice(lineStart, offset).trim() === '';
}
