// The findings history in DynamoDB, for the Lambda handler (many invocations at once, no shared
// disk), behind the same interface as the SQLite store and classified by the same classify().
//
// Items (partition key `pk`, sort key `sk`, both strings):
// - State: one item per finding key of a scope. pk `S#<scope>`, sk `R#<ARN>#<key>` for a live
//   finding (so an event run reads only the resources it described: one Query begins_with
//   `R#<ARN>#` each), `K#<key>` for any other (scans). Attributes: `v` the version, `st` the
//   standing, `since` the run that set it, `f` the finding (JSON), `ttl` on resolved entries
//   (RESOLVED_KEPT_DAYS after they resolved: DynamoDB drops them as classify would).
// - Runs: pk `RUNS` (every scope, for `history`) and `RUNS#<scope>`, sk `<startedAt>#<run id>`:
//   `run` (RunInfo JSON), `summary`, `counts`, and in the scope's item the changes that matter
//   (new, regressed, resolved) as far as they fit the item. A scope key over 1,024 bytes (an
//   organization of many accounts listed) is written as its SHA-256 in keys, whole in `run`.
// - Outbox (notifications pending, at-least-once delivery): pk `O#<scope>`, sk
//   `<channel>#<startedAt>#<run id>` (channel: the SHA-256 channelId, never the URL), written in
//   the run's own transaction (with its run items; a run over one transaction: before its state
//   chunks, so a crash between them leaves them pending); `items` the findings to send (JSON), `n`
//   their number, `dr` those left out, `rid` and `at` the run; `ttl` OUTBOX_KEPT_DAYS after the
//   run. Deleted when the channel took them. Two handlers taking the same entry at once both
//   send it (at least once, not exactly once).
//
// Concurrency: optimistic. Every state write is conditional on the version read (or on the item
// not existing); when another writer got there first (ConditionalCheckFailed, the current item
// handed back), only those keys are classified again against what is there now and written
// again. Classification is per key (classify.ts), so this gives what one writer after the other
// would: two handlers recording the same new failure at once give one `new` and one
// `still-failing`. A run whose writes fit one transaction (an event batch: up to 98 changed keys)
// is written whole or not at all, with its run items; a larger one in transactions of 100
// items, then its run items (a crash in between leaves the state written and no run: the next
// run is compared with that state, as it would be with this run's).
//
// Costs (bench/history-event-bench.ts): an event batch of 10 makes 13 calls (1 GetItem, 11 Query,
// 1 TransactWriteItems) and reads only its resources' items, whatever the scope's size.
//
// Everything read is checked (types, a known standing, the finding against the report contract,
// its key and ARN against the item's sort key, no `__proto__`): an item that is not ours is an
// error naming it, never taken for a pass.
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type AttributeValue,
  type QueryCommandInput,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import { compareFindings, compareStrings, findingKey, liveIdentityOf, type Finding, type ReportSummary, type RunInfo, type ScanReport } from '../model/report';
import { CHANGE_KINDS, classify, emptyCounts, RESOLVED_KEPT_DAYS, STANDINGS, type ClassifyOptions, type Standing, type StateEntry } from './classify';
import { REPORT_SCHEMA } from './report-file';
import { HistoryError } from './store';
import { entryOf, OUTBOX_KEPT_DAYS, OUTBOX_MAX_ROWS, parseEntryItems, planTake, settle, type EntryRow } from './outbox';
import type { AsyncHistoryStore, ChangeKind, FindingChange, OutboxPlan, OutboxTake, OutboxTakeOptions, PendingEntry, RecordOptions, RunComparison, RunSummary } from './types';

/** Every DynamoDB action the store calls (TransactWriteItems is authorised as its PutItem and DeleteItem). */
export const DYNAMODB_ACTIONS: readonly string[] = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'];

/** The table the store needs, as CreateTable and CloudFormation's AWS::DynamoDB::Table spell it. */
export function dynamoTableDefinition() {
  return {
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
    /** Epoch seconds: resolved entries and runs are dropped RESOLVED_KEPT_DAYS later. */
    TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
  } as const;
}

/** The contract's name for dynamoTableDefinition. */
export const dynamoTableSchema = dynamoTableDefinition;

