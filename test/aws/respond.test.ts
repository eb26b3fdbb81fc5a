// `--respond tag|stop` against moto through the fault proxy: hostile cases first (a domain finding,
// a forged notebook finding on a domain ARN, control characters in names and tags, exemption tags
// spelled otherwise, notebooks not InService, a stop that fails or is denied in another account,
// replays, a notebook re-created under its name), then the journal's order (intent on disk before the
// call) and the IAM actions equal to the calls made. States moto can't reach (Pending, Stopping,
// Failed, a name with control characters) come from the proxy's `rewrite`.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SageMakerClient,
  CreateNotebookInstanceCommand,
  DeleteNotebookInstanceCommand,
  DescribeNotebookInstanceCommand,
  ListTagsCommand,
  StopNotebookInstanceCommand,
  AddTagsCommand,
} from '@aws-sdk/client-sagemaker';
import type { Finding } from '../../src/model/report';
import { ExceptionMatcher, parseConfig } from '../../src/engine/config';
import { RuleRunner } from '../../src/engine/evaluate';
import { limitCalls } from '../../src/sources/aws/clients';
import { ALL_RULES } from '../../src/rules/index';
import { describeLive, liveKind, DOMAIN_TYPE, NOTEBOOK_INSTANCE_TYPE } from '../../src/sources/aws/registry';
import {
  fileJournal,
  respond,
  respondIamActions,
  streamJournal,
  NONCOMPLIANT_TAG,
  type RespondAction,
  type RespondJournal,
  type RespondMode,
  type RespondTarget,
} from '../../src/events/respond';
import { handleEvents } from '../../src/events/handler';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { domainEvent, notebookEvent, sqsBatch } from '../helpers/cloudtrail';
import { useAuditEmulator } from './audit-helpers';
import { clientConfig, credentialsFor, seed, type Credentials, type Seeded } from './seed';

const REGION = 'us-east-1';
const OTHER_ACCOUNT = '111111111111';
const emulator = useAuditEmulator({
  // A Studio domain (PublicInternetOnly: fails SageMaker-005); notebooks are made by each test.
  seed: async (moto): Promise<Seeded> => seed(moto.endpoint, [{ region: REGION, notebooks: [], domains: [{ name: 'respond-public', access: 'PublicInternetOnly' }] }]),
});

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;
const credentials = new Map<string, Credentials>();

/** Credentials for `account`, through the proxy (so it learns which account the key belongs to). */
async function credsFor(account: string): Promise<Credentials> {
  let c = credentials.get(account);
  if (!c) credentials.set(account, (c = await credentialsFor(emulator.proxy.endpoint, account)));
  return c;
}

/** A client through the proxy; `maxAttempts` 2: a failing call is tried twice, then given up. */
async function sagemaker(account = MOTO_DEFAULT_ACCOUNT): Promise<SageMakerClient> {
  return new SageMakerClient({ ...clientConfig(emulator.proxy.endpoint, REGION, await credsFor(account)), maxAttempts: 2 });
}

/** Straight to moto (not in the proxy's log). */
async function motoClient(account = MOTO_DEFAULT_ACCOUNT): Promise<SageMakerClient> {
  return new SageMakerClient({ ...clientConfig(emulator.moto.endpoint, REGION, await credsFor(account)) });
}

async function createNotebook(name: string, opts: { account?: string; tags?: Record<string, string> } = {}): Promise<string> {
  const sm = await motoClient(opts.account);
  try {
    const out = await sm.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: name,
        InstanceType: 'ml.t3.medium',
        RoleArn: `arn:aws:iam::${opts.account ?? MOTO_DEFAULT_ACCOUNT}:role/notebooks`,
        DirectInternetAccess: 'Enabled',
        ...(opts.tags ? { Tags: Object.entries(opts.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
      }),
    );
    return out.NotebookInstanceArn!;
  } finally {
    sm.destroy();
  }
}

/** Stops and deletes the notebook, straight through moto (not in the proxy's log). */
async function deleteNotebook(name: string): Promise<void> {
  const sm = await motoClient();
  try {
    await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name }));
    await sm.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: name }));
  } finally {
    sm.destroy();
  }
}

