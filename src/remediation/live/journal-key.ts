// The journal's signature: an HMAC-SHA256 over the journal, keyed by a per-user secret kept
// outside it and bound to the plan's account. Anyone who can write the journal's directory can
// edit the journal; only someone who can read this user's key file can sign the edit, so `resume`
// acts on nothing it did not write itself. The key is 32 random bytes in a file of mode 0600
// (created exclusively: a temp file linked into place, so a reader never sees it half written),
// at $CLOUDCONFORM_JOURNAL_KEY_FILE, else $XDG_STATE_HOME/cloudconform/journal.key, else
// ~/.local/state/cloudconform/journal.key.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const JOURNAL_KEY_ENV = 'CLOUDCONFORM_JOURNAL_KEY_FILE';
const SIGNATURE_PREFIX = 'hmac-sha256:';
const KEY_HEX = /^[0-9a-f]{64}\n?$/;

export class JournalKeyError extends Error {
  override name = 'JournalKeyError';
}

export function journalKeyPath(environment: NodeJS.ProcessEnv = process.env): string {
  const explicit = environment[JOURNAL_KEY_ENV];
  if (explicit) return explicit;
  const state = environment.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'cloudconform', 'journal.key');
}

/** The key's bytes; refuses a key file that others could read or replace. */
function readKey(path: string): Buffer | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new JournalKeyError(`can't read the journal key ${path}: ${(e as Error).message}`);
  }
  if (!stat.isFile()) throw new JournalKeyError(`the journal key ${path} is not a regular file (a link or a device is not trusted)`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) throw new JournalKeyError(`the journal key ${path} belongs to uid ${stat.uid}, not to you (uid ${uid}): it is not trusted`);
  if ((stat.mode & 0o077) !== 0) {
    throw new JournalKeyError(`the journal key ${path} has mode ${(stat.mode & 0o777).toString(8)}: others could read or change it, so it is not trusted (chmod 600 it, then plan again)`);
  }
  const text = readFileSync(path, 'utf8');
  if (!KEY_HEX.test(text)) throw new JournalKeyError(`the journal key ${path} is not a cloudconform key (64 hexadecimal digits)`);
  return Buffer.from(text.trim(), 'hex');
}

/** The key, created (exclusively) when there is none yet. */
function readOrCreateKey(path: string): Buffer {
  const existing = readKey(path);
  if (existing) return existing;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
  } catch (e) {
    // Another process made it first: theirs is the key.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new JournalKeyError(`can't create the journal key ${path}: ${(e as Error).message}`);
  } finally {
    rmSync(temp, { force: true });
  }
  return readKey(path)!;
}

/** JSON with object keys sorted, so the signature doesn't depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function mac(key: Buffer, account: string, body: unknown): string {
  // The account is part of the key: a journal moved to another account's plan does not verify.
  const accountKey = createHmac('sha256', key).update(`cloudconform-journal\0${account}`).digest();
  return createHmac('sha256', accountKey).update(canonicalJson(body)).digest('hex');
}

/** The signature of `body` (everything but the signature) for `account`; creates the key if needed. */
export function signJournalBody(body: unknown, account: string, keyPath = journalKeyPath()): string {
  return `${SIGNATURE_PREFIX}${mac(readOrCreateKey(keyPath), account, body)}`;
}

/** Why `signature` is not the signature of `body`, or undefined when it is. */
export function journalSignatureProblem(body: unknown, account: string, signature: unknown, keyPath = journalKeyPath()): string | undefined {
  if (typeof signature !== 'string' || !signature.startsWith(SIGNATURE_PREFIX)) return 'it has no signature';
  let key: Buffer | undefined;
  try {
    key = readKey(keyPath);
  } catch (e) {
    return (e as Error).message;
  }
  if (!key) return `there is no journal key at ${keyPath} (it was signed by another user, on another machine, or with ${JOURNAL_KEY_ENV} set elsewhere)`;
  const expected = Buffer.from(mac(key, account, body), 'hex');
  const given = Buffer.from(signature.slice(SIGNATURE_PREFIX.length), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return `its signature does not verify with the key ${keyPath}: it was changed after cloudconform wrote it (or signed with another key)`;
  }
  return undefined;
}
