// The monitor's Lambda function (dist/lambda.js, `handler`): an SQS batch of CloudTrail events (or
// one event) goes through the same handler as `cloudconform handle-event`; a scheduled event runs a
// full audit recorded in the same history. Settings come from the environment (see lambdaSettings).
// Nothing heavy is imported at the top: the SDK, rules and history load on the first invocation,
// and stay loaded (with the clients, the caller's identity and assumed roles) while the function
// is warm.
import type { EventRunResult, EventSession, HandleEventsOptions } from './events/handler';
import type { AsyncHistoryStore } from './history/types';
import type { NotifyChannel, NotifyFilters } from './notify/index';
import type { RespondMode } from './events/respond';
import type { ScanReport } from './model/report';

/** The parts of the Lambda context the handler reads. */
export interface LambdaContext {
  functionName?: string;
  awsRequestId?: string;
  getRemainingTimeInMillis?: () => number;
}

export interface LambdaSettings {
  notify: NotifyChannel[];
  filters: NotifyFilters;
  /** DynamoDB table (CLOUDCONFORM_TABLE, or CLOUDCONFORM_DB as `dynamodb:TABLE` or a table ARN); or a SQLite path (CLOUDCONFORM_DB). */
  history?: { table: string; region?: string } | { path: string };
  accounts?: string[];
  organization?: boolean;
  roleName?: string;
  externalId?: string;
  respond?: RespondMode;
  config?: string;
}

/** Time kept back from the invocation's deadline: the report recorded and returned before Lambda stops the function. */
const DEADLINE_MARGIN_MS = 10_000;
const MIN_RUN_MS = 1_000;

/** A list in an environment variable: commas, spaces or newlines between items. */
const list = (value: string | undefined) => (value ?? '').split(/[\s,]+/).filter(Boolean);
const truthy = (value: string | undefined) => /^(1|true|yes|on)$/i.test((value ?? '').trim());

/**
 * The function's settings:
 * - CLOUDCONFORM_NOTIFY: targets (sns=ARN, slack=URL, webhook=URL), separated by commas, spaces or
 *   newlines; CLOUDCONFORM_WEBHOOK_SECRET signs webhooks. Filters as the CLI's --notify-on,
 *   --notify-risk, --notify-rule, --notify-tag: CLOUDCONFORM_NOTIFY_ON, _RISK, _RULE (lists) and
 *   _TAG (KEY or KEY=VALUE, separated by commas or newlines).
 * - CLOUDCONFORM_TABLE (DynamoDB table name), or CLOUDCONFORM_DB (`dynamodb:TABLE`, a table ARN, or
 *   a SQLite file on a persistent mount); none: nothing recorded, every failure notified as new.
 * - CLOUDCONFORM_ACCOUNTS (ids) or CLOUDCONFORM_ORGANIZATION=true, with CLOUDCONFORM_ROLE_NAME
 *   (and CLOUDCONFORM_EXTERNAL_ID): the accounts whose events are handled; none: the function's own.
 * - CLOUDCONFORM_RESPOND: tag or stop (default off); CLOUDCONFORM_CONFIG: a configuration file.
 */
