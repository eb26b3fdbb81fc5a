/**
 * Suppression expiry dates: `YYYY-MM-DD`, the last day the suppression applies, to the end of that
 * day in UTC (so a date means the same in every CI runner's time zone, and a team's "until the
 * 31st" holds through the 31st).
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** The instant a valid `YYYY-MM-DD` stops applying (the next day's start, UTC); undefined when not a real date. */
export function expiryInstant(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const start = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2025-02-30 over to March 2nd: a date that does not round-trip is not a real date.
  const d = new Date(start);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return start + DAY_MS;
}

/** Why `text` is not an expiry date, or undefined when it is one. */
export function expiryProblem(text: string): string | undefined {
  return expiryInstant(text) === undefined ? `'${text}' is not a date (YYYY-MM-DD, the last day it applies, UTC)` : undefined;
}

/** Whether a suppression with this (valid) expiry date no longer applies at `now` (ms since the epoch). */
export function hasExpired(expires: string | undefined, now: number): boolean {
  if (expires === undefined) return false;
  const end = expiryInstant(expires);
  return end === undefined || now >= end;
}

/**
 * Whether a suppression's reason says something: a letter or a digit once invisible characters
 * are taken out. Zero-width spaces, the Hangul fillers and the Braille blank look like nothing on
 * a screen, and a reason nobody can read can't be reviewed (red team, issue 11).
 */
export function isReasonGiven(reason: string): boolean {
  return /[\p{L}\p{N}]/u.test(reason.replace(/[\p{Cf}\u115f\u1160\u3164\uffa0\u2800]/gu, ''));
}
