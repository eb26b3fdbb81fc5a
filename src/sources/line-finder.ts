/**
 * 1-based lines of offsets in one text: its line starts are found once, then each lookup is a
 * binary search. Fixers place thousands of edits in one file; a scan from the start per edit made
 * fixing 8,000 notebooks quadratic.
 */
export function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => lineIndexAt(starts, offset) + 1;
}

/** The 0-based line of `offset`, by binary search in the sorted offsets where lines start (`starts[0]` is 0). */
export function lineIndexAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
