import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listPages, PagingError } from './paging';

/** Pages answered from a script: token -> [items, next token]. */
function scripted(answers: Record<string, [number[], string | undefined]>) {
  const asked: (string | undefined)[] = [];
  const fetch = async (token: string | undefined) => {
    asked.push(token);
    const [items, next] = answers[token ?? ''] ?? [[], undefined];
    return { items, next };
  };
  return { asked, fetch };
}

async function collect(pages: AsyncIterable<{ items: number[] }>): Promise<{ items: number[]; error?: unknown }> {
  const items: number[] = [];
  try {
    for await (const page of pages) items.push(...page.items);
    return { items };
  } catch (error) {
    return { items, error };
  }
}

test('follows NextToken to the last page; an empty token ends the list too', async () => {
  const { asked, fetch } = scripted({ '': [[1, 2], 'a'], a: [[3], 'b'], b: [[4], ''] });
  assert.deepEqual(await collect(listPages(fetch, (p) => p.next)), { items: [1, 2, 3, 4] });
  assert.deepEqual(asked, [undefined, 'a', 'b']);
});

test('the same token again stops after that page with a PagingError; the pages before it are kept', async () => {
  const { asked, fetch } = scripted({ '': [[1], 'a'], a: [[2], 'a'] });
  const { items, error } = await collect(listPages(fetch, (p) => p.next));
  assert.deepEqual(items, [1, 2]);
  assert.ok(error instanceof PagingError);
  assert.match(error.message, /page 2 answered a NextToken that was already followed/);
  assert.deepEqual(asked, [undefined, 'a']);
});

test('a cycle A -> B -> A stops when A comes back', async () => {
  const { asked, fetch } = scripted({ '': [[1], 'A'], A: [[2], 'B'], B: [[3], 'A'] });
  const { items, error } = await collect(listPages(fetch, (p) => p.next));
  assert.deepEqual(items, [1, 2, 3]);
  assert.ok(error instanceof PagingError);
  assert.deepEqual(asked, [undefined, 'A', 'B']);
});

test('a new token every time stops at the page cap', async () => {
  let n = 0;
  const fetch = async () => ({ items: [n], next: `t${++n}` });
  const { items, error } = await collect(listPages(fetch, (p) => p.next, 5));
  assert.deepEqual(items, [0, 1, 2, 3, 4]);
  assert.ok(error instanceof PagingError);
  assert.match(error.message, /after 5 pages/);
});
