// Automatic response (`--respond tag|stop`, off by default): what the event handler may do to a
// notebook instance that fails SageMaker-004. Never delete, never touch a Studio domain: the only
// mutating calls are AddTags and StopNotebookInstance, on a notebook-instance ARN, and each is
// made only after the notebook is described again (observe, then act) and the journal holds the
// intent; the outcome follows it. Every decision is also returned as a RespondAction for the report.
import { AddTagsCommand, StopNotebookInstanceCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import pLimit from 'p-limit';
import type { Finding } from '../model/report';
import { ExceptionMatcher } from '../engine/config';
import { RuleRunner } from '../engine/evaluate';
import { rule as notebookRule } from '../rules/sagemaker-004/rule';
import { AUDIT_ACTIONS } from '../sources/aws/actions';
import { limitCalls, type CallLimiter } from '../sources/aws/clients';
import { awsErrorCode, describeAwsError, redactSecrets } from '../sources/aws/errors';
import { describeLive, DOMAIN_TYPE, isoTime, liveKind, NOTEBOOK_INSTANCE_TYPE, parseSageMakerArn, type LiveKind } from '../sources/aws/registry';
import { printable, safeJson } from '../reporters/printable';

export type RespondMode = 'tag' | 'stop';

/** The tag `--respond tag` puts on a failing notebook; its value: the rule id(s), then `run RUN-ID` (or `at TIME`). */
export const NONCOMPLIANT_TAG = 'cloudconform:noncompliant';
/**
 * A notebook tagged `cloudconform:respond=off` is exempt from every automatic response (tag and
 * stop); its findings are still reported and notified. Key and value are compared without case and
 * surrounding white space (`Cloudconform:Respond = OFF ` exempts too): whoever can tag the notebook
 * can exempt it with the exact spelling anyway, so a strict match would only stop notebooks their
 * owners meant to exempt. Another value (`of`, `no`) exempts nothing, and the decision says so.
 */
export const EXEMPT_TAG = 'cloudconform:respond';
export const EXEMPT_VALUE = 'off';

const RULE_ID = notebookRule.meta.id;

/**
 * Every AWS action `--respond` calls, by mode: the describe and ListTags it re-does before acting,
 * then its one mutating call. The IAM policy (`iam-policy --for monitor`, the monitor's role)
 * takes them from here.
 */
export const RESPOND_ACTIONS = {
  describeNotebookInstance: { action: AUDIT_ACTIONS.describeNotebookInstance.action, modes: ['tag', 'stop'] },
  listTags: { action: AUDIT_ACTIONS.listTags.action, modes: ['tag', 'stop'] },
  addTags: { action: 'sagemaker:AddTags', modes: ['tag'] },
  stopNotebookInstance: { action: 'sagemaker:StopNotebookInstance', modes: ['stop'] },
} as const satisfies Record<string, { action: string; modes: readonly RespondMode[] }>;

/** The IAM actions one mode calls, sorted. */
export function respondIamActions(mode: RespondMode): string[] {
  return Object.values(RESPOND_ACTIONS)
    .filter((a) => (a.modes as readonly RespondMode[]).includes(mode))
    .map((a) => a.action)
    .sort();
}

/** `--respond` / `CLOUDCONFORM_RESPOND`: `tag` or `stop`; `off`, `none`, empty or absent: no response. */
export function parseRespondMode(text: string | undefined): RespondMode | undefined {
  const value = (text ?? '').trim().toLowerCase();
  if (value === '' || value === 'off' || value === 'none') return undefined;
  if (value === 'tag' || value === 'stop') return value;
  throw new Error(`--respond ${clip(text, 40)}: expected tag, stop or off`);
}

/**
 * One finding to respond to, with the DescribeNotebookInstance output it was evaluated from
 * (`describeLive(...).described`): its CreationTime is what the notebook must still have.
 */
export interface RespondTarget {
  finding: Finding;
  described?: object;
}

/** The SageMaker client for an account and region: the one (assumed role) the handler described with. */
export type RespondClients = (account: string, region: string) => SageMakerClient | Promise<SageMakerClient>;

/**
 * `done`: the call was made and answered; `skipped`: nothing to do or not ours to do (passes now,
 * exempt, suppressed, not InService, re-created, gone, already tagged); `refused`: never done (a
 * domain, another rule, a finding that can't be checked); `error`: a call failed, nothing retried.
 */
export type RespondOutcome = 'done' | 'skipped' | 'refused' | 'error';

export interface RespondAction {
  action: RespondMode;
  /** The resource's ARN. */
  target: string;
  account?: string;
  region?: string;
  name?: string;
  ruleIds: string[];
  outcome: RespondOutcome;
  reason: string;
  /** ISO 8601, when decided (or the call answered). */
  at: string;
}

/**
 * One journal line. `decision`: nothing is called (skipped, refused, or an error before any call);
 * `intent`: written, and flushed, before the mutating call; `outcome`: after it.
 */
export interface RespondJournalEntry {
  journal: 'cloudconform-respond';
  v: 1;
  time: string;
  runId?: string;
  phase: 'decision' | 'intent' | 'outcome';
  action: RespondMode;
  target: string;
  account?: string;
  region?: string;
  name?: string;
  ruleIds: string[];
  /** The mutating call (intent, outcome). */
  call?: string;
  /** AddTags: the tag written. */
  tag?: { key: string; value: string };
  outcome?: RespondOutcome;
  reason: string;
}

/** Where journal entries go: a file (CLI), standard output (Lambda: CloudWatch Logs is the journal). */
export interface RespondJournal {
  write(entry: RespondJournalEntry): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface RespondOptions {
  /** The run's id, written into the tag's value and every journal entry. */
  runId?: string;
  now?: () => Date;
  /** The configuration's exceptions: a finding they suppress, on the notebook's fresh tags, is never acted on. */
  exceptions?: ExceptionMatcher;
  /** Bounds each call (deadline); default 30 s a call, 4 at once. */
  call?: CallLimiter;
  /** The run's deadline: aborted, it ends the default limiter's calls (those in flight and those waiting). */
  deadline?: AbortSignal;
}

/** Notebooks responded to at once (each is a describe, ListTags and one call). */
const CONCURRENCY = 4;
const CALL_TIMEOUT_MS = 30_000;
/** AWS's limit on a tag value. */
const MAX_TAG_VALUE = 256;

/**
 * Responds to the failing SageMaker-004 findings among `targets` (every finding of a run may be
 * given: passes and unknowns are ignored; a failing domain finding, or another rule's, comes back
 * `refused`). Findings of one ARN are acted on once. Never throws for an AWS or journal error: each
 * is an `error` action. The actions come back in the order of their first finding.
 */
export async function respond(
  targets: readonly (RespondTarget | Finding)[],
  mode: RespondMode,
  clients: RespondClients,
  journal: RespondJournal,
  options: RespondOptions = {},
): Promise<RespondAction[]> {
  if (mode !== 'tag' && mode !== 'stop') throw new Error(`respond: unknown mode ${clip(mode, 40)}`);
  const ctx: Context = {
    mode,
    clients,
    journal,
    runId: options.runId,
    now: options.now ?? (() => new Date()),
    exceptions: options.exceptions ?? new ExceptionMatcher([]),
    call: options.call ?? limitCalls(CONCURRENCY, CALL_TIMEOUT_MS, options.deadline ?? new AbortController().signal),
  };
  const decided: (RespondAction | Promise<RespondAction>)[] = [];
  const groups = new Map<string, Group>();
  for (const t of targets) {
    const { finding, described } = 'finding' in t ? t : { finding: t, described: undefined };
    if (finding.result !== 'fail') continue;
    const arn = finding.resource.live?.arn ?? finding.resource.id;
    const refusal = refusalOf(finding);
    if (refusal) {
      decided.push(decide(ctx, finding, refusal.outcome, refusal.reason));
      continue;
    }
    const group = groups.get(arn);
    if (group) {
      group.findings.push(finding);
      group.described.push(described);
      continue;
    }
    const fresh: Group = { arn, findings: [finding], described: [described], index: decided.length };
    groups.set(arn, fresh);
    decided.push(undefined as never); // filled below, keeping the order of first findings
  }
  const limit = pLimit(CONCURRENCY);
  for (const group of groups.values()) decided[group.index] = limit(() => respondTo(ctx, group));
  return Promise.all(decided);
}

interface Context {
  mode: RespondMode;
  clients: RespondClients;
  journal: RespondJournal;
  runId?: string;
  now: () => Date;
  exceptions: ExceptionMatcher;
  call: CallLimiter;
}

/** The failing findings of one notebook, and the describes they came from. */
interface Group {
  arn: string;
  findings: Finding[];
  described: (object | undefined)[];
  index: number;
}

/** Why a failing finding is never acted on whatever the notebook's state, or undefined. */
function refusalOf(f: Finding): { outcome: RespondOutcome; reason: string } | undefined {
  const arn = f.resource.live?.arn ?? f.resource.id;
  if (f.resource.type === DOMAIN_TYPE || /^arn:[^:]*:sagemaker:[^:]*:[^:]*:domain\//i.test(arn) || f.ruleId === 'SageMaker-005') {
    return {
      outcome: 'refused',
      reason:
        'Studio domains are never acted on: UpdateDomain fails while apps run, and stopping or deleting apps loses work; ' +
        'remediate it with `cloudconform remediate --domain`',
    };
  }
  if (f.ruleId !== RULE_ID || f.resource.type !== NOTEBOOK_INSTANCE_TYPE) {
    return { outcome: 'refused', reason: `only ${RULE_ID} findings on notebook instances are acted on (this is ${clip(f.ruleId, 64)} on ${clip(f.resource.type, 64)})` };
  }
  if (f.suppressed) {
    return { outcome: 'skipped', reason: `the finding is suppressed (${f.suppression?.source ?? 'exception'}: ${clip(f.suppression?.reason ?? '', 200)}): suppressed findings are never acted on` };
  }
  if (!f.resource.live) return { outcome: 'refused', reason: 'not a live finding (no account, region and ARN): only a notebook described in AWS is acted on' };
  return undefined;
}

async function respondTo(ctx: Context, group: Group): Promise<RespondAction> {
  const first = group.findings[0]!;
  const live = first.resource.live!;
  const ruleIds = [...new Set(group.findings.map((f) => f.ruleId))].sort();
  const skip = (outcome: RespondOutcome, reason: string) => decide(ctx, first, outcome, reason, ruleIds);
  const kind = liveKind(NOTEBOOK_INSTANCE_TYPE);
  if (!kind) return skip('refused', 'no live kind for notebook instances');
  const name = notebookNameOf(kind, live, first.resource.details?.name);
  if (!name) return skip('refused', `the ARN is not a notebook instance's in account ${clip(live.account, 20)} and region ${clip(live.region, 30)}: not acted on`);
  const seen = new Set(group.described.map((d) => createdAt(d)));
  if (seen.size > 1) return skip('refused', 'the findings of this notebook were evaluated from notebooks created at different times: not acted on');
  const sawCreated = [...seen][0];

  let client: SageMakerClient;
  try {
    client = await ctx.clients(live.account, live.region);
  } catch (e) {
    return skip('error', `no client for account ${clip(live.account, 20)} in ${clip(live.region, 30)}: ${describeAwsError(e)}`);
  }
  // Observe: the notebook as it is now, with its tags, not as the event or the finding saw it.
  const now = await describeLive(kind, client, name, { account: live.account, region: live.region }, { tags: true, call: ctx.call }).catch(
    (error: unknown) => ({ state: 'failed', error }) as const,
  );
  if (now.state === 'gone') return skip('skipped', `the notebook is gone (${clip(now.message, 200)})`);
  if (now.state === 'failed') return skip('error', `${kind.describeAction.action} failed: ${describeAwsError(now.error)}: not acted on`);
  const identity = kind.identifyDescribed(now.described);
  if (identity.arn !== live.arn) return skip('refused', `the notebook described now has another ARN (${clip(identity.arn, 200)}): not acted on`);
  const createdNow = createdAt(now.described);
  if (sawCreated !== undefined && createdNow !== sawCreated) {
    return skip('skipped', `the notebook was re-created under its name (created ${createdNow ?? 'at an unknown time'}, the finding's ${sawCreated}): it is not the one the finding is about`);
  }
  if (sawCreated === undefined && ctx.mode === 'stop') {
    return skip('refused', 'the finding does not say when its notebook was created (no DescribeNotebookInstance output given): a notebook re-created under its name could be stopped, so none is');
  }
  // The rule and the configuration's exceptions again, on what was just read (fresh tags included).
  const evaluated: Finding[] = [];
  new RuleRunner([notebookRule], ctx.exceptions).evaluate(now.resource, evaluated, []);
  const verdict = evaluated[0];
  if (!verdict || verdict.result !== 'fail') {
    return skip('skipped', `it no longer fails ${RULE_ID} (now ${verdict?.result ?? 'not evaluated'}: ${clip(verdict?.message ?? '', 200)})`);
  }
  if (verdict.suppressed) return skip('skipped', `an exception now suppresses the finding (${clip(verdict.suppression?.reason ?? '', 200)}): never acted on`);
  const tagsAttr = now.resource.readProperty('Tags');
  if (tagsAttr.state !== 'set' && tagsAttr.state !== 'absent') {
    return skip('error', `the notebook's tags could not be read, so an exemption can't be ruled out (${clip(tagsAttr.state === 'unknown' ? tagsAttr.reason : '', 200)}): not acted on`);
  }
  const tags = tagsAttr.state === 'set' && Array.isArray(tagsAttr.value) ? (tagsAttr.value as { Key?: unknown; Value?: unknown }[]) : [];
  const exemption = exemptionOf(tags);
  if (exemption.exempt) return skip('skipped', `exempt: tagged ${EXEMPT_TAG}=${EXEMPT_VALUE}`);
  const near = exemption.note ? ` (${exemption.note})` : '';
  const status = identity.status;

  if (ctx.mode === 'stop') {
    if (status !== 'InService') {
      return skip('skipped', status === 'Stopped' ? `already Stopped${near}` : `status ${clip(status ?? 'unknown', 40)}: only an InService notebook is stopped${near}`);
    }
    return act(ctx, first, ruleIds, name, {
      call: RESPOND_ACTIONS.stopNotebookInstance.action,
      send: (signal) => client.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name }), { abortSignal: signal }),
      done: `StopNotebookInstance accepted (it was InService, created ${createdNow})${near}`,
      // Someone (another invocation for the same event) stopped it between our describe and our call.
      raced: async (e) => {
        if (awsErrorCode(e) !== 'ValidationException') return undefined;
        const again = await describeLive(kind, client, name, { account: live.account, region: live.region }, { call: ctx.call }).catch(() => undefined);
        const s = again?.state === 'found' ? kind.identifyDescribed(again.described).status : undefined;
        return s === 'Stopping' || s === 'Stopped' ? `it is ${s} already: stopped by another call meanwhile` : undefined;
      },
    });
  }
  if (status === 'Deleting') return skip('skipped', `status Deleting: not tagged${near}`);
  const value = tagValue(ruleIds, ctx.runId, ctx.now());
  const existing = tags.find((t) => t?.Key === NONCOMPLIANT_TAG);
  if (typeof existing?.Value === 'string' && tagRules(existing.Value) === ruleIds.join(' ')) {
    return skip('skipped', `already tagged ${NONCOMPLIANT_TAG}=${clip(existing.Value, MAX_TAG_VALUE)}${near}`);
  }
  return act(ctx, first, ruleIds, name, {
    call: RESPOND_ACTIONS.addTags.action,
    tag: { key: NONCOMPLIANT_TAG, value },
    send: (signal) => client.send(new AddTagsCommand({ ResourceArn: live.arn, Tags: [{ Key: NONCOMPLIANT_TAG, Value: value }] }), { abortSignal: signal }),
    done: `tagged ${NONCOMPLIANT_TAG}=${value}${near}`,
  });
}

