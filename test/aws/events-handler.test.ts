// handleEvents against moto through the fault proxy: verdicts come from describing the resource,
// never from the event; one describe per resource per batch; not-found retried (eventual
// consistency) then unknown; other accounts through --role-name; SQS partial batch failures; the
// history's new / still-failing / resolved; the same scope key as the audit's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSession, handleEvents, type EventHistory, type HandleEventsOptions } from '../../src/events/handler';
import { audit } from '../../src/engine/audit';
import { emptyConfig } from '../../src/engine/config';
import { openHistory } from '../../src/history/store';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { mergeSeeded, seed, seedOrganization, type Seeded } from './seed';
import { DOMAIN_RULE, NOTEBOOK_RULE, findingFor, useAuditEmulator } from './audit-helpers';
import { domainEvent, fixture, notebookEvent, sqsBatch } from '../helpers/cloudtrail';
import { startNotifyServer } from '../helpers/notify-server';
import { parseNotifyFilters, parseNotifyTarget } from '../../src/notify/index';

const MEMBER = '111111111111';
const OUTSIDER = '222222222222';
const REGION = 'us-east-1';

const emulator = useAuditEmulator({
  seed: async (moto) =>
    mergeSeeded(
      await seed(moto.endpoint, [
        {
          region: REGION,
          notebooks: [
            { name: 'cc-event-open' },
            { name: 'cc-event-private', access: 'Disabled', inSubnet: true },
            { name: 'cc-event-said-disabled', access: 'Enabled', inSubnet: true },
            { name: 'cc-event-dedupe' },
            { name: 'cc-event-late' },
            { name: 'cc-event-denied' },
            { name: 'cc-event-history' },
            { name: 'cc-event-team-ml', tags: { team: 'ml' } },
            { name: 'cc-event-team-web', tags: { team: 'web' } },
            { name: 'cc-event-case' },
            { name: 'CC-Event-Mixed' },
          ],
          domains: [{ name: 'cc-event-studio' }, { name: 'cc-event-studio-gone' }],
        },
      ]),
      await seed(moto.endpoint, [{ region: REGION, notebooks: [{ name: 'cc-member-nb' }] }], { account: MEMBER }),
    ) as Seeded,
});

const arnOf = (name: string, account = MOTO_DEFAULT_ACCOUNT) => emulator.seeded.notebooks.find((n) => n.name === name && n.account === account)!.arn;
const run = (data: unknown, options: HandleEventsOptions = {}) =>
  handleEvents({ source: 'test', data }, { endpointUrl: emulator.proxy.endpoint, maxAttempts: 1, notFoundDelaysMs: [10, 10, 10], ...options });
const describes = (name: string) => emulator.proxy.log.filter((c) => c.action === 'DescribeNotebookInstance' && c.params.NotebookInstanceName === name).length;

