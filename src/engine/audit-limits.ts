// The audit's concurrency defaults, apart so the command's help can show them without loading the SDK.

/**
 * API calls in flight across the whole audit. With 50 ms calls, 17 regions of 200 notebooks took
 * 6.1 s at 32 (1.09× the critical path), 3.4 s at 64 (1.18×) and 2.7 s at 96 (1.34×), where the
 * SDK's own CPU cost on two cores starts to show (`npm run bench:audit`). 64 sockets and their
 * buffers are small; the per-region limit, not this one, protects the API.
 */
export const DEFAULT_CONCURRENCY = 64;

/**
 * Describe calls in flight per account and region, which is where SageMaker throttles. AWS
 * publishes no rate for its List and Describe calls. Sixteen keeps a region's describes as fast as
 * the overall limit allows (at 50 ms a call, 200 notebooks take 0.65 s, against 2 s at five), and
 * the rate it may reach is safe because the clients retry in the SDK's adaptive mode: the first
 * throttle turns on a sending rate for that account and region (see DEFAULT_RETRY_MODE in
 * clients.ts). Measured against a token-bucket limit of 10 calls/s in the fault proxy, adaptive
 * mode lost no notebook at 5, 10 or 16 in flight; standard mode lost 10, 46 and 124 of 300.
 */
export const DEFAULT_REGION_CONCURRENCY = 16;

/**
 * One API call's deadline, from when it starts to its last byte, retries included (--call-timeout).
 * SageMaker's list and describe calls answer in well under a second; what can hold a sound call
 * back is the adaptive retry mode's sending rate after throttles (down to 0.5 calls/s per region:
 * 16 describes queued there wait up to ~32 s) and the backoff between attempts (at most 20 s).
 * Two minutes leaves room for both; an answer that trickles in slower than that is lost.
 */
export const DEFAULT_CALL_TIMEOUT_MS = 120_000;

/**
 * The whole audit's deadline (--timeout). The benchmark's 17 regions of 200 notebooks take under
 * 3 s; an organization of 500 accounts in every region is some 35,000 list calls plus a describe per
 * resource, minutes at 64 in flight. Thirty minutes ends a run that hangs (in CI, before the job's
 * own limit kills it without a report) and leaves room for a very large organization.
 */
export const DEFAULT_TIMEOUT_MS = 30 * 60_000;