interface Call {
  call: string;
  tag?: { key: string; value: string };
  send(signal: AbortSignal): Promise<unknown>;
  done: string;
  /** For a failed call: why it is not an error after all (the state it meant to reach is there), or undefined. */
  raced?(error: unknown): Promise<string | undefined>;
}

/** Journal the intent (nothing is called if that fails), make the call once (the SDK's own retries only), journal the outcome. */
async function act(ctx: Context, f: Finding, ruleIds: string[], name: string, c: Call): Promise<RespondAction> {
  const base = entryBase(ctx, f, ruleIds);
  try {
    await ctx.journal.write({ ...base, time: ctx.now().toISOString(), phase: 'intent', call: c.call, ...(c.tag ? { tag: c.tag } : {}), reason: `${c.call} on ${clip(name, 256)}` });
  } catch (e) {
    return action(ctx, f, ruleIds, 'error', `the journal could not be written (${clip(redactSecrets((e as Error)?.message ?? String(e)), 300)}): ${c.call} not called`);
  }
  let outcome: RespondOutcome = 'done';
  let reason = c.done;
  try {
    await ctx.call((signal) => c.send(signal));
  } catch (e) {
    const raced = await c.raced?.(e).catch(() => undefined);
    outcome = raced ? 'skipped' : 'error';
    reason = raced ?? `${c.call} failed: ${describeAwsError(e)} (not retried)`;
  }
  const result = action(ctx, f, ruleIds, outcome, reason);
  try {
    await ctx.journal.write({ ...base, time: result.at, phase: 'outcome', call: c.call, ...(c.tag ? { tag: c.tag } : {}), outcome, reason });
  } catch (e) {
    result.reason += ` (its outcome could not be journaled: ${clip(redactSecrets((e as Error)?.message ?? String(e)), 300)})`;
  }
  return result;
}

