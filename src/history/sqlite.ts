// better-sqlite3, loaded on first use only: it is a native module (an optional dependency, built
// by its install script), and only the history needs it, so `cloudconform --version` and a scan
// that doesn't record never load it, and an install that could not build it still scans.
import { createRequire } from 'node:module';

/** The part of better-sqlite3's API the history uses (its own types are not a dependency). */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  pluck(on?: boolean): SqliteStatement;
  raw(on?: boolean): SqliteStatement;
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) & { immediate(...args: A): R };
  close(): void;
}

export type SqliteConstructor = new (path: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => SqliteDatabase;

/** The history database can't be used on this installation: the native module did not load. */
export class HistoryUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(
      `the history is not available: the better-sqlite3 module could not be loaded (${reason}). ` +
        'It is built when cloudconform is installed, which needs a C++ compiler, make and Python where no prebuilt binary fits; ' +
        'install them and reinstall cloudconform (npm install -g cloudconform), or pass --no-history',
    );
    this.name = 'HistoryUnavailableError';
  }
}

let loaded: SqliteConstructor | HistoryUnavailableError | undefined;

/** The better-sqlite3 constructor; throws HistoryUnavailableError (the same one each time) when it can't load. */
export function loadSqlite(): SqliteConstructor {
  if (loaded === undefined) {
    try {
      // createRequire, not import: the bundle leaves the module out (scripts/build.mjs), and a
      // static import would load it with the chunk.
      loaded = createRequire(import.meta.url)('better-sqlite3') as SqliteConstructor;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      loaded = new HistoryUnavailableError(err.code === 'MODULE_NOT_FOUND' ? 'it is not installed' : (err.message ?? String(e)).split('\n')[0]!);
    }
  }
  if (loaded instanceof HistoryUnavailableError) throw loaded;
  return loaded;
}
