// The emulator harness itself: moto answers with the real API shapes the audit relies on, and the
// fault proxy's injected errors are the ones the AWS SDK recognises (named errors, throttling
// retried, dropped connections retried), so the audit's fault tests exercise real SDK behaviour.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  SageMakerClient,
  DescribeNotebookInstanceCommand,
  DescribeDomainCommand,
  ListTagsCommand,
  ListDomainsCommand,
  paginateListNotebookInstances,
} from '@aws-sdk/client-sagemaker';
import { EC2Client, DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { useAuditEmulator } from './audit-helpers';
import { seed, mixedNotebooks, mixedDomains, clientConfig, credentialsFor, type Seeded } from './seed';

const OTHER_ACCOUNT = '210987654321';

const emulator = useAuditEmulator({
  seed: async (moto): Promise<Seeded> => {
    const [a, b] = await Promise.all([
      seed(moto.endpoint, [{ region: 'us-east-1', notebooks: mixedNotebooks('h', 105, { every: 50, tags: { env: 'sandbox' } }), domains: mixedDomains('h') }]),
      seed(moto.endpoint, [{ region: 'eu-west-1', notebooks: mixedNotebooks('other', 2) }], { account: OTHER_ACCOUNT }),
    ]);
    return { notebooks: [...a.notebooks, ...b.notebooks], domains: [...a.domains, ...b.domains], networks: [] };
  },
});

const sagemaker = (region = 'us-east-1', opts: { maxAttempts?: number; viaProxy?: boolean } = {}) =>
  new SageMakerClient({ ...clientConfig(opts.viaProxy === false ? emulator.moto.endpoint : emulator.proxy.endpoint, region), maxAttempts: opts.maxAttempts ?? 3 });

describe('moto answers with the shapes the audit relies on', () => {
  test('DescribeNotebookInstance returns DirectInternetAccess as seeded, Enabled when it was absent', async () => {
    const sm = sagemaker('us-east-1', { viaProxy: false });
    for (const nb of emulator.seeded.notebooks.filter((n) => n.region === 'us-east-1').slice(0, 14)) {
      const out = await sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: nb.name }));
      assert.equal(out.DirectInternetAccess, nb.directInternetAccess, nb.name);
      assert.equal(out.SubnetId, nb.subnetId, nb.name);
      assert.equal(out.NotebookInstanceStatus, nb.status, nb.name);
      assert.equal(out.NotebookInstanceArn, nb.arn);
    }
    sm.destroy();
  });

  test('ListNotebookInstances pages at 100 and lists every notebook once', async () => {
    const sm = sagemaker('us-east-1', { viaProxy: false });
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListNotebookInstances({ client: sm }, {})) {
      pages++;
      names.push(...(page.NotebookInstances ?? []).map((n) => n.NotebookInstanceName!));
      assert.equal('DirectInternetAccess' in (page.NotebookInstances?.[0] ?? {}), false, 'the list does not carry the setting');
    }
    assert.equal(pages, 2);
    assert.deepEqual(names.sort(), emulator.seeded.notebooks.filter((n) => n.account === MOTO_DEFAULT_ACCOUNT).map((n) => n.name).sort());
    sm.destroy();
  });

  test('domains: ListDomains then DescribeDomain gives AppNetworkAccessType, PublicInternetOnly by default', async () => {
    const sm = sagemaker('us-east-1', { viaProxy: false });
    const listed = (await sm.send(new ListDomainsCommand({}))).Domains ?? [];
    assert.equal(listed.length, 3);
    for (const d of emulator.seeded.domains) {
      const out = await sm.send(new DescribeDomainCommand({ DomainId: d.id }));
      assert.equal(out.AppNetworkAccessType, d.appNetworkAccessType, d.name);
    }
    sm.destroy();
  });

  test('ListTags returns the tags given at creation', async () => {
    const sm = sagemaker('us-east-1', { viaProxy: false });
    const tagged = emulator.seeded.notebooks.find((n) => n.tags.env === 'sandbox')!;
    const out = await sm.send(new ListTagsCommand({ ResourceArn: tagged.arn }));
    assert.deepEqual(out.Tags, [{ Key: 'env', Value: 'sandbox' }]);
    sm.destroy();
  });

  test('AssumeRole switches accounts: resources are per account', async () => {
    const creds = await credentialsFor(emulator.moto.endpoint, OTHER_ACCOUNT);
    const sts = new STSClient({ ...clientConfig(emulator.proxy.endpoint, 'eu-west-1', creds) });
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, OTHER_ACCOUNT);
    const sm = new SageMakerClient(clientConfig(emulator.moto.endpoint, 'eu-west-1', creds));
    const out = await sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'other-000' }));
    assert.match(out.NotebookInstanceArn!, new RegExp(`:${OTHER_ACCOUNT}:notebook-instance/other-000$`));
    sts.destroy();
    sm.destroy();
  });
});