/** DynamoDB's item limit is 400 KB (names and values): a finding's JSON takes at most this, the rest of its item under 8 KB. */
export const MAX_FINDING_BYTES = 392_000;
/** A run item's budget: its run info, summary and counts, then as many changes as fit. */
const MAX_RUN_ITEM_BYTES = 392_000;
/** Run info over this keeps no `evaluated` lists (an organization's audit lists every account and region). */
const MAX_RUN_INFO_BYTES = 64_000;
/** A transaction holds at most 100 items and 4 MB. */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_TRANSACTION_BYTES = 4_000_000;
/** Conflicting writers: tries before giving up (each retry rewrites only the keys that conflicted). */
const MAX_ATTEMPTS = 8;
/** The most state items of a scope read (a hostile or runaway table must not exhaust memory). */
const MAX_STATE_ITEMS = 1_000_000;
/** ... and at most this much finding JSON (UTF-16 units): 1,000,000 findings of 1 KB. */
const MAX_STATE_CHARS = 1_000_000_000;
const MAX_RUN_ITEMS = 1_000_000;
/** Sort keys hold an ARN up to this many bytes (DynamoDB's sort key limit is 1,024). */
const MAX_ARN_BYTES = 800;
const MAX_SCOPE_BYTES = 1_000;
/** Queries and transactions in flight at once. */
const CONCURRENCY = 8;

const KEPT_CHANGES: readonly ChangeKind[] = ['new', 'regressed', 'resolved'];

export interface DynamoHistoryOptions {
  table: string;
  /** A client of the caller's (credentials, retries); else one is made from region and endpoint and destroyed on close. */
  client?: DynamoDBClient;
  region?: string;
  endpoint?: string;
}