/** A decision without a call: journaled (a journal that fails is noted in the reason), and returned. */
async function decide(ctx: Context, f: Finding, outcome: RespondOutcome, reason: string, ruleIds = [f.ruleId]): Promise<RespondAction> {
  const result = action(ctx, f, ruleIds, outcome, reason);
  try {
    await ctx.journal.write({ ...entryBase(ctx, f, ruleIds), time: result.at, phase: 'decision', outcome, reason });
  } catch (e) {
    result.reason += ` (not journaled: ${clip(redactSecrets((e as Error)?.message ?? String(e)), 300)})`;
  }
  return result;
}

function action(ctx: Context, f: Finding, ruleIds: string[], outcome: RespondOutcome, reason: string): RespondAction {
  const live = f.resource.live;
  const name = f.resource.details?.name;
  // Identifiers as they are (as in findings: whoever shows them escapes them, as the journal does); reasons are one escaped line.
  return {
    action: ctx.mode,
    target: live?.arn ?? f.resource.id,
    ...(live ? { account: live.account, region: live.region } : {}),
    ...(name !== undefined ? { name } : {}),
    ruleIds,
    outcome,
    reason: redactSecrets(reason),
    at: ctx.now().toISOString(),
  };
}

function entryBase(ctx: Context, f: Finding, ruleIds: string[]): Omit<RespondJournalEntry, 'time' | 'phase' | 'reason'> {
  const a = action(ctx, f, ruleIds, 'done', '');
  return {
    journal: 'cloudconform-respond',
    v: 1,
    ...(ctx.runId !== undefined ? { runId: ctx.runId } : {}),
    action: ctx.mode,
    target: a.target,
    ...(a.account !== undefined ? { account: a.account, region: a.region } : {}),
    ...(a.name !== undefined ? { name: a.name } : {}),
    ruleIds: a.ruleIds,
  };
}

