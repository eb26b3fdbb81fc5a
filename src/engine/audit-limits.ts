// The audit's concurrency defaults, apart so the command's help can show them without loading the SDK.

/**
 * API calls in flight across the whole audit: enough to keep several regions at full speed while
 * sockets and memory stay small. The per-region limit, not this one, protects the API.
 */
export const DEFAULT_CONCURRENCY = 32;

/**
 * Describe calls in flight per account and region, which is where SageMaker throttles. AWS
 * publishes no rate for its List and Describe calls, so this stays small (bursts of five per
 * account and region; a throttle that still happens is absorbed by the SDK's retries), and speed
 * comes from auditing many regions and accounts side by side instead.
 */
export const DEFAULT_REGION_CONCURRENCY = 5;