export function openDynamoHistory(options: DynamoHistoryOptions): AsyncHistoryStore {
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(options.table)) throw new HistoryError(`${JSON.stringify(options.table.slice(0, 300))} is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`);
  const own = options.client === undefined;
  const client = options.client ?? new DynamoDBClient({ ...(options.region ? { region: options.region } : {}), ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
  const store = new DynamoHistory(client, options.table);
  return {
    record: (report, opts) => store.record(report, opts ?? {}),
    runs: (opts) => store.runs(opts ?? {}),
    pending: (scopeKey, channel, opts) => store.pending(scopeKey, channel, opts),
    delivered: (scopeKey, channel, ids) => store.delivered(scopeKey, channel, ids),
    close: async () => {
      if (own) client.destroy();
    },
  };
}

/** One state item as read: its entry, version and sort key. */
interface Stored {
  entry: StateEntry;
  version: number;
  sk: string;
  /** The finding's JSON as stored, to tell whether a write is needed. */
  json: string;
}

/** A state write: put the entry (conditional on `version`, 0: on no item) or delete the item. */
interface StateOp {
  key: string;
  sk: string;
  version: number;
  put?: StateEntry;
  /** The put finding's JSON. */
  json?: string;
}

class DynamoHistory {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async record(report: ScanReport, options: RecordOptions & ClassifyOptions): Promise<RunComparison> {
    const run = report.run;
    if (!run) throw new HistoryError("the report has no run (it was written before cloudconform 0.2, or merged by hand): it can't be recorded in the history");
    if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(run.startedAt) || run.id.length > 200) throw new HistoryError(`run ${JSON.stringify(run.id.slice(0, 200))} has no valid start time: not recorded`);
    const scope = scopeId(run.scope.key);
    const runSk = `${run.startedAt}#${run.id}`;
    return this.guard(async () => {
      if (await this.get(`RUNS#${scope}`, runSk)) throw new HistoryError(`run ${run.id} is already recorded in DynamoDB table ${this.table}`);
      const [previousRun, stored] = await Promise.all([this.latestRun(scope, run.scope.key), this.readState(scope, report)]);
      const { comparison, state } = classify(sortedEntries(stored), previousRun, report, options);
      const ops = new Map<string, StateOp>();
      planOps(ops, stored, state);
      const changes = new Map<string, FindingChange>(comparison.changes.map((c) => [c.key, c]));

      // Keys another writer changed since we read them: classified again against what is there now.
      const reclassify = (fresh: Map<string, Stored | undefined>) => {
        const keys = new Set(fresh.keys());
        const now = new Map([...fresh].filter((kv): kv is [string, Stored] => kv[1] !== undefined));
        // The findings' keys are worked out here, on a conflict only (50,000 of them take 125 ms).
        const again = classify(sortedEntries(now), previousRun, { ...report, findings: report.findings.filter((f) => keys.has(findingKey(f))) }, options);
        for (const key of keys) {
          changes.delete(key);
          ops.delete(key);
        }
        for (const c of again.comparison.changes) changes.set(c.key, c);
        planOps(ops, now, again.state, keys);
      };
      let outboxWritten = false;
      /** The comparison as the changes stand now (after any reclassification). */
      const current = (): RunComparison => {
        comparison.changes = [...changes.values()].sort((a, b) => compareFindings(a.finding, b.finding) || compareStrings(a.key, b.key));
        comparison.counts = emptyCounts();
        for (const c of comparison.changes) comparison.counts[c.change]++;
        return comparison;
      };
      const runItems = (): TransactWriteItem[] => [
        ...runPuts(this.table, scope, runSk, report, current()),
        ...(outboxWritten ? [] : outboxPuts(this.table, scope, report, comparison, options.outbox)),
      ];

      // Written whole when it fits one transaction (with the run items), else in chunks, then the run items.
      for (let attempt = 1; ; attempt++) {
        const pending = [...ops.values()];
        const items = pending.map((op) => stateWrite(this.table, scope, op));
        const all = [...items, ...runItems()];
        if (all.length <= MAX_TRANSACTION_ITEMS && transactionBytes(all) <= MAX_TRANSACTION_BYTES) {
          const conflicts = await this.transact(all, pending);
          if (conflicts === undefined) return comparison;
          if (conflicts.size) reclassify(conflicts);
        } else {
          // Over one transaction: the pending notifications go first. A crash between the state
          // chunks and the run items would otherwise leave the failures still-failing for the next
          // run with nothing pending (lost); this way they are pending, and a failure classified
          // new again by the next run is merged with its pending item by key (at least once).
          if (!outboxWritten) {
            const puts = outboxPuts(this.table, scope, report, current(), options.outbox);
            if (puts.length) await this.transact(puts, []);
            outboxWritten = true;
          }
          const chunks = chunked(pending);
          const found = new Map<string, Stored | undefined>();
          // One after the other: fewer writes in flight against the table's capacity (and moto
          // answers 500 to parallel transactions on one table: it copies the table for each).
          await inParallel(chunks, 1, async (chunk) => {
            const conflicts = await this.transact(chunk.map((op) => stateWrite(this.table, scope, op)), chunk);
            // A cancelled transaction wrote none of its items: they stay to be written.
            if (conflicts === undefined) for (const op of chunk) ops.delete(op.key);
            else for (const [k, v] of conflicts) found.set(k, v);
          });
          if (found.size) reclassify(found);
          else if (ops.size === 0 && (await this.transact(runItems(), [])) === undefined) return comparison;
        }
        if (attempt >= MAX_ATTEMPTS) throw new HistoryError(`DynamoDB table ${this.table}: other writers kept changing the same findings; run ${run.id} was not recorded after ${attempt} attempts`);
        await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt) * Math.random()));
      }
    });
  }

  async pending(scopeKey: string, channel: string, options: OutboxTakeOptions): Promise<OutboxTake> {
    if (!/^[0-9a-f]{64}$/.test(channel)) throw new HistoryError('not a channel id');
    const scope = scopeId(scopeKey);
    const pk = `O#${scope}`;
    return this.guard(async () => {
      const rows: EntryRow[] = [];
      // Only the keys and counts first (the items of entries let go are never read).
      await this.query(
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': { S: pk }, ':p': { S: `${channel}#` } },
          ProjectionExpression: 'sk, #n, dr, rid, #at',
          ExpressionAttributeNames: { '#n': 'n', '#at': 'at' },
        },
        OUTBOX_MAX_ROWS,
        (item) => {
          const n = Number(item.n?.N);
          const dropped = Number(item.dr?.N);
          const sk = item.sk?.S;
          const runId = item.rid?.S;
          const at = item.at?.S;
          if (typeof sk !== 'string' || typeof runId !== 'string' || typeof at !== 'string' || !Number.isSafeInteger(n) || !Number.isSafeInteger(dropped) || n < 0 || dropped < 0) throw this.bad(item, 'not an outbox entry');
          rows.push({ id: sk, runId, startedAt: at, n, dropped });
        },
      );
      const plan = planTake(rows, options.runId, options.now);
      const entries: PendingEntry[] = [];
      await inParallel(plan.take, CONCURRENCY, async (row) => {
        const item = await this.get(pk, row.id);
        const items = typeof item?.items?.S === 'string' ? parseEntryItems(item.items.S, row.n, (f) => findingValidator()(f)) : undefined;
        if (item && !items) {
          plan.remove.push(row.id);
          plan.dropped += row.n;
        } else if (items) entries.push({ id: row.id, runId: row.runId, startedAt: row.startedAt, items });
      });
      entries.sort((a, b) => compareStrings(a.id, b.id));
      await inParallel(plan.remove, CONCURRENCY, (sk) => this.delete(pk, sk));
      // The standing now of each late finding: its state item (one GetItem per key, late ones only).
      const standings = new Map<string, Standing>();
      const late = new Map<string, Finding>();
      for (const e of entries) if (e.runId !== options.runId) for (const i of e.items) late.set(i.key, i.finding);
      await inParallel([...late], CONCURRENCY, async ([key, finding]) => {
        const item = await this.get(`S#${scope}`, stateSk(finding, key));
        if (item) standings.set(key, this.parseState(item, `S#${scope}`).entry.standing);
      });
      const settled = settle(entries, options.runId, (i) => standings.get(i.key));
      return { entries, dropped: plan.dropped, expired: plan.expired, settled };
    });
  }

  async delivered(scopeKey: string, channel: string, ids: readonly string[]): Promise<void> {
    const pk = `O#${scopeId(scopeKey)}`;
    await this.guard(() => inParallel(ids.filter((id) => id.startsWith(`${channel}#`)), CONCURRENCY, (sk) => this.delete(pk, sk)));
  }

  async runs(options: { scopeKey?: string; limit?: number }): Promise<RunSummary[]> {
    return this.guard(async () => {
      const limit = options.limit !== undefined && options.limit >= 0 ? options.limit : Infinity;
      const pk = options.scopeKey === undefined ? 'RUNS' : `RUNS#${scopeId(options.scopeKey)}`;
      const out: RunSummary[] = [];
      await this.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } }, ScanIndexForward: false }, limit, (item) => {
        if (out.length >= MAX_RUN_ITEMS) throw this.bad(item, `more than ${MAX_RUN_ITEMS} runs`);
        out.push(this.parseRun(item, pk, options.scopeKey));
      });
      return out;
    });
  }

  /** The newest run of the scope (what this run is compared with), if any. */
  private async latestRun(scope: string, scopeKey: string): Promise<RunInfo | undefined> {
    let found: RunInfo | undefined;
    const pk = `RUNS#${scope}`;
    await this.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } }, ScanIndexForward: false }, 1, (item) => {
      found = this.parseRun(item, pk, scopeKey).run;
    });
    return found;
  }

  /**
   * The scope's state entries this run may change: for an event run (resources only, every
   * finding live) those of the resources it described or has findings of; else all of them.
   */
  private async readState(scope: string, report: ScanReport): Promise<Map<string, Stored>> {
    const pk = `S#${scope}`;
    const evaluated = report.run!.evaluated;
    const arns = new Set<string>();
    let partial = evaluated.resources !== undefined && evaluated.regions === undefined && evaluated.files === undefined;
    for (const r of evaluated.resources ?? []) arns.add(r.arn);
    for (const f of report.findings) {
      const arn = liveIdentityOf(f)?.arn;
      if (arn === undefined) partial = false;
      else arns.add(arn);
    }
    for (const arn of arns) if (Buffer.byteLength(arn) > MAX_ARN_BYTES) partial = false;
    const out = new Map<string, Stored>();
    let chars = 0;
    const take = (item: Record<string, AttributeValue>, arn?: string) => {
      chars += typeof item.f?.S === 'string' ? item.f.S.length : 0;
      if (chars > MAX_STATE_CHARS) throw this.bad(item, `more than ${MAX_STATE_CHARS} characters of findings in one scope`);
      const s = this.parseState(item, pk);
      if (arn !== undefined && arnOfSk(s.sk) !== arn) return; // `R#a#` also lists the items of an ARN `a#b`
      if (out.has(s.entry.key)) throw this.bad(item, 'a second item for the same finding key');
      if (out.size >= MAX_STATE_ITEMS) throw this.bad(item, `more than ${MAX_STATE_ITEMS} findings in one scope`);
      out.set(s.entry.key, s);
    };
    if (!partial) {
      await this.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } } }, Infinity, (item) => take(item));
    } else {
      await inParallel([...arns], CONCURRENCY, (arn) =>
        this.query(
          { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': { S: pk }, ':p': { S: `R#${arn}#` } } },
          Infinity,
          (item) => take(item, arn),
        ),
      );
    }
    return out;
  }

  /**
   * One transaction; undefined when written, else the state keys whose condition failed, each with
   * what is there now (undefined: no item). The run's own items conflicting: already recorded.
   */
  private async transact(items: TransactWriteItem[], ops: StateOp[]): Promise<Map<string, Stored | undefined> | undefined> {
    if (items.length === 0) return undefined;
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return undefined;
    } catch (e) {
      if (!(e instanceof TransactionCanceledException) || !e.CancellationReasons) throw e;
      const reasons = e.CancellationReasons;
      const out = new Map<string, Stored | undefined>();
      for (let i = 0; i < items.length; i++) {
        const code = reasons[i]?.Code ?? 'None';
        if (code === 'None') continue;
        const op = ops[i];
        if (op === undefined) {
          if (code === 'ConditionalCheckFailed') throw new HistoryError(`the run is already recorded in DynamoDB table ${this.table}`);
          if (code === 'TransactionConflict') return out.size ? out : new Map(); // retried
          throw new HistoryError(`DynamoDB table ${this.table}: the run's items were refused (${code})`);
        }
        const pk = stateKeyOf(items[i]!);
        if (code === 'ConditionalCheckFailed') {
          const item = reasons[i]!.Item;
          out.set(op.key, item ? this.parseState(item, pk) : undefined);
        } else if (code === 'TransactionConflict') {
          const item = await this.get(pk, op.sk);
          out.set(op.key, item ? this.parseState(item, pk) : undefined);
        } else {
          throw new HistoryError(`DynamoDB table ${this.table}: a write was refused (${code}${reasons[i]?.Message ? `: ${reasons[i]!.Message}` : ''})`);
        }
      }
      return out;
    }
  }

  private async get(pk: string, sk: string): Promise<Record<string, AttributeValue> | undefined> {
    const res = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
    return res.Item;
  }

  private async delete(pk: string, sk: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { pk: { S: pk }, sk: { S: sk } } }));
  }

  /** Every item a Query gives, page by page, until `limit`. */
  private async query(input: Omit<QueryCommandInput, 'TableName'>, limit: number, each: (item: Record<string, AttributeValue>) => void): Promise<void> {
    let start: Record<string, AttributeValue> | undefined;
    let n = 0;
    if (limit <= 0) return;
    do {
      const res = await this.client.send(
        new QueryCommand({ ...input, TableName: this.table, ConsistentRead: true, ...(Number.isFinite(limit) ? { Limit: limit - n } : {}), ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      for (const item of res.Items ?? []) {
        if (n >= limit) return;
        each(item);
        n++;
      }
      start = res.LastEvaluatedKey;
    } while (start && n < limit);
  }

  private parseState(item: Record<string, AttributeValue>, pk: string): Stored {
    if (!isItem(item) || item.pk?.S !== pk) throw this.bad(item, 'not of this scope');
    const sk = item.sk?.S;
    const m = typeof sk === 'string' ? /^(?:R#[^]+#|K#)([0-9a-f]{64})$/.exec(sk) : null;
    if (!m) throw this.bad(item, 'its sort key is not a finding key');
    const key = m[1]!;
    const version = Number(item.v?.N);
    if (!Number.isSafeInteger(version) || version < 1) throw this.bad(item, 'no valid version');
    const standing = item.st?.S as Standing;
    if (!STANDINGS.includes(standing)) throw this.bad(item, 'no valid standing');
    const since = item.since?.S;
    if (typeof since !== 'string' || since.length === 0 || since.length > 200) throw this.bad(item, 'no valid run id');
    const json = item.f?.S;
    if (typeof json !== 'string') throw this.bad(item, 'no finding');
    const finding = this.parseJson(item, json, findingValidator(), 'finding') as Finding;
    if (findingKey(finding) !== key) throw this.bad(item, "its finding is not the finding its key names");
    const arn = arnOfSk(sk!);
    if (arn !== undefined && liveIdentityOf(finding)?.arn !== arn) throw this.bad(item, 'its finding is of another resource than its key names');
    return { entry: { key, finding, standing, since }, version, sk: sk!, json };
  }

  private parseRun(item: Record<string, AttributeValue>, pk: string, scopeKey: string | undefined): RunSummary {
    if (!isItem(item) || item.pk?.S !== pk) throw this.bad(item, 'not a run of this scope');
    const run = this.parseJson(item, item.run?.S, runValidator(), 'run') as RunInfo;
    const summary = this.parseJson(item, item.summary?.S, summaryValidator(), 'summary') as ReportSummary;
    const counts = this.parseJson(item, item.counts?.S, countsValidator(), 'counts') as Record<ChangeKind, number>;
    if (scopeKey !== undefined && run.scope.key !== scopeKey) throw this.bad(item, 'a run of another scope');
    if (item.sk?.S !== `${run.startedAt}#${run.id}`) throw this.bad(item, 'its sort key is not its run');
    return { run, summary, changes: { ...emptyCounts(), ...counts } };
  }

  /** JSON from an item, validated; a `__proto__` key anywhere refuses it. */
  private parseJson(item: Record<string, AttributeValue>, json: unknown, validate: ValidateFunction, what: string): unknown {
    if (typeof json !== 'string') throw this.bad(item, `no ${what}`);
    let value: unknown;
    try {
      value = JSON.parse(json, (k, v: unknown) => {
        if (k === '__proto__') throw new SyntaxError('a "__proto__" key');
        return v;
      });
    } catch (e) {
      throw this.bad(item, `its ${what} is not valid JSON: ${(e as Error).message.slice(0, 100)}`);
    }
    if (!validate(value)) throw this.bad(item, `its ${what} is not valid: ${validate.errors?.[0]?.instancePath || '/'} ${validate.errors?.[0]?.message ?? ''}`.trimEnd());
    return value;
  }

  private bad(item: unknown, why: string): HistoryError {
    const at = isItem(item) ? `${String(item.pk?.S ?? '?').slice(0, 100)} ${String(item.sk?.S ?? '?').slice(0, 160)}` : '?';
    return new HistoryError(`DynamoDB table ${this.table}: the item ${JSON.stringify(at)} is not a cloudconform history item (${why}): nothing was recorded; delete or restore that item`);
  }

  /** The SDK's errors as HistoryErrors naming the table (never credentials: the SDK's messages hold none). */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof HistoryError) throw e;
      const name = (e as Error).name ?? 'Error';
      if (name === 'ResourceNotFoundException') throw new HistoryError(`DynamoDB table ${this.table} does not exist (or is in another region or account): create it with the monitor's template`);
      throw new HistoryError(`DynamoDB table ${this.table}: ${name}: ${String((e as Error).message ?? e).slice(0, 300)}`);
    }
  }
}