/**
 * The name to describe the notebook by, only when the ARN is a notebook instance's of the finding's
 * own account and region (the client is chosen by those: an ARN of another account is not ours to
 * act on with this account's role). AWS writes the name lower-cased in the ARN: the finding's name
 * (as created) is used when it is the ARN's but for case.
 */
function notebookNameOf(kind: LiveKind, live: { arn: string; account: string; region: string }, shownName: string | undefined): string | undefined {
  const arn = parseSageMakerArn(live.arn);
  const id = kind.idFromArn(live.arn);
  if (!arn || id === undefined || arn.region !== live.region || arn.account !== live.account) return undefined;
  return shownName !== undefined && shownName.toLowerCase() === id.toLowerCase() && kind.invalidId(shownName) === undefined ? shownName : id;
}

/** A describe output's CreationTime in ISO form; undefined when absent or not a time. */
function createdAt(described: object | undefined): string | undefined {
  return isoTime((described as { CreationTime?: unknown } | undefined)?.CreationTime);
}

/** Whether the tags exempt the notebook (see EXEMPT_TAG), and a note for an exemption tag with another value. */
function exemptionOf(tags: readonly { Key?: unknown; Value?: unknown }[]): { exempt: boolean; note?: string } {
  let note: string | undefined;
  for (const t of tags) {
    if (typeof t?.Key !== 'string' || t.Key.trim().toLowerCase() !== EXEMPT_TAG) continue;
    const value = typeof t.Value === 'string' ? t.Value : '';
    if (value.trim().toLowerCase() === EXEMPT_VALUE) return { exempt: true };
    note = `tag ${clip(t.Key, 128)} is ${clip(value, 64)}: only '${EXEMPT_VALUE}' exempts`;
  }
  return { exempt: false, ...(note ? { note } : {}) };
}

