import { createHash } from 'node:crypto';

/**
 * The most pages one list call may take. At 100 items a page (SageMaker's largest) that is 100,000
 * notebook instances or domains in one account and region, far over any quota; at 20 (ListAccounts)
 * 20,000 accounts, four times the largest Organizations quota AWS grants. More pages than that
 * means the endpoint is paging in a loop we could not see (a new token every time).
 */
export const MAX_PAGES = 1000;

/** Listing stopped because the endpoint pages in a loop (or without end): what was listed is incomplete. */
export class PagingError extends Error {
  override name = 'PagingLoop';
}

/**
 * Every page of one list call, for every list call of the audit: `fetch(token)` asks for a page
 * (no token for the first), `nextToken(page)` reads the token of the next one. AWS's paginators
 * follow any token forever; this stops with a PagingError when a token comes back that was already
 * followed (the same page again, or a cycle A -> B -> A) or after `maxPages`. The pages before that
 * are yielded: the caller keeps what was listed, and must deduplicate by ARN if a page may repeat.
 */
export async function* listPages<Page>(
  fetch: (token: string | undefined) => Promise<Page>,
  nextToken: (page: Page) => string | undefined,
  maxPages = MAX_PAGES,
): AsyncGenerator<Page, void, undefined> {
  // Digests, not the tokens: a hostile endpoint's tokens may be large, and there may be many.
  const followed = new Set<string>();
  let token: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await fetch(token);
    yield page;
    token = nextToken(page) || undefined;
    if (token === undefined) return;
    const digest = createHash('sha256').update(token).digest('base64');
    if (followed.has(digest)) {
      throw new PagingError(`page ${pages} answered a NextToken that was already followed: the endpoint pages in a loop, listing stopped`);
    }
    if (pages >= maxPages) throw new PagingError(`still a NextToken after ${maxPages} pages: listing stopped (MAX_PAGES)`);
    followed.add(digest);
  }
}