async function statusOf(name: string, account?: string): Promise<string | undefined> {
  const sm = await motoClient(account);
  try {
    return (await sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }))).NotebookInstanceStatus;
  } finally {
    sm.destroy();
  }
}

async function tagsOf(arn: string): Promise<Record<string, string>> {
  const sm = await motoClient();
  try {
    const out = await sm.send(new ListTagsCommand({ ResourceArn: arn }));
    return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key!, t.Value ?? '']));
  } finally {
    sm.destroy();
  }
}

/**
 * What the event handler hands to respond: the resource described (through the proxy, so its
 * rewrites apply), the rules run on it with the config's exceptions, each finding with the describe
 * it came from. The proxy's log is cleared after, so it shows respond's calls only.
 */
async function evaluate(type: string, id: string, opts: { account?: string; exceptions?: ExceptionMatcher } = {}): Promise<RespondTarget[]> {
  const account = opts.account ?? MOTO_DEFAULT_ACCOUNT;
  const sm = await sagemaker(account);
  try {
    const out = await describeLive(liveKind(type)!, sm, id, { account, region: REGION }, { tags: true });
    assert.equal(out.state, 'found', JSON.stringify(out));
    if (out.state !== 'found') throw new Error('not found');
    const findings: Finding[] = [];
    new RuleRunner(ALL_RULES, opts.exceptions ?? new ExceptionMatcher([])).evaluate(out.resource, findings, []);
    return findings.map((finding) => ({ finding, described: out.described }));
  } finally {
    sm.destroy();
    emulator.proxy.clearLog();
  }
}

/** A journal in memory: the lines exactly as written. */
function memoryJournal(): RespondJournal & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(streamJournal((line) => void lines.push(line)), { lines });
}

const clients = (made: SageMakerClient[]) => async (account: string) => {
  const c = await sagemaker(account);
  made.push(c);
  return c;
};

async function run(targets: readonly (RespondTarget | Finding)[], mode: RespondMode, opts: { journal?: RespondJournal; exceptions?: ExceptionMatcher; runId?: string } = {}) {
  const journal = opts.journal ?? memoryJournal();
  const made: SageMakerClient[] = [];
  try {
    const actions = await respond(targets, mode, clients(made), journal, { runId: opts.runId ?? 'run-1', ...(opts.exceptions ? { exceptions: opts.exceptions } : {}) });
    return { actions, journal };
  } finally {
    for (const c of made) c.destroy();
  }
}

const calls = (action?: string) => emulator.proxy.log.filter((c) => c.service === 'sagemaker' && (action === undefined || c.action === action));
const mutating = () => calls().filter((c) => !/^(Describe|List)/.test(c.action));

/** Every journal line is one JSON object and nothing else: no raw control character, no line separator. */
function assertOneObjectPerLine(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => {
    assert.ok(line.endsWith('\n'), 'a line ends with a newline');
    assert.equal(line.indexOf('\n'), line.length - 1, `one line per entry: ${JSON.stringify(line)}`);
    assert.doesNotMatch(line, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/, `no raw control character: ${JSON.stringify(line)}`);
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(entry.journal, 'cloudconform-respond');
    return entry;
  });
}

const only = (actions: RespondAction[]) => {
  assert.equal(actions.length, 1, JSON.stringify(actions));
  return actions[0]!;
};