/**
 * `SageMaker-004 run 20261204T193000Z-3fa9c1d2`, at most 256 characters of those AWS allows in a tag
 * value (`[\p{L}\p{Z}\p{N}_.:/=+\-@]`), less the separators but the plain space (\p{Z} holds U+2028).
 */
function tagValue(ruleIds: string[], runId: string | undefined, now: Date): string {
  const value = `${ruleIds.join(' ')} ${runId !== undefined ? `run ${runId}` : `at ${now.toISOString()}`}`;
  return value.replace(/[^\p{L}\p{N}_.:/=+\-@ ]/gu, '').slice(0, MAX_TAG_VALUE);
}

/** The rule ids part of a `cloudconform:noncompliant` value. */
function tagRules(value: string): string {
  return value.replace(/ (run|at) .*$/s, '');
}

/**
 * Text from a finding or an API answer, shown in a reason: control characters and line separators
 * escaped (a reason is one line wherever it goes), at most `max` characters.
 */
function clip(value: unknown, max: number): string {
  const text = printable(String(value ?? ''));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** One JSON object per line whatever the strings hold: C0 and C1 controls, U+2028/U+2029 (line breaks to some readers) and bidi marks are escaped. */
export function journalLine(entry: RespondJournalEntry): string {
  return `${safeJson(entry)}\n`;
}

/** Journal lines to standard output (or `write`): in Lambda, CloudWatch Logs keeps them. */
export function streamJournal(write: (line: string) => void = (line) => void process.stdout.write(line)): RespondJournal {
  return { write: (entry) => write(journalLine(entry)) };
}

/**
 * `--respond-journal FILE`: JSON lines appended to FILE (created 0644 with its folders). Opened now,
 * so a bad path fails before any event is handled. Refused: a symbolic link at FILE (never followed),
 * anything but a regular file (a FIFO would block), a file with other hard links or owned by another
 * user (appending as root through a link planted in a shared directory would write into its
 * target). Every line is flushed to disk before the call it announces.
 */
export function fileJournal(file: string): RespondJournal {
  const where = `--respond-journal ${file}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (e) {
    throw new Error(`${where}: can't create the folder: ${(e as Error).message}`);
  }
  let existing;
  try {
    existing = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${where}: ${(e as Error).message}`);
  }
  if (existing?.isSymbolicLink()) throw new Error(`${where} is a symbolic link: the journal is not written through one (give the file it points to)`);
  if (existing && !existing.isFile()) throw new Error(`${where} is not a regular file`);
  let fd: number;
  try {
    // O_NOFOLLOW: a link planted since the check is refused, not followed; O_NONBLOCK: a FIFO planted since can't block the open.
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new Error(`${where} is a symbolic link: the journal is not written through one (give the file it points to)`);
    throw new Error(`${where}: can't open: ${(e as Error).message}`);
  }
  const st = fstatSync(fd);
  const uid = process.getuid?.();
  const problem = !st.isFile()
    ? 'is not a regular file'
    : st.nlink > 1
      ? `has ${st.nlink} hard links: the journal is not appended to a file that is also elsewhere`
      : uid !== undefined && st.uid !== uid
        ? `belongs to another user (uid ${st.uid})`
        : undefined;
  if (problem) {
    closeSync(fd);
    throw new Error(`${where} ${problem}`);
  }
  let open = true;
  return {
    write(entry) {
      if (!open) throw new Error(`${where}: the journal is closed`);
      const bytes = Buffer.from(journalLine(entry), 'utf8');
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      // The intent must be on disk before the call it announces (a crash then still shows it).
      fsyncSync(fd);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