export async function lambdaSettings(env: NodeJS.ProcessEnv = process.env): Promise<LambdaSettings> {
  const [{ parseNotifyTargets, parseNotifyFilters }, { parseRespondMode }, { findRule }] = await Promise.all([import('./notify/index'), import('./events/respond'), import('./rules/index')]);
  const db = env.CLOUDCONFORM_DB?.trim();
  const table = env.CLOUDCONFORM_TABLE?.trim();
  let history: LambdaSettings['history'];
  if (table) history = { table };
  else if (db) {
    const arn = /^arn:[\w-]+:dynamodb:([a-z0-9-]+):\d{12}:table\/([A-Za-z0-9_.-]{3,255})$/.exec(db);
    if (arn) history = { table: arn[2]!, region: arn[1]! };
    else if (db.startsWith('dynamodb:')) history = { table: db.slice('dynamodb:'.length) };
    else history = { path: db };
  }
  const accounts = list(env.CLOUDCONFORM_ACCOUNTS);
  const respond = parseRespondMode(env.CLOUDCONFORM_RESPOND);
  return {
    notify: parseNotifyTargets(env.CLOUDCONFORM_NOTIFY ?? '', env),
    filters: parseNotifyFilters(
      {
        notifyOn: list(env.CLOUDCONFORM_NOTIFY_ON),
        ...(env.CLOUDCONFORM_NOTIFY_RISK?.trim() ? { notifyRisk: env.CLOUDCONFORM_NOTIFY_RISK.trim() } : {}),
        notifyRule: list(env.CLOUDCONFORM_NOTIFY_RULE),
        // A tag value may hold spaces: only commas and newlines separate these.
        notifyTag: (env.CLOUDCONFORM_NOTIFY_TAG ?? '').split(/[,\n]+/).map((t) => t.trim()).filter(Boolean),
      },
      (id) => findRule(id)?.meta.id,
    ),
    ...(history ? { history } : {}),
    ...(accounts.length ? { accounts } : {}),
    ...(truthy(env.CLOUDCONFORM_ORGANIZATION) ? { organization: true } : {}),
    ...(env.CLOUDCONFORM_ROLE_NAME?.trim() ? { roleName: env.CLOUDCONFORM_ROLE_NAME.trim() } : {}),
    ...(env.CLOUDCONFORM_EXTERNAL_ID ? { externalId: env.CLOUDCONFORM_EXTERNAL_ID } : {}),
    ...(respond ? { respond } : {}),
    ...(env.CLOUDCONFORM_CONFIG?.trim() ? { config: env.CLOUDCONFORM_CONFIG.trim() } : {}),
  };
}

interface Warm {
  settings: LambdaSettings;
  session: EventSession;
  history?: AsyncHistoryStore;
  handler: typeof import('./events/handler');
  config: import('./engine/config').Config;
}

let warm: Promise<Warm> | undefined;

/** Settings, clients and the history, made once per execution environment (a failure is tried again next time). */
function prepare(): Promise<Warm> {
  warm ??= (async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const settings = await lambdaSettings();
    const [handler, configModule] = await Promise.all([import('./events/handler'), import('./engine/config')]);
    const config = settings.config ? configModule.loadConfigFile(settings.config) : configModule.emptyConfig();
    let history: AsyncHistoryStore | undefined;
    if (settings.history && 'table' in settings.history) {
      const { openDynamoHistory } = await import('./history/dynamodb');
      history = openDynamoHistory({ table: settings.history.table, ...(settings.history.region ? { region: settings.history.region } : {}) });
    } else if (settings.history) {
      const { asyncHistory, openHistory } = await import('./history/store');
      history = asyncHistory(openHistory({ path: settings.history.path }));
    }
    return { settings, session: new handler.EventSession({}), history, handler, config };
  })();
  warm.catch(() => (warm = undefined));
  return warm;
}

/** Forgets the warm state (tests; a new environment variable set takes effect). */
export async function resetLambda(): Promise<void> {
  const w = await warm?.catch(() => undefined);
  warm = undefined;
  w?.session.destroy();
  await w?.history?.close();
}