describe('never a domain, never another rule', () => {
  test('a failing SageMaker-005 domain finding is refused with a reason in both modes, and no call is made', async () => {
    const domain = emulator.seeded.domains[0]!;
    const targets = await evaluate(DOMAIN_TYPE, domain.id);
    assert.equal(targets.find((t) => t.finding.ruleId === 'SageMaker-005')?.finding.result, 'fail');
    for (const mode of ['tag', 'stop'] as const) {
      const { actions, journal } = await run(targets, mode);
      const a = only(actions);
      assert.equal(a.outcome, 'refused');
      assert.equal(a.target, domain.arn);
      assert.match(a.reason, /Studio domains are never acted on: UpdateDomain fails while apps run/);
      assert.deepEqual(calls(), [], 'not even a describe');
      const [entry] = assertOneObjectPerLine((journal as ReturnType<typeof memoryJournal>).lines);
      assert.deepEqual([entry!.phase, entry!.outcome], ['decision', 'refused']);
    }
  });

  test('a finding forged to look like a notebook (SageMaker-004, notebook type) on a domain ARN is refused, no call', async () => {
    const domain = emulator.seeded.domains[0]!;
    const forged: Finding = {
      ruleId: 'SageMaker-004',
      result: 'fail',
      resource: { type: NOTEBOOK_INSTANCE_TYPE, id: domain.arn, source: 'aws', details: { name: domain.id }, live: { account: MOTO_DEFAULT_ACCOUNT, region: REGION, arn: domain.arn } },
      location: { file: `aws://${MOTO_DEFAULT_ACCOUNT}/${REGION}`, line: 0 },
      message: 'forged',
      risk: 'Medium',
      suppressed: false,
    };
    const { actions } = await run([forged], 'stop');
    assert.equal(only(actions).outcome, 'refused');
    assert.match(only(actions).reason, /Studio domains are never acted on/);
    assert.deepEqual(calls(), []);
  });

  test("a notebook finding whose ARN names another account than its own (the client is that account's) is refused, no call", async () => {
    const name = unique('respond-elsewhere');
    const [target] = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    const arn = target!.finding.resource.live!.arn.replace(MOTO_DEFAULT_ACCOUNT, OTHER_ACCOUNT);
    const forged = { ...target!, finding: { ...target!.finding, resource: { ...target!.finding.resource, id: arn, live: { ...target!.finding.resource.live!, arn } } } };
    const { actions } = await run([forged], 'stop');
    assert.equal(only(actions).outcome, 'refused');
    assert.deepEqual(calls(), []);
    assert.equal(await statusOf(name), 'InService');
  });
});

describe('hostile names and tags', () => {
  test('a name and tags with newlines, control characters and line separators (rewritten answers): every journal line is one JSON object, and the tag value written is clean', async () => {
    const name = unique('respond-hostile');
    const arn = await createNotebook(name, { tags: { note: 'x' } });
    const hostileName = `${name}\n{"phase":"outcome","outcome":"done"}\r\u2028\u0007\u001b[31m`;
    const hostileTag = { Key: 'owner\n{"forged":1}', Value: 'a\u2029b\u0000c' };
    const rewrites = () => {
      emulator.proxy.addRule({ fault: 'rewrite', action: 'DescribeNotebookInstance', rewrite: (a) => ({ ...a, NotebookInstanceName: hostileName }) });
      emulator.proxy.addRule({ fault: 'rewrite', action: 'ListTags', rewrite: (a) => ({ ...a, Tags: [...((a.Tags as object[]) ?? []), hostileTag] }) });
    };
    rewrites();
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, arn);
    assert.equal(targets[0]!.finding.resource.details?.name, hostileName, 'the finding carries the hostile name');
    const { actions, journal } = await run(targets, 'tag', { runId: 'run\n2\u2028' });
    const a = only(actions);
    assert.equal(a.outcome, 'done', a.reason);
    // The action holds the name as data (as findings do: reporters escape it); the journal's lines escape it and read back the same.
    assert.equal(a.name, hostileName);
    const entries = assertOneObjectPerLine((journal as ReturnType<typeof memoryJournal>).lines);
    assert.deepEqual(entries.map((e) => [e.phase, e.name, e.runId]), [
      ['intent', hostileName, 'run\n2\u2028'],
      ['outcome', hostileName, 'run\n2\u2028'],
    ]);
    assert.ok(entries.every((e) => e.forged === undefined));
    // AWS's tag value characters only: the run id's newline and separator are dropped.
    assert.equal((await tagsOf(arn))[NONCOMPLIANT_TAG], 'SageMaker-004 run run2');
  });

  test('the exemption tag spelled with other case and surrounding white space (Cloudconform:Respond = " OFF\\n") exempts: no stop', async () => {
    const name = unique('respond-exempt');
    const arn = await createNotebook(name, { tags: { 'Cloudconform:Respond ': ' OFF\n' } });
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, arn);
    for (const mode of ['stop', 'tag'] as const) {
      const { actions } = await run(targets, mode);
      assert.equal(only(actions).outcome, 'skipped');
      assert.match(only(actions).reason, /exempt: tagged cloudconform:respond=off/);
    }
    assert.deepEqual(mutating(), []);
    assert.equal(await statusOf(name), 'InService');
  });

  test("an exemption tag with another value ('of') exempts nothing: stopped, and the reason says why the tag did not count", async () => {
    const name = unique('respond-near');
    const arn = await createNotebook(name, { tags: { 'cloudconform:respond': 'of' } });
    const { actions } = await run(await evaluate(NOTEBOOK_INSTANCE_TYPE, arn), 'stop');
    assert.equal(only(actions).outcome, 'done');
    assert.match(only(actions).reason, /tag cloudconform:respond is of: only 'off' exempts/);
    assert.equal(await statusOf(name), 'Stopped');
  });
});