describe('handle-event against moto', () => {
  it('each fixture: the verdict is the described resource\'s, in an event run of the audit\'s scope', async () => {
    const domain = emulator.seeded.domains.find((d) => d.name === 'cc-event-studio')!;
    const result = await run([
      fixture('create-notebook-default-access.json'),
      notebookEvent('create-notebook-disabled.json', 'cc-event-private'),
      domainEvent('create-domain-default-access.json', domain.id),
    ]);
    const { report } = result;
    assert.deepEqual(report.errors, []);
    assert.equal(report.run?.command, 'event');
    assert.equal(report.run?.scope.key, `audit:caller:${MOTO_DEFAULT_ACCOUNT}`);
    assert.equal(findingFor(report, NOTEBOOK_RULE, arnOf('cc-event-open'))?.result, 'fail');
    assert.equal(findingFor(report, NOTEBOOK_RULE, arnOf('cc-event-private'))?.result, 'pass');
    assert.equal(findingFor(report, DOMAIN_RULE, domain.arn)?.result, 'fail');
    assert.deepEqual(
      report.run?.evaluated.resources?.map((r) => [r.arn, r.ruleIds]),
      [[domain.arn, [DOMAIN_RULE]], [arnOf('cc-event-open'), [NOTEBOOK_RULE]], [arnOf('cc-event-private'), [NOTEBOOK_RULE]]].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    assert.equal(report.findings.length, 3, 'no finding for anything the events did not name');
    assert.deepEqual(result.batchItemFailures, []);
  });

  it('never trusts the event: "Disabled" or "VpcOnly" in the request, Enabled or PublicInternetOnly described: fail', async () => {
    const domain = emulator.seeded.domains.find((d) => d.name === 'cc-event-studio')!;
    const said = notebookEvent('create-notebook-disabled.json', 'cc-event-said-disabled');
    assert.equal(said.detail.requestParameters.directInternetAccess, 'Disabled');
    const { report } = await run([said, domainEvent('update-domain.json', domain.id)]);
    assert.equal(findingFor(report, NOTEBOOK_RULE, arnOf('cc-event-said-disabled'))?.result, 'fail');
    assert.equal(findingFor(report, DOMAIN_RULE, domain.arn)?.result, 'fail');
  });

  it('ten events for one notebook (repeats, updates) in a batch: one describe, one finding', async () => {
    emulator.proxy.clearLog();
    const events = Array.from({ length: 10 }, (_, i) =>
      notebookEvent(i % 2 ? 'update-notebook.json' : 'create-notebook-default-access.json', 'cc-event-dedupe', { eventId: `e-${i % 3}` }),
    );
    const { report } = await run(sqsBatch(events));
    assert.equal(describes('cc-event-dedupe'), 1);
    assert.equal(report.findings.length, 1);
    assert.equal(report.findings[0]!.result, 'fail');
  });

  it('not found yet (eventual consistency): retried with backoff, then the verdict; not found at all: unknown with the reason, not retried through SQS', async () => {
    emulator.proxy.clearLog();
    emulator.proxy.addRule({ fault: 'error', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'cc-event-late' }, status: 400, code: 'ValidationException', message: 'RecordNotFound', times: 2 });
    const late = await run(sqsBatch([notebookEvent('create-notebook-default-access.json', 'cc-event-late')]));
    assert.equal(describes('cc-event-late'), 3);
    assert.equal(findingFor(late.report, NOTEBOOK_RULE, arnOf('cc-event-late'))?.result, 'fail');
    assert.deepEqual(late.report.errors, []);

    emulator.proxy.clearLog();
    const never = await run(sqsBatch([notebookEvent('create-notebook-default-access.json', 'cc-event-never-made')]));
    assert.equal(describes('cc-event-never-made'), 4, 'the first describe and three retries');
    const f = never.report.findings[0]!;
    assert.equal(f.result, 'unknown');
    assert.equal(f.resource.id, `arn:aws:sagemaker:${REGION}:${MOTO_DEFAULT_ACCOUNT}:notebook-instance/cc-event-never-made`);
    assert.match(f.message, /found no notebook instance cc-event-never-made 0 s after CreateNotebookInstance .*RecordNotFound.*not visible yet, or deleted since/);
    assert.deepEqual(never.batchItemFailures, []);
  });

  it('an update of a notebook that does not exist (deleted since): gone at once, its findings resolved; only a create waits for eventual consistency', async () => {
    emulator.proxy.clearLog();
    const result = await run(notebookEvent('update-notebook.json', 'cc-event-deleted-since'));
    assert.equal(describes('cc-event-deleted-since'), 1, 'no retry: it existed when it was updated');
    assert.deepEqual(result.report.findings, []);
    assert.deepEqual(result.report.run?.evaluated.resources?.map((r) => r.arn), [`arn:aws:sagemaker:${REGION}:${MOTO_DEFAULT_ACCOUNT}:notebook-instance/cc-event-deleted-since`]);
    assert.ok(result.report.notes?.some((n) => /cc-event-deleted-since is gone/.test(n.message)));
  });

  it('SQS: only records that may succeed later come back in batchItemFailures; malformed ones are error entries only', async () => {
    emulator.proxy.addRule({ fault: 'access-denied', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'cc-event-denied' } });
    const batch = sqsBatch(
      [
        notebookEvent('create-notebook-default-access.json', 'cc-event-open'),
        notebookEvent('create-notebook-default-access.json', 'cc-event-denied'),
        '{not json',
        fixture('create-notebook-failed.json'),
        { ...notebookEvent('create-notebook-default-access.json', 'cc-event-open'), 'detail-type': 'Object Created' },
        fixture('stop-notebook.json'),
        notebookEvent('update-notebook.json', 'cc-event-denied'),
      ],
      ['ok', 'denied', 'junk', 'failed-call', 'other-type', 'ignored', 'denied-again'],
    );
    const result = await run(batch);
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: 'denied' }, { itemIdentifier: 'denied-again' }]);
    assert.equal(findingFor(result.report, NOTEBOOK_RULE, arnOf('cc-event-open'))?.result, 'fail');
    const denied = findingFor(result.report, NOTEBOOK_RULE, arnOf('cc-event-denied'))!;
    assert.equal(denied.result, 'unknown');
    assert.match(denied.message, /AccessDenied/);
    const messages = result.report.errors.map((e) => e.message);
    assert.ok(messages.some((m) => /^message junk: invalid JSON|^message junk: the body is not valid JSON/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^message failed-call: CreateNotebookInstance failed \(errorCode/.test(m)));
    assert.ok(messages.some((m) => /^message other-type: detail-type "Object Created"/.test(m)));
    assert.ok(messages.some((m) => /cc-event-denied: AccessDenied/.test(m)));
    assert.ok(result.report.notes?.some((n) => /^message ignored: StopNotebookInstance is ignored/.test(n.message)));
    assert.ok(!messages.some((m) => /ignored/.test(m)));
  });

  it('events of other accounts: the role of --role-name is assumed there; an account not in --accounts, or not the caller\'s, is refused', async () => {
    emulator.proxy.clearLog();
    const member = notebookEvent('create-notebook-default-access.json', 'cc-member-nb', { account: MEMBER });
    const outsider = notebookEvent('create-notebook-default-access.json', 'cc-outsider', { account: OUTSIDER });
    const result = await run(sqsBatch([member, outsider]), { accounts: [MOTO_DEFAULT_ACCOUNT, MEMBER], roleName: 'CloudConformAudit' });
    const assumed = emulator.proxy.log.filter((c) => c.action === 'AssumeRole').map((c) => c.params.RoleArn);
    assert.deepEqual(assumed, [`arn:aws:iam::${MEMBER}:role/CloudConformAudit`]);
    const describe = emulator.proxy.log.find((c) => c.action === 'DescribeNotebookInstance' && c.params.NotebookInstanceName === 'cc-member-nb')!;
    assert.equal(describe.account, MEMBER);
    assert.equal(findingFor(result.report, NOTEBOOK_RULE, arnOf('cc-member-nb', MEMBER))?.result, 'fail');
    assert.equal(result.report.run?.scope.key, `audit:accounts:${MEMBER},${MOTO_DEFAULT_ACCOUNT}`);
    assert.ok(result.report.errors.some((e) => e.message === `message m-1: account ${OUTSIDER} is not in --accounts`));
    assert.ok(!emulator.proxy.log.some((c) => c.account === OUTSIDER || String(c.params.RoleArn ?? '').includes(OUTSIDER)), 'no call for the refused account');
    assert.deepEqual(result.batchItemFailures, [], 'a refused account is not retried');

    const callerOnly = await run(member);
    assert.match(callerOnly.report.errors[0]!.message, new RegExp(`account ${MEMBER} is not the caller's account ${MOTO_DEFAULT_ACCOUNT}`));
    assert.equal(callerOnly.report.findings.length, 0);
  });

  it('--organization: a member account is handled through the role, a non-member refused; an account that joined since the list was cached is found (one refresh)', async () => {
    const [member] = await seedOrganization(emulator.moto.endpoint, 1);
    const session = new EventSession({ endpointUrl: emulator.proxy.endpoint, maxAttempts: 1, organizationRefreshMs: 0 });
    try {
      const options = { organization: true, roleName: 'CloudConformAudit', session };
      const first = await run(notebookEvent('create-notebook-default-access.json', 'cc-not-there', { account: member! }), options);
      assert.equal(first.report.run?.scope.key, 'audit:organization');
      assert.equal(first.report.findings[0]?.result, 'unknown', 'handled (described through the role; no such notebook there)');
      const refused = await run(notebookEvent('create-notebook-default-access.json', 'cc-x', { account: OUTSIDER }), options);
      assert.match(refused.report.errors[0]!.message, new RegExp(`account ${OUTSIDER} is not an active account of the organization`));
      const [joined] = await seedOrganization(emulator.moto.endpoint, 1).catch(async () => {
        // The organization exists already: one more account in it.
        const { OrganizationsClient, CreateAccountCommand } = await import('@aws-sdk/client-organizations');
        const org = new OrganizationsClient({ endpoint: emulator.moto.endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
        const out = await org.send(new CreateAccountCommand({ AccountName: 'joined', Email: 'joined@example.com' }));
        org.destroy();
        return [out.CreateAccountStatus!.AccountId!];
      });
      emulator.proxy.clearLog();
      const later = await run(notebookEvent('create-notebook-default-access.json', 'cc-not-there', { account: joined! }), options);
      assert.deepEqual(later.report.errors.filter((e) => /not an active account/.test(e.message)), []);
      assert.equal(emulator.proxy.log.filter((c) => c.action === 'ListAccounts').length, 1);
    } finally {
      session.destroy();
    }
  });

  it("the run's deadline (the Lambda's remaining time): a describe still waiting ends, unknown, and its message comes back", async () => {
    emulator.proxy.addRule({ fault: 'delay', delayMs: 4000, action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'cc-event-denied' } });
    const started = Date.now();
    const result = await run(sqsBatch([notebookEvent('create-notebook-default-access.json', 'cc-event-denied'), notebookEvent('create-notebook-disabled.json', 'cc-event-private')], ['slow', 'quick']), { timeoutMs: 1000 });
    assert.ok(Date.now() - started < 3000, `ended after ${Date.now() - started} ms`);
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: 'slow' }]);
    assert.equal(findingFor(result.report, NOTEBOOK_RULE, arnOf('cc-event-denied'))?.result, 'unknown');
    assert.equal(findingFor(result.report, NOTEBOOK_RULE, arnOf('cc-event-private'))?.result, 'pass');
    assert.ok(result.report.errors.some((e) => /deadline/.test(e.message)), JSON.stringify(result.report.errors));
  });

  it('DeleteDomain of a domain gone: resolved under its ARN; a notebook still Deleting after its delete: resolved under the described ARN', async () => {
    const domain = emulator.seeded.domains.find((d) => d.name === 'cc-event-studio-gone')!;
    const { SageMakerClient, DeleteDomainCommand } = await import('@aws-sdk/client-sagemaker');
    const sm = new SageMakerClient({ endpoint: emulator.moto.endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await sm.send(new DeleteDomainCommand({ DomainId: domain.id }));
    sm.destroy();
    const gone = await run(domainEvent('delete-domain.json', domain.id));
    assert.deepEqual(gone.report.errors, []);
    assert.deepEqual(gone.report.findings, []);
    assert.deepEqual(gone.report.run?.evaluated.resources, [{ account: MOTO_DEFAULT_ACCOUNT, region: REGION, arn: domain.arn, ruleIds: [DOMAIN_RULE] }]);

    emulator.proxy.addRule({ fault: 'rewrite', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'cc-event-private' }, rewrite: (answer) => ({ ...answer, NotebookInstanceStatus: 'Deleting' }) });
    const deleting = await run(notebookEvent('delete-notebook.json', 'cc-event-private'));
    assert.deepEqual(deleting.report.findings, []);
    assert.deepEqual(deleting.report.run?.evaluated.resources?.map((r) => r.arn), [arnOf('cc-event-private')]);
    assert.ok(deleting.report.notes?.some((n) => /status Deleting after DeleteNotebookInstance/.test(n.message)));
    // Deleting without a delete event in the batch: described and checked as it is.
    const updating = await run(notebookEvent('update-notebook.json', 'cc-event-private'));
    assert.equal(findingFor(updating.report, NOTEBOOK_RULE, arnOf('cc-event-private'))?.result, 'pass');
  });

  it('a role that cannot be assumed: an sts:AssumeRole error, unknown, and the message retried', async () => {
    emulator.proxy.addRule({ fault: 'access-denied', action: 'AssumeRole', targetAccount: MEMBER });
    const member = notebookEvent('create-notebook-default-access.json', 'cc-member-nb', { account: MEMBER });
    const result = await run(sqsBatch([member]), { accounts: [MEMBER], roleName: 'Missing' });
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: 'm-0' }]);
    assert.equal(result.report.errors[0]!.call, 'sts:AssumeRole');
    assert.equal(result.report.findings[0]!.result, 'unknown');
  });

  it('a history that cannot record: every handled message comes back for retry, not the malformed or refused ones', async () => {
    const history: EventHistory = { record: async () => Promise.reject(new Error('ProvisionedThroughputExceededException: slow down')) };
    const result = await run(
      sqsBatch(
        [notebookEvent('create-notebook-default-access.json', 'cc-event-open'), '{junk', notebookEvent('create-notebook-default-access.json', 'cc-outsider', { account: OUTSIDER }), notebookEvent('create-notebook-disabled.json', 'cc-event-private')],
        ['a', 'junk', 'outsider', 'b'],
      ),
      { history },
    );
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
    assert.ok(result.report.errors.some((e) => e.file === 'history' && /not recorded: ProvisionedThroughputExceededException/.test(e.message)));
    assert.equal(result.comparison, undefined);
  });

  it('an update or delete naming an existing notebook in another case (forged): its open finding is not resolved; a deleted mixed-case notebook still is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-events-case-'));
    const store = openHistory({ path: join(dir, 'history.db') });
    const history: EventHistory = { record: async (report) => store.record(report) };
    try {
      const first = await run(notebookEvent('create-notebook-default-access.json', 'cc-event-case'), { history });
      assert.deepEqual(first.comparison?.changes.map((c) => [c.change, c.finding.resource.id]), [['new', arnOf('cc-event-case')]]);
      for (const [file, name] of [['update-notebook.json', 'CC-EVENT-CASE'], ['delete-notebook.json', 'Cc-Event-Case']] as const) {
        const forged = await run(sqsBatch([notebookEvent(file, name)]), { history });
        assert.deepEqual(forged.comparison?.changes ?? [], [], `${file} ${name}: ${JSON.stringify(forged.comparison?.changes.map((c) => [c.change, c.key]))}`);
        assert.ok(!forged.report.run?.evaluated.resources?.some((r) => r.arn === arnOf('cc-event-case')), JSON.stringify(forged.report.run?.evaluated.resources));
        assert.ok(forged.report.notes?.some((n) => /is not resolved: a notebook instance cc-event-case exists/.test(n.message)), JSON.stringify(forged.report.notes));
      }
      const again = await run(notebookEvent('update-notebook.json', 'cc-event-case'), { history });
      assert.deepEqual(again.comparison?.changes.map((c) => c.change), ['still-failing']);

      // A notebook really deleted, named in mixed case: resolved whichever spelling its ARN has.
      const mixed = await run(notebookEvent('create-notebook-default-access.json', 'CC-Event-Mixed'), { history });
      assert.deepEqual(mixed.comparison?.changes.map((c) => c.change), ['new']);
      const { SageMakerClient, StopNotebookInstanceCommand, DeleteNotebookInstanceCommand } = await import('@aws-sdk/client-sagemaker');
      const sm = new SageMakerClient({ endpoint: emulator.moto.endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'CC-Event-Mixed' }));
      await sm.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: 'CC-Event-Mixed' }));
      sm.destroy();
      const deleted = await run(notebookEvent('delete-notebook.json', 'CC-Event-Mixed'), { history });
      assert.deepEqual(deleted.comparison?.changes.map((c) => [c.change, c.finding.resource.id]), [['resolved', arnOf('CC-Event-Mixed')]]);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a create not visible yet, with a (forged) delete of it in the same batch: described again until visible, and its failure found, not resolved unseen', async () => {
    emulator.proxy.clearLog();
    emulator.proxy.addRule({ fault: 'error', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'cc-event-late' }, status: 400, code: 'ValidationException', message: 'RecordNotFound', times: 2 });
    const result = await run(sqsBatch([notebookEvent('create-notebook-default-access.json', 'cc-event-late'), notebookEvent('delete-notebook.json', 'cc-event-late')]));
    assert.equal(describes('cc-event-late'), 3);
    assert.equal(findingFor(result.report, NOTEBOOK_RULE, arnOf('cc-event-late'))?.result, 'fail');
    // Created and deleted within the batch (never visible): resolved once the retries are spent.
    emulator.proxy.clearLog();
    const both = await run(sqsBatch([notebookEvent('create-notebook-default-access.json', 'cc-event-fleeting'), notebookEvent('delete-notebook.json', 'cc-event-fleeting')]));
    assert.equal(describes('cc-event-fleeting'), 4);
    assert.deepEqual(both.report.findings, []);
    assert.deepEqual(both.report.run?.evaluated.resources?.map((r) => r.arn), [`arn:aws:sagemaker:${REGION}:${MOTO_DEFAULT_ACCOUNT}:notebook-instance/cc-event-fleeting`]);
  });

  it('the scope key is the audit\'s for the same account options', async () => {
    const options = { accounts: [MEMBER, MOTO_DEFAULT_ACCOUNT], roleName: 'CloudConformAudit' };
    const audited = await audit({ config: emptyConfig(), endpointUrl: emulator.proxy.endpoint, regions: [REGION], maxAttempts: 1, ...options });
    const events = await run(notebookEvent('create-notebook-default-access.json', 'cc-member-nb', { account: MEMBER }), options);
    assert.equal(events.report.run?.scope.key, audited.run?.scope.key);
    const own = await audit({ config: emptyConfig(), endpointUrl: emulator.proxy.endpoint, regions: [REGION], maxAttempts: 1 });
    assert.equal((await run(fixture('create-notebook-default-access.json'))).report.run?.scope.key, own.run?.scope.key);
  });

  it('recorded in the history: new, then the same event again still failing (nothing new), then deleted: resolved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-events-history-'));
    const store = openHistory({ path: join(dir, 'history.db') });
    const history: EventHistory = { record: async (report) => store.record(report) };
    try {
      const created = notebookEvent('create-notebook-default-access.json', 'cc-event-history');
      const first = await run(sqsBatch([created, created]), { history });
      assert.deepEqual(first.comparison?.changes.map((c) => c.change), ['new']);
      const again = await run(sqsBatch([created]), { history });
      assert.deepEqual(again.comparison?.changes.map((c) => c.change), ['still-failing']);
      assert.equal(again.comparison?.counts.new, 0);
      // Another notebook's event says nothing of this one.
      const other = await run(notebookEvent('create-notebook-default-access.json', 'cc-event-open'), { history });
      assert.ok(!other.comparison?.changes.some((c) => c.finding.resource.id === arnOf('cc-event-history')));

      const { SageMakerClient, StopNotebookInstanceCommand, DeleteNotebookInstanceCommand } = await import('@aws-sdk/client-sagemaker');
      const sm = new SageMakerClient({ endpoint: emulator.moto.endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'cc-event-history' }));
      await sm.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: 'cc-event-history' }));
      sm.destroy();
      const deleted = await run(sqsBatch([notebookEvent('delete-notebook.json', 'cc-event-history')]), { history });
      assert.deepEqual(deleted.report.findings, []);
      assert.deepEqual(deleted.report.run?.evaluated.resources?.map((r) => r.arn), [arnOf('cc-event-history')]);
      assert.deepEqual(deleted.comparison?.changes.map((c) => [c.change, c.finding.resource.id]), [['resolved', arnOf('cc-event-history')]]);
      assert.ok(deleted.report.notes?.some((n) => /notebook instance cc-event-history is gone/.test(n.message)));
      // A run that described nothing (only malformed records) is not recorded, and made no call.
      const before = store.runs().length;
      emulator.proxy.clearLog();
      const junk = await run(sqsBatch(['{oops', JSON.stringify(fixture('create-notebook-failed.json'))]), { history, organization: true, roleName: 'R' });
      assert.deepEqual(emulator.proxy.log, []);
      assert.equal(junk.comparison, undefined);
      assert.equal(store.runs().length, before);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('--notify-tag: the described resources\' tags are read and kept, so a tag filter selects them (before, every event finding was "tags unknown" and none was notified)', async () => {
    const server = await startNotifyServer();
    try {
      const result = await run([notebookEvent('create-notebook-default-access.json', 'cc-event-team-ml'), notebookEvent('create-notebook-default-access.json', 'cc-event-team-web')], {
        notify: { channels: [parseNotifyTarget(`webhook=${server.origin}/hook`)], filters: parseNotifyFilters({ notifyTag: ['team=ml'] }, (id) => id) },
      });
      assert.deepEqual(result.report.errors, []);
      assert.equal(server.received.length, 1, 'one message');
      const body = server.received[0]!.body;
      assert.match(body, /cc-event-team-ml/);
      assert.doesNotMatch(body, /cc-event-team-web/);
      assert.equal(describes('cc-event-team-ml'), 1);
      assert.ok(emulator.proxy.log.some((c) => c.action === 'ListTags' && String(c.params.ResourceArn).endsWith('/cc-event-team-ml')), 'tags read');
    } finally {
      await server.stop();
    }
  });
});
