// `cloudconform handle-event [FILES...]`: CloudTrail events (one EventBridge event, an SQS batch,
// an array or JSON lines) from files or standard input, through the same handler as the Lambda
// function (src/events/handler.ts): each named resource described, the rules run, the run recorded
// in the history and notified there. The report is written like scan's and audit's.
import { readNamedStream, readTextFile, STDIN_NAME, STDIN_PATH } from '../engine/files';
import { AuditOptionsError, AwsCredentialsError } from '../engine/audit';
import { MAX_INPUT_BYTES } from '../events/parse';
import type { EventHistory, EventInput } from '../events/handler';
import type { AsyncHistoryStore } from '../history/types';
import { printable } from '../reporters/printable';
import { redactSecrets } from '../sources/aws/errors';
import type { NotifyCliOptions, PreparedNotify } from '../notify/cli';
import { prepareNotifyOptions, runReportCommand, UsageError, type ReportCommandOptions } from './report-command';
import { writeError } from './terminal';

export interface HandleEventCommandOptions extends ReportCommandOptions, NotifyCliOptions {
  profile?: string;
  accounts?: string[];
  organization?: boolean;
  roleName?: string;
  externalId?: string;
  endpointUrl?: string;
  maxAttempts?: number;
  /** `--timeout`, `--call-timeout`: milliseconds. */
  timeout?: number;
  callTimeout?: number;
  /** `--not-found-retries`: delays (ms) between describes of a resource not found yet. */
  notFoundDelays?: number[];
  respond?: string;
  respondJournal?: string;
}

/** Runs `cloudconform handle-event` and returns the exit code: 0 nothing failed, 1 failures, 2 a record could not be handled, or bad usage. */
export async function runHandleEventCommand(files: string[], opts: HandleEventCommandOptions): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let history: AsyncHistoryStore | undefined;
  let closeJournal: (() => void | Promise<void>) | undefined;
  try {
    // Checked before anything is read or called: targets, filters, the respond mode.
    let notifying: PreparedNotify | undefined;
    try {
      notifying = (await prepareNotifyOptions(opts))?.prepared;
    } catch (e) {
      writeError((e as Error).message);
      return 2;
    }
    const respondModule = opts.respond !== undefined ? await import('../events/respond') : undefined;
    let mode: import('../events/respond').RespondMode | undefined;
    try {
      mode = respondModule?.parseRespondMode(opts.respond);
    } catch (e) {
      writeError((e as Error).message);
      return 2;
    }
    if (opts.respondJournal !== undefined && mode === undefined) {
      writeError('--respond-journal is used with --respond tag|stop');
      return 2;
    }

    const [{ handleEvents }, inputs] = await Promise.all([import('../events/handler'), readInputs(files.length ? files : [STDIN_PATH])]);
    if (opts.history !== false) history = await openEventHistory(opts.db);
    let journal: import('../events/respond').RespondJournal | undefined;
    if (mode && respondModule) {
      journal = opts.respondJournal !== undefined ? respondModule.fileJournal(opts.respondJournal) : respondModule.streamJournal((line) => void process.stderr.write(line));
      closeJournal = () => journal?.close?.();
    }
    let notifiedLines: string[] = [];
    const code = await runReportCommand(
      // Recorded and notified by the handler (as in Lambda): not again by the report command.
      { ...opts, history: false, notify: [], notifyOn: [], notifyRule: [], notifyTag: [], notifyRisk: undefined },
      async ({ config, failOn, ruleIds }) => {
        const result = await handleEvents(inputs, {
          config,
          failOn,
          ...(ruleIds ? { ruleIds } : {}),
          ...defined({
            accounts: opts.accounts,
            organization: opts.organization,
            roleName: opts.roleName,
            externalId: opts.externalId,
            endpointUrl: opts.endpointUrl,
            profile: opts.profile,
            maxAttempts: opts.maxAttempts,
            timeoutMs: opts.timeout,
            callTimeoutMs: opts.callTimeout,
            notFoundDelaysMs: opts.notFoundDelays,
          }),
          ...(history ? { history: history as EventHistory } : {}),
          ...(notifying ? { notify: { channels: notifying.channels, filters: notifying.filters } } : {}),
          ...(mode && journal ? { respond: { mode, journal } } : {}),
        });
        notifiedLines = result.notifications.map((s) => `notified ${s.channel} of ${s.findings} finding${s.findings === 1 ? '' : 's'}`);
        return result.report;
      },
      [AuditOptionsError, AwsCredentialsError, UsageError],
    );
    if (!opts.quiet) for (const line of notifiedLines) writeError(line);
    return code;
  } catch (e) {
    writeError(redactSecrets((e as Error)?.message ?? String(e)));
    return 2;
  } finally {
    await history?.close().catch(() => undefined);
    await closeJournal?.();
  }
}

/**
 * Each file (or standard input) as one input; one that can't be read is an error entry of its own
 * and the others are still handled.
 */
async function readInputs(files: string[]): Promise<EventInput[]> {
  const limits = { maxFileBytes: MAX_INPUT_BYTES };
  return Promise.all(
    files.map(async (file): Promise<EventInput> => {
      const source = file === STDIN_PATH ? STDIN_NAME : printable(file);
      const read = file === STDIN_PATH ? await readNamedStream(file, limits) : readTextFile(file, limits);
      return read.ok ? { source, data: read.text } : { source, error: read.reason };
    }),
  );
}

/**
 * The SQLite history (--db, CLOUDCONFORM_DB, else the default path) behind the asynchronous
 * interface. Without the native module and no database asked for, nothing is recorded (said once);
 * a database asked for that can't be opened is bad usage (exit 2).
 */
async function openEventHistory(db: string | undefined): Promise<AsyncHistoryStore | undefined> {
  const { asyncHistory, defaultHistoryPath, HistoryError, HistoryUnavailableError, openHistory } = await import('../history/store');
  try {
    return asyncHistory(openHistory({ path: db ?? defaultHistoryPath() }));
  } catch (e) {
    if (e instanceof HistoryUnavailableError && db === undefined) {
      writeError(`this run is not recorded: ${e.message}`);
      return undefined;
    }
    if (e instanceof HistoryError || e instanceof HistoryUnavailableError) throw new UsageError(`the history can't be opened (--no-history skips recording): ${e.message}`);
    throw e;
  }
}

function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