describe('stop: only an InService notebook that still fails', () => {
  for (const status of ['Pending', 'Stopping', 'Failed', 'Updating', 'Deleting']) {
    test(`a notebook ${status} (rewritten: moto's are InService at once) is not stopped`, async () => {
      const name = unique(`respond-${status.toLowerCase()}`);
      const arn = await createNotebook(name);
      const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, arn);
      emulator.proxy.addRule({ fault: 'rewrite', action: 'DescribeNotebookInstance', rewrite: (a) => ({ ...a, NotebookInstanceStatus: status }) });
      const { actions } = await run(targets, 'stop');
      assert.equal(only(actions).outcome, 'skipped');
      assert.match(only(actions).reason, new RegExp(`status ${status}: only an InService notebook is stopped`));
      assert.deepEqual(calls('StopNotebookInstance'), []);
    });
  }

  test('replay of the same findings: stopped once; the second run sees Stopped and calls nothing', async () => {
    const name = unique('respond-replay');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    const first = await run(targets, 'stop');
    assert.equal(only(first.actions).outcome, 'done');
    const second = await run(targets, 'stop');
    assert.equal(only(second.actions).outcome, 'skipped');
    assert.match(only(second.actions).reason, /already Stopped/);
    assert.equal(calls('StopNotebookInstance').length, 1);
    assert.equal(await statusOf(name), 'Stopped');
  });

  test('the same notebook twice in one batch (two findings, one ARN) is acted on once', async () => {
    const name = unique('respond-twice');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    const { actions } = await run([...targets, ...targets], 'stop');
    assert.equal(only(actions).outcome, 'done');
    assert.equal(calls('StopNotebookInstance').length, 1);
  });

  test('a notebook re-created under the same name (another CreationTime) is not the finding\'s: not stopped', async () => {
    const name = unique('respond-recreated');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    await deleteNotebook(name);
    await new Promise((r) => setTimeout(r, 1100));
    await createNotebook(name);
    const { actions } = await run(targets, 'stop');
    assert.equal(only(actions).outcome, 'skipped');
    assert.match(only(actions).reason, /re-created under its name/);
    assert.deepEqual(calls('StopNotebookInstance'), []);
    assert.equal(await statusOf(name), 'InService');
  });

  test('without the describe the finding came from (no CreationTime to compare), nothing is stopped (a tag is still given)', async () => {
    const name = unique('respond-bare');
    const [target] = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    const { actions } = await run([target!.finding], 'stop');
    assert.equal(only(actions).outcome, 'refused');
    assert.match(only(actions).reason, /does not say when its notebook was created/);
    assert.deepEqual(calls('StopNotebookInstance'), []);
    // A tag is only a label, true of whatever notebook fails now under that ARN: given on the fresh describe.
    const tagged = await run([target!.finding], 'tag');
    assert.equal(only(tagged.actions).outcome, 'done');
  });

  test('a notebook that no longer fails (rewritten: Disabled in a subnet) is left alone', async () => {
    const name = unique('respond-fixed');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    emulator.proxy.addRule({ fault: 'rewrite', action: 'DescribeNotebookInstance', rewrite: (a) => ({ ...a, DirectInternetAccess: 'Disabled', SubnetId: 'subnet-12345678' }) });
    const { actions } = await run(targets, 'stop');
    assert.equal(only(actions).outcome, 'skipped');
    assert.match(only(actions).reason, /no longer fails SageMaker-004 \(now pass/);
    assert.deepEqual(mutating(), []);
  });

  test('a notebook deleted since the finding: skipped as gone', async () => {
    const name = unique('respond-gone');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    await deleteNotebook(name);
    const { actions } = await run(targets, 'stop');
    assert.equal(only(actions).outcome, 'skipped');
    assert.match(only(actions).reason, /gone/);
    assert.deepEqual(mutating(), []);
  });

  test('a stop that fails (500 every time) is one error entry after the SDK\'s 2 attempts: not retried beyond', async () => {
    const name = unique('respond-fails');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    emulator.proxy.addRule({ fault: 'server-error', action: 'StopNotebookInstance' });
    const { actions, journal } = await run(targets, 'stop');
    assert.equal(only(actions).outcome, 'error');
    assert.match(only(actions).reason, /sagemaker:StopNotebookInstance failed: InternalFailure.*\(not retried\)/);
    assert.equal(calls('StopNotebookInstance').length, 2);
    const entries = assertOneObjectPerLine((journal as ReturnType<typeof memoryJournal>).lines);
    assert.deepEqual(entries.map((e) => [e.phase, e.outcome]), [['intent', undefined], ['outcome', 'error']]);
  });

  test("another account's notebook whose role lacks StopNotebookInstance: AccessDenied is an error entry, the notebook stays InService", async () => {
    const name = unique('respond-denied');
    const arn = await createNotebook(name, { account: OTHER_ACCOUNT });
    assert.match(arn, new RegExp(`:${OTHER_ACCOUNT}:`));
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, arn, { account: OTHER_ACCOUNT });
    emulator.proxy.addRule({ fault: 'access-denied', action: 'StopNotebookInstance', account: OTHER_ACCOUNT });
    const { actions } = await run(targets, 'stop');
    const a = only(actions);
    assert.deepEqual([a.outcome, a.account, a.target], ['error', OTHER_ACCOUNT, arn]);
    assert.match(a.reason, /AccessDenied/);
    assert.equal(calls('StopNotebookInstance')[0]?.account, OTHER_ACCOUNT);
    assert.equal(await statusOf(name, OTHER_ACCOUNT), 'InService');
  });

  test('stopped by another invocation between our describe and our call (AWS: ValidationException; described again: Stopping): skipped, not an error', async () => {
    const name = unique('respond-raced');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    let stopTried = false;
    emulator.proxy.addRule({
      fault: 'error',
      action: 'StopNotebookInstance',
      status: 400,
      code: 'ValidationException',
      message: 'Status (Stopping) not in ([InService]). Unable to transition to (Stopping) for Notebook Instance',
      when: () => (stopTried = true),
    });
    emulator.proxy.addRule({ fault: 'rewrite', action: 'DescribeNotebookInstance', when: () => stopTried, rewrite: (a) => ({ ...a, NotebookInstanceStatus: 'Stopping' }) });
    const { actions } = await run(targets, 'stop');
    assert.equal(only(actions).outcome, 'skipped');
    assert.match(only(actions).reason, /it is Stopping already: stopped by another call meanwhile/);
    assert.equal(calls('StopNotebookInstance').length, 1, 'a ValidationException is not retried');
  });

  test('a stop whose answer never ends (one byte every 2 s) ends at the call deadline as an error entry', async () => {
    const name = unique('respond-trickle');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    emulator.proxy.addRule({ fault: 'trickle', action: 'StopNotebookInstance', intervalMs: 2000 });
    const made: SageMakerClient[] = [];
    const started = Date.now();
    try {
      const actions = await respond(targets, 'stop', clients(made), memoryJournal(), { call: limitCalls(1, 500, new AbortController().signal) });
      assert.equal(only(actions).outcome, 'error');
      assert.match(only(actions).reason, /timed out/);
    } finally {
      for (const c of made) c.destroy();
    }
    assert.ok(Date.now() - started < 5000, `ended in ${Date.now() - started} ms`);
  });

  test("tags that can't be read (ListTags denied): an exemption can't be ruled out, so nothing is done", async () => {
    const name = unique('respond-notags');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    emulator.proxy.addRule({ fault: 'access-denied', action: 'ListTags' });
    const { actions } = await run(targets, 'stop');
    assert.equal(only(actions).outcome, 'error');
    assert.match(only(actions).reason, /tags could not be read/);
    assert.deepEqual(mutating(), []);
  });
});

