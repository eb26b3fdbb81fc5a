import type { InlineSuppression } from '../../model/resource';
import type { ScanError } from '../source';
import { ruleIdFor, ruleIdForCheckov, skipExpiryProblem, unknownRuleMessage } from '../skips';
import type { BlockNode, Comment } from './hcl/ast';

/**
 * `cloudconform:skip=ID[,ID...] [expires=YYYY-MM-DD] reason`. The expiry, when given, comes right
 * after the ids, so it can't be mistaken for part of the reason; `expires=` anywhere else in the
 * reason is an error (the author meant an expiry, and a skip without end must not pass for one).
 */
const SKIP = /cloudconform:skip=([A-Za-z0-9_.-]+(?:\s*,\s*[A-Za-z0-9_.-]+)*)(?:[ \t]+([^\r\n]*))?/;
const EXPIRES_FIRST = /^expires=(\S*)(?:[ \t]+(.*))?$/i;
// Any spelling of an expiry in the reason (`EXPIRES=`, `expires:`, `(expires 2025-01-31`) is refused too.
const EXPIRES_ANYWHERE = /(?:^|[^\p{L}\p{N}])expir(?:es|y|ation)?\s*(?:[=:\uff1a\uff1d]|on\s+\d{4}-|\s\d{4}-)/iu;

/**
 * Checkov's own skip comment, as Checkov reads it (`checkov:skip=CKV_AWS_122:reason`, also with the
 * `bridgecrew:` prefix and, as newer Checkov allows, several ids separated by commas).
 */
const CHECKOV_SKIP = /(?:checkov|bridgecrew):skip= *([A-Za-z_\d]+(?:,[A-Za-z_\d]+)*)(?::([^\r\n]*))?/;

/**
 * Inline suppressions of a resource: `# cloudconform:skip=SageMaker-004 reason` (or `//`,
 * `/* *\/`) written inside its block, or in the comment lines directly above it; and Checkov's
 * `#checkov:skip=CKV_AWS_122:reason` inside the block only, where Checkov reads it (it looks at
 * the lines strictly between the block's first and last line). Ids are resolved to the rules' own
 * ids; an unknown id of ours, or a bad `expires`, is reported at its line and the skip dropped.
 */
export function findSuppressions(
  comments: readonly Comment[],
  block: BlockNode,
  file: string,
  text: string,
  report: (error: ScanError) => void,
): InlineSuppression[] {
  const out: InlineSuppression[] = [];
  const inside = comments.filter((c) => c.range.start.offset >= block.range.start.offset && c.range.end.offset <= block.range.end.offset);
  for (const comment of [...commentsAbove(comments, block, text), ...inside]) {
    const m = SKIP.exec(comment.text);
    if (!m) continue;
    const line = comment.range.start.line;
    const fail = (message: string) => report({ file, line, message: `cloudconform:skip: ${message}` });
    let rest = stripCommentEnd(m[2] ?? '');
    let expires: string | undefined;
    const e = EXPIRES_FIRST.exec(rest);
    if (e) {
      expires = e[1] as string;
      rest = (e[2] ?? '').trim();
      const problem = skipExpiryProblem(expires);
      if (problem) {
        fail(problem);
        continue;
      }
    }
    if (EXPIRES_ANYWHERE.test(rest)) {
      fail(`'expires=' must come right after the rule ids (cloudconform:skip=ID expires=YYYY-MM-DD reason); the skip is not applied`);
      continue;
    }
    for (const given of (m[1] as string).split(',')) {
      const ruleId = ruleIdFor(given);
      if (!ruleId) fail(unknownRuleMessage(given.trim()));
      else out.push({ ruleId, reason: rest, location: { file, line }, source: 'inline', ...(expires ? { expires } : {}) });
    }
  }
  for (const comment of inside) {
    const m = CHECKOV_SKIP.exec(comment.text);
    if (!m) continue;
    const reason = stripCommentEnd(m[2] ?? '');
    for (const given of (m[1] as string).split(',')) {
      const ruleId = ruleIdForCheckov(given);
      // Another Checkov check's skip: not ours to judge.
      if (ruleId) out.push({ ruleId, reason, location: { file, line: comment.range.start.line }, source: 'checkov', writtenAs: given });
    }
  }
  return out;
}

function stripCommentEnd(text: string): string {
  return text.replace(/\*\/\s*$/, '').trim();
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
