import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeadlineError, formatDuration, limitCalls } from './clients';

test('a call ends at its deadline even when what it waits on ignores the abort signal, and frees its slot', async () => {
  const audit = new AbortController();
  const call = limitCalls(1, 100, audit.signal);
  const started = Date.now();
  await assert.rejects(
    call(() => new Promise(() => {})),
    (e: unknown) => e instanceof DeadlineError && !e.audit && /timed out after 0 s/.test(e.message),
  );
  assert.ok(Date.now() - started < 2000);
  assert.equal(await call(async () => 'next'), 'next', 'the only slot is free again');
});

test("the audit's deadline ends the calls in flight and every call after it, with its own reason", async () => {
  const audit = new AbortController();
  const call = limitCalls(2, 60_000, audit.signal);
  const seen: AbortSignal[] = [];
  const inFlight = call((signal) => {
    seen.push(signal);
    return new Promise(() => {});
  });
  await new Promise((resolve) => setImmediate(resolve)); // the limiter starts the call on a later tick
  const reason = new DeadlineError("not finished when the audit's --timeout of 5 s ran out", true);
  audit.abort(reason);
  await assert.rejects(inFlight, (e) => e === reason);
  assert.ok(seen[0]!.aborted, 'the SDK is told to stop too');
  await assert.rejects(call(async () => 'late'), (e) => e === reason);
});

test('durations read as people write them', () => {
  assert.equal(formatDuration(2000), '2 s');
  assert.equal(formatDuration(90_000), '90 s');
  assert.equal(formatDuration(30 * 60_000), '30 min');
  assert.equal(formatDuration(2 * 3_600_000), '2 h');
});