describe('config exceptions', () => {
  const exceptions = () =>
    new ExceptionMatcher(parseConfig({ exceptions: [{ rules: ['SageMaker-004'], tags: { team: 'sandbox' }, reason: 'sandbox notebooks may reach the internet' }] }).exceptions);

  test('a suppressed finding is never acted on: no call at all', async () => {
    const name = unique('respond-suppressed');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name, { tags: { team: 'sandbox' } }), { exceptions: exceptions() });
    assert.equal(targets[0]!.finding.suppressed, true);
    const { actions } = await run(targets, 'stop', { exceptions: exceptions() });
    assert.equal(only(actions).outcome, 'skipped');
    assert.match(only(actions).reason, /suppressed/);
    assert.deepEqual(calls(), []);
  });

  test('an exception that matches the tags read again (tagged since the finding) suppresses too: not stopped', async () => {
    const name = unique('respond-tagged-since');
    const arn = await createNotebook(name);
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, arn, { exceptions: exceptions() });
    assert.equal(targets[0]!.finding.suppressed, false);
    const sm = await motoClient();
    try {
      await sm.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'team', Value: 'sandbox' }] }));
    } finally {
      sm.destroy();
    }
    const { actions } = await run(targets, 'stop', { exceptions: exceptions() });
    assert.equal(only(actions).outcome, 'skipped');
    assert.match(only(actions).reason, /an exception now suppresses/);
    assert.deepEqual(mutating(), []);
  });
});