describe('fault proxy', () => {
  test('logs service, region, action, account and status of every call', async () => {
    emulator.proxy.clearLog();
    const sm = sagemaker('eu-west-1');
    await sm.send(new ListDomainsCommand({}));
    const creds = await credentialsFor(emulator.proxy.endpoint, OTHER_ACCOUNT);
    const other = new SageMakerClient(clientConfig(emulator.proxy.endpoint, 'eu-west-1', creds));
    await other.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'other-001' }));
    const calls = emulator.proxy.log.map((c) => `${c.iamAction} ${c.region} ${c.account} ${c.status}`);
    assert.deepEqual(calls, [
      `sagemaker:ListDomains eu-west-1 ${MOTO_DEFAULT_ACCOUNT} 200`,
      `sts:AssumeRole us-east-1 ${MOTO_DEFAULT_ACCOUNT} 200`,
      `sagemaker:DescribeNotebookInstance eu-west-1 ${OTHER_ACCOUNT} 200`,
    ]);
    assert.equal(emulator.proxy.log[2]!.params.NotebookInstanceName, 'other-001');
    sm.destroy();
    other.destroy();
  });

  test('throttling N times is retried by the SDK, then the call succeeds', async () => {
    emulator.proxy.clearRules();
    const rule = emulator.proxy.addRule({ fault: 'throttle', action: 'sagemaker:DescribeNotebookInstance', times: 2 });
    const sm = sagemaker('us-east-1', { maxAttempts: 3 });
    const out = await sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'h-001' }));
    assert.equal(out.DirectInternetAccess, 'Disabled');
    assert.equal(out.$metadata.attempts, 3);
    assert.equal(rule.hits, 2);
    sm.destroy();
    emulator.proxy.clearRules();
  });

  test('each protocol gets its own throttling error, recognised as throttling (retried) by the SDK', async () => {
    emulator.proxy.clearRules();
    emulator.proxy.addRule({ fault: 'throttle' });
    const ec2 = new EC2Client({ ...clientConfig(emulator.proxy.endpoint, 'us-east-1'), maxAttempts: 2 });
    const sts = new STSClient({ ...clientConfig(emulator.proxy.endpoint, 'us-east-1'), maxAttempts: 2 });
    const sm = sagemaker('us-east-1', { maxAttempts: 2 });
    const failures = await Promise.all([
      ec2.send(new DescribeRegionsCommand({})).catch((e: Error & { $metadata: { attempts?: number } }) => e),
      sts.send(new GetCallerIdentityCommand({})).catch((e: Error & { $metadata: { attempts?: number } }) => e),
      sm.send(new ListDomainsCommand({})).catch((e: Error & { $metadata: { attempts?: number } }) => e),
    ]);
    assert.deepEqual(
      failures.map((e) => [(e as Error).name, (e as { $metadata: { attempts?: number } }).$metadata.attempts]),
      [
        ['RequestLimitExceeded', 2],
        ['Throttling', 2],
        ['ThrottlingException', 2],
      ],
    );
    emulator.proxy.clearRules();
    ec2.destroy();
    sts.destroy();
    sm.destroy();
  });

  test('access denied, region not enabled and 500s carry the names AWS uses', async () => {
    emulator.proxy.clearRules();
    emulator.proxy.addRule({ fault: 'access-denied', region: 'ap-south-1' });
    emulator.proxy.addRule({ fault: 'not-enabled', region: 'me-south-1' });
    emulator.proxy.addRule({ fault: 'server-error', region: 'sa-east-1' });
    const names = await Promise.all(
      ['ap-south-1', 'me-south-1', 'sa-east-1'].map((r) =>
        sagemaker(r, { maxAttempts: 2 })
          .send(new ListDomainsCommand({}))
          .then(
            () => 'ok',
            (e: Error & { $metadata: { attempts?: number; httpStatusCode?: number } }) => `${e.name} ${e.$metadata.httpStatusCode} ${e.$metadata.attempts}`,
          ),
      ),
    );
    // Access denied and an unknown token are not retried; a 500 is.
    assert.deepEqual(names, ['AccessDeniedException 400 1', 'UnrecognizedClientException 400 1', 'InternalFailure 500 2']);
    emulator.proxy.clearRules();
  });

  test('a dropped connection is retried by the SDK', async () => {
    emulator.proxy.clearRules();
    const rule = emulator.proxy.addRule({ fault: 'drop', action: 'ListDomains', times: 1 });
    const sm = sagemaker('us-east-1');
    const out = await sm.send(new ListDomainsCommand({}));
    assert.equal(out.Domains?.length, 3);
    assert.equal(rule.hits, 1);
    assert.equal(out.$metadata.attempts, 2);
    sm.destroy();
    emulator.proxy.clearRules();
  });

  test('rules match by request parameter and by assumed account; delay holds the answer back', async () => {
    emulator.proxy.clearRules();
    emulator.proxy.addRule({ fault: 'access-denied', action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'h-002' } });
    emulator.proxy.addRule({ fault: 'access-denied', action: 'sts:AssumeRole', targetAccount: '333333333333' });
    emulator.proxy.addRule({ fault: 'delay', delayMs: 300, action: 'DescribeNotebookInstance', params: { NotebookInstanceName: 'h-003' } });
    const sm = sagemaker('us-east-1', { maxAttempts: 1 });
    await assert.rejects(sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'h-002' })), { name: 'AccessDeniedException' });
    const started = Date.now();
    await sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'h-003' }));
    assert.ok(Date.now() - started >= 290);
    await assert.rejects(credentialsFor(emulator.proxy.endpoint, '333333333333'), { name: 'AccessDenied' });
    assert.equal((await credentialsFor(emulator.proxy.endpoint, '444444444444')).accessKeyId.length > 0, true);
    sm.destroy();
    emulator.proxy.clearRules();
  });
});