/** The writes that take the stored entries to `state` (only `keys`, when given). */
function planOps(ops: Map<string, StateOp>, stored: Map<string, Stored>, state: StateEntry[], keys?: Set<string>): void {
  const kept = new Set<string>();
  for (const e of state) {
    kept.add(e.key);
    const before = stored.get(e.key);
    const { finding, json } = fitted(e.finding);
    if (before && before.entry.standing === e.standing && before.entry.since === e.since && before.json === json) continue;
    ops.set(e.key, { key: e.key, sk: before?.sk ?? stateSk(finding, e.key), version: before?.version ?? 0, put: { ...e, finding }, json });
  }
  // What classify dropped (resolved long ago, or passing and gone where the run looked).
  for (const [key, s] of stored) if (!kept.has(key) && (keys === undefined || keys.has(key))) ops.set(key, { key, sk: s.sk, version: s.version });
}

function stateWrite(table: string, scope: string, op: StateOp): TransactWriteItem {
  const key = { pk: { S: `S#${scope}` }, sk: { S: op.sk } };
  const condition =
    op.version === 0
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': { N: String(op.version) } } };
  if (!op.put) return { Delete: { TableName: table, Key: key, ...condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } };
  const e = op.put;
  const item: Record<string, AttributeValue> = {
    ...key,
    v: { N: String(op.version + 1) },
    st: { S: e.standing },
    since: { S: e.since },
    f: { S: op.json ?? JSON.stringify(e.finding) },
  };
  if (e.standing === 'resolved') {
    const at = sinceTime(e.since);
    if (at !== undefined) item.ttl = { N: String(Math.floor(at / 1000) + RESOLVED_KEPT_DAYS * 86_400) };
  }
  return { Put: { TableName: table, Item: item, ...condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } };
}