describe('tag', () => {
  test('tags the failing notebook cloudconform:noncompliant with the rule and run id; a replay finds it tagged and calls nothing', async () => {
    const name = unique('respond-tag');
    const arn = await createNotebook(name, { tags: { team: 'ml' } });
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, arn);
    const first = await run(targets, 'tag', { runId: '20261204T193000Z-3fa9c1d2' });
    assert.equal(only(first.actions).outcome, 'done');
    assert.deepEqual(await tagsOf(arn), { team: 'ml', [NONCOMPLIANT_TAG]: 'SageMaker-004 run 20261204T193000Z-3fa9c1d2' });
    const second = await run(targets, 'tag', { runId: '20261204T194000Z-00000000' });
    assert.equal(only(second.actions).outcome, 'skipped');
    assert.match(only(second.actions).reason, /already tagged/);
    assert.equal(calls('AddTags').length, 1);
    assert.equal(await statusOf(name), 'InService', 'tag never stops');
  });
});

describe('journal', () => {
  test('the intent is on disk before the call, the outcome after; the file is appended to, one JSON object a line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-respond-'));
    const file = join(dir, 'journal.jsonl');
    const name = unique('respond-journal');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    let seenAtCall: string[] | undefined;
    emulator.proxy.addRule({
      fault: 'delay',
      action: 'StopNotebookInstance',
      beforeForward: async () => void (seenAtCall = readFileSync(file, 'utf8').split('\n').filter(Boolean)),
    });
    const journal = fileJournal(file);
    try {
      const { actions } = await run(targets, 'stop', { journal });
      assert.equal(only(actions).outcome, 'done');
    } finally {
      await journal.close?.();
    }
    assert.deepEqual(seenAtCall?.map((l) => JSON.parse(l).phase), ['intent'], 'the intent was written before the call reached AWS');
    const lines = readFileSync(file, 'utf8').split(/(?<=\n)/);
    const entries = assertOneObjectPerLine(lines);
    assert.deepEqual(entries.map((e) => [e.phase, e.outcome, e.call]), [
      ['intent', undefined, 'sagemaker:StopNotebookInstance'],
      ['outcome', 'done', 'sagemaker:StopNotebookInstance'],
    ]);
    // A second run appends.
    const again = fileJournal(file);
    try {
      await run(targets, 'stop', { journal: again });
    } finally {
      await again.close?.();
    }
    assert.deepEqual(assertOneObjectPerLine(readFileSync(file, 'utf8').split(/(?<=\n)/)).map((e) => e.phase), ['intent', 'outcome', 'decision']);
  });

  test('a journal that fails to write the intent: the call is not made', async () => {
    const name = unique('respond-nojournal');
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(name));
    const broken: RespondJournal = {
      write: (entry) => {
        if (entry.phase === 'intent') throw new Error('ENOSPC: no space left on device');
      },
    };
    const { actions } = await run(targets, 'stop', { journal: broken });
    assert.equal(only(actions).outcome, 'error');
    assert.match(only(actions).reason, /journal could not be written.*not called/);
    assert.deepEqual(calls('StopNotebookInstance'), []);
    assert.equal(await statusOf(name), 'InService');
  });
});