export interface LambdaResult {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * The Lambda entry point. SQS: returns the messages to deliver again (partial batch response;
 * the event source mapping needs ReportBatchItemFailures). A direct EventBridge invocation that
 * failed in a way worth retrying throws, so Lambda's asynchronous retries take it again.
 */
export async function handler(event: unknown, context: LambdaContext = {}): Promise<LambdaResult> {
  const w = await prepare();
  const remaining = context.getRemainingTimeInMillis?.();
  const timeoutMs = remaining === undefined ? undefined : Math.max(MIN_RUN_MS, remaining - DEADLINE_MARGIN_MS);
  const source = `lambda:${context.functionName ?? 'cloudconform'}`;
  if (isScheduledEvent(event)) {
    await scheduledAudit(w, timeoutMs, context);
    return { batchItemFailures: [] };
  }
  const { settings } = w;
  const options: HandleEventsOptions = {
    config: w.config,
    session: w.session,
    ...(settings.accounts ? { accounts: settings.accounts } : {}),
    ...(settings.organization ? { organization: true } : {}),
    ...(settings.roleName ? { roleName: settings.roleName } : {}),
    ...(settings.externalId !== undefined ? { externalId: settings.externalId } : {}),
    ...(w.history ? { history: w.history } : {}),
    ...(settings.notify.length ? { notify: { channels: settings.notify, filters: settings.filters } } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
  if (settings.respond) {
    const { streamJournal } = await import('./events/respond');
    // CloudWatch Logs is the journal: one JSON line per decision, intent and outcome.
    options.respond = { mode: settings.respond, journal: streamJournal((line) => void process.stdout.write(line)) };
  }
  const result = await w.handler.handleEvents({ source, data: event }, options);
  log(context, 'event', result.report, result);
  const sqs = typeof event === 'object' && event !== null && Object.hasOwn(event, 'Records');
  if (!sqs && result.retryable > 0) throw new Error(`${result.retryable} record(s) could not be handled now (see the errors above): retrying`);
  return { batchItemFailures: result.batchItemFailures };
}

/** EventBridge's schedule, invoking the function directly (never from inside an SQS batch). */
function isScheduledEvent(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Record<string, unknown>;
  return Object.hasOwn(e, 'detail-type') && e['detail-type'] === 'Scheduled Event' && e.source === 'aws.events';
}

/** The full audit of the configured accounts, recorded in the same history (and scope) as the events, then notified. */
async function scheduledAudit(w: Warm, timeoutMs: number | undefined, context: LambdaContext): Promise<void> {
  const [{ audit }, { notify, outboxPlan }] = await Promise.all([import('./engine/audit'), import('./notify/index')]);
  const { settings } = w;
  const report = await audit({
    config: w.config,
    ...(settings.accounts ? { accounts: settings.accounts } : {}),
    ...(settings.organization ? { organization: true } : {}),
    ...(settings.roleName ? { roleName: settings.roleName } : {}),
    ...(settings.externalId !== undefined ? { externalId: settings.externalId } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs: Math.max(timeoutMs, 1000) } : {}),
    // CLOUDCONFORM_NOTIFY_TAG filters on the resources' tags: read and kept, as `audit --notify-tag` does
    // (without them every finding was "tags unknown" and the scheduled audit notified nothing).
    ...(settings.filters.tags?.length ? { keepTags: true } : {}),
  });
  let comparison: import('./history/types').RunComparison | undefined;
  let recordError: unknown;
  if (w.history) {
    try {
      // The notifications kept pending with the run (the outbox): sent until each channel takes them.
      comparison = await w.history.record(report, settings.notify.length ? { outbox: outboxPlan(settings.notify, settings.filters, report) } : undefined);
    } catch (e) {
      recordError = e;
    }
  }
  const outbox = w.history && comparison && report.run ? { store: w.history, scopeKey: report.run.scope.key, runId: report.run.id } : undefined;
  const notified = settings.notify.length && (comparison || !w.history) ? await notify(comparison, report, settings.notify, settings.filters, outbox ? { outbox } : {}) : undefined;
  log(context, 'audit', report, {
    ...(comparison ? { comparison } : {}),
    notifications: notified?.sent ?? [],
    ...(notified?.warnings.length ? { notifyWarnings: notified.warnings } : {}),
    errors: [...report.errors, ...(notified?.errors ?? [])],
  });
  if (recordError !== undefined) throw new Error(`the scheduled audit was not recorded: ${String((recordError as Error)?.message ?? recordError).slice(0, 300)}`);
}

/** One JSON line for CloudWatch: what ran and what it found; the errors (already redacted) one per line. */
function log(context: LambdaContext, kind: 'event' | 'audit', report: ScanReport, result: Pick<EventRunResult, 'notifications' | 'errors'> & Partial<EventRunResult>): void {
  const s = report.summary;
  const line = {
    cloudconform: kind,
    requestId: context.awsRequestId,
    run: report.run?.id,
    scope: report.run?.scope.key,
    resources: s.resources,
    fail: s.fail,
    unknown: s.unknown,
    errors: result.errors.length,
    ...(result.comparison ? { new: result.comparison.counts.new, regressed: result.comparison.counts.regressed, resolved: result.comparison.counts.resolved } : {}),
    notified: result.notifications.length,
    ...(result.batchItemFailures ? { retry: result.batchItemFailures.length } : {}),
  };
  console.log(JSON.stringify(line));
  for (const e of result.errors.slice(0, 50)) console.log(JSON.stringify({ cloudconform: 'error', requestId: context.awsRequestId, file: e.file, call: e.call, message: e.message }));
  // Webhooks sent unsigned (CLOUDCONFORM_WEBHOOK_SECRET empty, the template's default): said, not only in the report's notes.
  for (const message of result.notifyWarnings ?? []) console.log(JSON.stringify({ cloudconform: 'warning', requestId: context.awsRequestId, message }));
}