/** The run's two items: every scope's listing and the scope's own, with the changes that matter. */
function runPuts(table: string, scope: string, sk: string, report: ScanReport, comparison: RunComparison): TransactWriteItem[] {
  const run = report.run!;
  let info = JSON.stringify(run);
  const cut: string[] = [];
  if (Buffer.byteLength(info) > MAX_RUN_INFO_BYTES) {
    const e = run.evaluated;
    cut.push(`evaluated (${e.files?.length ?? 0} files, ${e.regions?.length ?? 0} regions, ${e.resources?.length ?? 0} resources) not kept: over ${MAX_RUN_INFO_BYTES} bytes`);
    info = JSON.stringify({ ...run, evaluated: {} });
    if (Buffer.byteLength(info) > MAX_RUN_INFO_BYTES) throw new HistoryError(`run ${run.id}'s scope is over ${MAX_RUN_INFO_BYTES} bytes: not recorded`);
  }
  const ttl = { N: String(Math.floor(Date.parse(run.startedAt) / 1000) + RESOLVED_KEPT_DAYS * 86_400) };
  const base: Record<string, AttributeValue> = {
    sk: { S: sk },
    run: { S: info },
    summary: { S: JSON.stringify(report.summary) },
    counts: { S: JSON.stringify(comparison.counts) },
    ttl,
  };
  // The changes that matter, as many as fit (in comparison order); the number left out is said.
  let budget = MAX_RUN_ITEM_BYTES - itemBytes(base) - 200;
  const kept: string[] = [];
  const matter = comparison.changes.filter((c) => KEPT_CHANGES.includes(c.change));
  for (const c of matter) {
    const json = JSON.stringify({ key: c.key, change: c.change, finding: fitted(c.finding).finding });
    const n = Buffer.byteLength(json) + 1;
    if (n > budget) break;
    budget -= n;
    kept.push(json);
  }
  if (kept.length < matter.length) cut.push(`${matter.length - kept.length} of ${matter.length} new, regressed and resolved changes not kept: over the item limit`);
  const scopeItem = { ...base, pk: { S: `RUNS#${scope}` }, changes: { S: `[${kept.join(',')}]` }, ...(cut.length ? { cut: { S: cut.join('; ') } } : {}) };
  const allItem = { ...base, pk: { S: 'RUNS' } };
  const put = (item: Record<string, AttributeValue>): TransactWriteItem => ({ Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } });
  return [put(scopeItem), put(allItem)];
}