test('RESPOND_ACTIONS: each mode\'s IAM actions are exactly the calls it makes', async () => {
  for (const mode of ['tag', 'stop'] as const) {
    const targets = await evaluate(NOTEBOOK_INSTANCE_TYPE, await createNotebook(unique(`respond-iam-${mode}`)));
    const { actions } = await run(targets, mode);
    assert.equal(only(actions).outcome, 'done');
    assert.deepEqual([...new Set(calls().map((c) => c.iamAction))].sort(), respondIamActions(mode));
    emulator.proxy.clearLog();
  }
});

test('through the event handler (an SQS batch, as the Lambda gets it): the notebook stopped once across a replay, the domain refused, every decision in the journal file', async () => {
  const name = unique('respond-handler');
  const arn = await createNotebook(name);
  const domain = emulator.seeded.domains[0]!;
  const file = join(mkdtempSync(join(tmpdir(), 'cc-respond-')), 'journal.jsonl');
  const batch = sqsBatch([notebookEvent('create-notebook-default-access.json', name, { account: MOTO_DEFAULT_ACCOUNT, region: REGION }), domainEvent('create-domain-default-access.json', domain.id, { account: MOTO_DEFAULT_ACCOUNT, region: REGION })]);
  const outcomes: [string, string][][] = [];
  for (let delivery = 0; delivery < 2; delivery++) {
    const journal = fileJournal(file);
    try {
      const result = await handleEvents({ source: 'test', data: batch }, { endpointUrl: emulator.proxy.endpoint, maxAttempts: 1, notFoundDelaysMs: [10], respond: { mode: 'stop', journal } });
      outcomes.push(result.actions.map((a) => [a.target, a.outcome]));
    } finally {
      await journal.close?.();
    }
  }
  assert.deepEqual(outcomes.map((o) => o.sort()), [
    [[arn, 'done'], [domain.arn, 'refused']].sort(),
    [[arn, 'skipped'], [domain.arn, 'refused']].sort(),
  ]);
  assert.equal(calls('StopNotebookInstance').length, 1);
  assert.equal(await statusOf(name), 'Stopped');
  const entries = assertOneObjectPerLine(readFileSync(file, 'utf8').split(/(?<=\n)/));
  assert.deepEqual(
    entries.filter((e) => e.target === arn).map((e) => [e.phase, e.outcome ?? null]),
    [['intent', null], ['outcome', 'done'], ['decision', 'skipped']],
  );
  assert.equal(entries.filter((e) => e.target === domain.arn && e.outcome === 'refused').length, 2);
});

test("through the event handler, a stop held past the run's deadline (the Lambda's remaining time) ends at that deadline as an error, not at respond's own 30 s call deadline", async () => {
  const name = unique('respond-run-deadline');
  const arn = await createNotebook(name);
  emulator.proxy.addRule({ fault: 'delay', action: 'StopNotebookInstance', delayMs: 15_000 });
  const batch = sqsBatch([notebookEvent('create-notebook-default-access.json', name, { account: MOTO_DEFAULT_ACCOUNT, region: REGION })]);
  const journal = memoryJournal();
  const started = Date.now();
  const result = await handleEvents({ source: 'test', data: batch }, { endpointUrl: emulator.proxy.endpoint, maxAttempts: 1, notFoundDelaysMs: [10], timeoutMs: 4000, respond: { mode: 'stop', journal } });
  const elapsed = Date.now() - started;
  assert.deepEqual(result.actions.map((a) => [a.target, a.outcome]), [[arn, 'error']]);
  assert.match(only(result.actions).reason, /deadline/);
  assert.ok(elapsed < 9000, `ended in ${elapsed} ms`);
});