/** The run's pending notifications, one item per channel (written with the run items). */
function outboxPuts(table: string, scope: string, report: ScanReport, comparison: RunComparison, plan: OutboxPlan | undefined): TransactWriteItem[] {
  if (!plan || plan.channels.length === 0) return [];
  const items = plan.select(comparison);
  if (items.length === 0) return [];
  const run = report.run!;
  const { json, n, dropped } = entryOf(items);
  const ttl = { N: String(Math.floor(Date.parse(run.startedAt) / 1000) + OUTBOX_KEPT_DAYS * 86_400) };
  return plan.channels.map((channel) => ({
    Put: {
      TableName: table,
      Item: { pk: { S: `O#${scope}` }, sk: { S: `${channel}#${run.startedAt}#${run.id}` }, rid: { S: run.id }, at: { S: run.startedAt }, n: { N: String(n) }, dr: { N: String(dropped) }, items: { S: json }, ttl },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
}

/**
 * The finding as a state item holds it: whole when its JSON fits MAX_FINDING_BYTES, else with its
 * message cut (the key does not depend on it); still too large, the run is refused.
 */
function fitted(f: Finding): { finding: Finding; json: string } {
  const whole = JSON.stringify(f);
  const bytes = Buffer.byteLength(whole);
  if (bytes <= MAX_FINDING_BYTES) return { finding: f, json: whole };
  const messageBytes = Buffer.byteLength(f.message);
  const note = ` ... [cut: the message was ${messageBytes} bytes, more than the DynamoDB history keeps]`;
  let keep = Math.max(0, Math.floor(f.message.length * ((messageBytes - (bytes - MAX_FINDING_BYTES) - 2 * note.length) / Math.max(1, messageBytes))));
  for (;;) {
    const cut = { ...f, message: f.message.slice(0, keep) + note };
    const json = JSON.stringify(cut);
    if (Buffer.byteLength(json) <= MAX_FINDING_BYTES) return { finding: cut, json };
    if (keep === 0) break;
    keep = Math.floor(keep * 0.9);
  }
  throw new HistoryError(
    `a finding of ${f.ruleId} on ${JSON.stringify(f.resource.id.slice(0, 200))} takes ${bytes} bytes even without its message, more than one DynamoDB item holds (400 KB): the run is not recorded`,
  );
}

/** The scope as keys spell it: itself, or its SHA-256 when too long for a key. */
function scopeId(scopeKey: string): string {
  return Buffer.byteLength(scopeKey) <= MAX_SCOPE_BYTES ? scopeKey : `sha256:${createHash('sha256').update(scopeKey).digest('hex')}`;
}

function stateSk(f: Finding, key: string): string {
  const arn = liveIdentityOf(f)?.arn;
  return arn !== undefined && Buffer.byteLength(arn) <= MAX_ARN_BYTES ? `R#${arn}#${key}` : `K#${key}`;
}

/** The ARN a state sort key names (undefined for `K#`). */
function arnOfSk(sk: string): string | undefined {
  return sk.startsWith('R#') ? sk.slice(2, -65) : undefined;
}

function stateKeyOf(item: TransactWriteItem): string {
  return (item.Put?.Item?.pk ?? item.Delete?.Key?.pk)!.S!;
}

/** Entries in classify's order (compareFindings, then key). */
function sortedEntries(stored: Map<string, Stored>): StateEntry[] {
  return [...stored.values()].map((s) => s.entry).sort((a, b) => compareFindings(a.finding, b.finding) || compareStrings(a.key, b.key));
}

/** A run id's time (ids start with it), for the TTL of a resolved entry. */
function sinceTime(since: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(since);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

/** Ops in transactions of at most 100 items and 4 MB. */
function chunked(ops: StateOp[]): StateOp[][] {
  const out: StateOp[][] = [];
  let chunk: StateOp[] = [];
  let bytes = 0;
  for (const op of ops) {
    const n = (op.json?.length ?? 0) * 3 + 2_000; // UTF-8 bytes at most 3 per UTF-16 unit
    if (chunk.length >= MAX_TRANSACTION_ITEMS || (chunk.length > 0 && bytes + n > MAX_TRANSACTION_BYTES)) {
      out.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(op);
    bytes += n;
  }
  if (chunk.length) out.push(chunk);
  return out;
}

function transactionBytes(items: TransactWriteItem[]): number {
  let n = 0;
  for (const t of items) n += itemBytes(t.Put?.Item ?? t.Delete?.Key ?? {});
  return n;
}

/** An item's size as DynamoDB counts it, about: names and string values in UTF-8, numbers up to 21 bytes. */
function itemBytes(item: Record<string, AttributeValue>): number {
  let n = 0;
  for (const [name, v] of Object.entries(item)) n += Buffer.byteLength(name) + (v.S !== undefined ? Buffer.byteLength(v.S) : 21);
  return n;
}

function isItem(item: unknown): item is Record<string, AttributeValue | undefined> {
  return typeof item === 'object' && item !== null && !Array.isArray(item);
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      try {
        await fn(items[next++]!);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

// Validators from the report contract (report-file.ts), compiled on first use.
let validators: { finding: ValidateFunction; run: ValidateFunction; summary: ValidateFunction; counts: ValidateFunction } | undefined;
function compiled() {
  if (!validators) {
    const ajv = new Ajv({ removeAdditional: true, allErrors: false, strict: true });
    const p = REPORT_SCHEMA.properties as Record<string, Record<string, unknown>>;
    validators = {
      finding: ajv.compile(p.findings!.items as Record<string, unknown>),
      run: ajv.compile(p.run!),
      summary: ajv.compile(p.summary!),
      counts: ajv.compile({
        type: 'object',
        properties: Object.fromEntries(CHANGE_KINDS.map((k) => [k, { type: 'integer', minimum: 0 }])),
        additionalProperties: false,
      }),
    };
  }
  return validators;
}
const findingValidator = () => compiled().finding;
const runValidator = () => compiled().run;
const summaryValidator = () => compiled().summary;
const countsValidator = () => compiled().counts;
