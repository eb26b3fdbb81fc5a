// The live resource-kind registry against moto through the fault proxy: describe by name and by
// ARN for every kind, a resource that is gone, and ids refused before any call (another kind,
// partition, region or account, path traversal, control characters, 2 KB names).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SageMakerClient, DeleteDomainCommand, DeleteNotebookInstanceCommand, StopNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { audit } from '../../src/engine/audit';
import { emptyConfig } from '../../src/engine/config';
import { makeLiveClients } from '../../src/remediation/live/clients';
import { planNotebookRemediation, RemediationRefused } from '../../src/remediation/live/plan';
import { planDomainRemediation } from '../../src/remediation/live/domain-plan';
import { Resource } from '../../src/model/resource';
import { auditIamPolicy, AUDIT_ACTIONS } from '../../src/sources/aws/actions';
import { limitCalls } from '../../src/sources/aws/clients';
import {
  DOMAIN_TYPE,
  LIVE_KINDS,
  LiveIdError,
  NOTEBOOK_INSTANCE_TYPE,
  describeLive,
  liveKind,
  liveKindOfArn,
  parseSageMakerArn,
  type LiveKind,
} from '../../src/sources/aws/registry';
import { SAGEMAKER_NOTEBOOK_REGIONS } from '../../src/sources/aws/regions';
import { MOTO_DEFAULT_ACCOUNT } from './fault-proxy';
import { useAuditEmulator, findingsOf, NOTEBOOK_RULE, DOMAIN_RULE } from './audit-helpers';
import { seed, clientConfig, type Seeded } from './seed';

const REGION = 'us-east-1';
/** For the audits of this file only. */
const AUDIT_REGION = 'eu-west-1';
const emulator = useAuditEmulator({
  seed: async (moto): Promise<Seeded> =>
    seed(moto.endpoint, [
      { region: AUDIT_REGION, notebooks: [{ name: 'aud-open', access: 'Enabled' }], domains: [{ name: 'aud-kept', access: 'VpcOnly' }, { name: 'aud-gone' }] },
      {
        region: REGION,
        notebooks: [
          { name: 'reg-open', access: 'Enabled' },
          { name: 'reg-closed', access: 'Disabled', inSubnet: true, tags: { team: 'ml' } },
          { name: 'reg-doomed', access: 'Enabled' },
        ],
        domains: [{ name: 'reg-public', access: 'PublicInternetOnly' }, { name: 'reg-vpc', access: 'VpcOnly' }],
      },
    ]),
});

const sagemaker = (region = REGION) => new SageMakerClient({ ...clientConfig(emulator.proxy.endpoint, region), maxAttempts: 1 });
const where = { account: MOTO_DEFAULT_ACCOUNT, region: REGION };
const notebookKind = liveKind(NOTEBOOK_INSTANCE_TYPE)!;
const domainKind = liveKind(DOMAIN_TYPE)!;
const seededNotebook = (name: string) => emulator.seeded.notebooks.find((n) => n.name === name)!;
const seededDomain = (name: string) => emulator.seeded.domains.find((d) => d.name === name)!;
const sagemakerCalls = () => emulator.proxy.log.filter((c) => c.service === 'sagemaker');

async function found(kind: LiveKind, id: string, opts: { tags?: boolean } = {}) {
  const sm = sagemaker();
  try {
    const out = await describeLive(kind, sm, id, where, opts);
    assert.equal(out.state, 'found', JSON.stringify(out));
    return out as Extract<typeof out, { state: 'found' }>;
  } finally {
    sm.destroy();
  }
}

describe('describe by id', () => {
  test('a notebook by name and by ARN: the same resource, normalised for the rules', async () => {
    const nb = seededNotebook('reg-open');
    for (const id of [nb.name, nb.arn]) {
      const out = await found(notebookKind, id);
      const r = out.resource;
      assert.equal(r.type, NOTEBOOK_INSTANCE_TYPE);
      assert.equal(r.id, nb.arn);
      assert.deepEqual(r.live, { account: MOTO_DEFAULT_ACCOUNT, region: REGION, arn: nb.arn });
      assert.equal(r.details?.name, nb.name);
      assert.equal(r.details?.status, 'InService');
      assert.deepEqual(new Resource(r).attribute('DirectInternetAccess').state, 'set');
      assert.equal((out.described as { DirectInternetAccess?: string }).DirectInternetAccess, 'Enabled');
    }
  });

  test('a domain by id and by ARN', async () => {
    const d = seededDomain('reg-vpc');
    for (const id of [d.id, d.arn]) {
      const out = await found(domainKind, id);
      assert.equal(out.resource.type, DOMAIN_TYPE);
      assert.equal(out.resource.id, d.arn);
      assert.equal(out.resource.details?.name, d.name);
      assert.equal((out.described as { AppNetworkAccessType?: string }).AppNetworkAccessType, 'VpcOnly');
    }
  });

  test('tags are read when asked (ListTags), and only then', async () => {
    const nb = seededNotebook('reg-closed');
    emulator.proxy.clearLog();
    const without = await found(notebookKind, nb.name);
    assert.equal(new Resource(without.resource).attribute('Tags').state, 'unknown');
    assert.deepEqual(sagemakerCalls().map((c) => c.action), ['DescribeNotebookInstance']);
    const withTags = await found(notebookKind, nb.name, { tags: true });
    assert.deepEqual(new Resource(withTags.resource).attribute('Tags'), {
      state: 'set',
      value: [{ Key: 'team', Value: 'ml' }],
      location: { file: `aws://${MOTO_DEFAULT_ACCOUNT}/${REGION}`, line: 0 },
    });
  });

  test('without the account (remediation of the caller\'s own): the account comes from the described ARN', async () => {
    const sm = sagemaker();
    const out = await describeLive(notebookKind, sm, 'reg-open', { region: REGION });
    sm.destroy();
    assert.equal(out.state, 'found');
    assert.equal(out.state === 'found' && out.resource.live?.account, MOTO_DEFAULT_ACCOUNT);
  });

  test('a notebook deleted, and a domain that never existed, are gone (moto: ValidationException for both)', async () => {
    const nb = seededNotebook('reg-doomed');
    const sm = sagemaker();
    await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: nb.name }));
    await sm.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: nb.name }));
    for (const id of [nb.name, nb.arn]) {
      const out = await describeLive(notebookKind, sm, id, where);
      assert.equal(out.state, 'gone', JSON.stringify(out));
    }
    const domain = await describeLive(domainKind, sm, 'd-000000000000', where);
    assert.equal(domain.state, 'gone', JSON.stringify(domain));
    sm.destroy();
  });

  test('a domain gone as AWS says it (ResourceNotFound, injected): gone', async () => {
    emulator.proxy.addRule({ fault: 'error', status: 400, code: 'ResourceNotFound', message: 'Domain d-aaaaaaaaaaaa not found', action: 'DescribeDomain' });
    const sm = sagemaker();
    const out = await describeLive(domainKind, sm, 'd-aaaaaaaaaaaa', where);
    sm.destroy();
    assert.equal(out.state, 'gone');
  });

  test('a describe that fails otherwise: failed, an unreadable resource naming the call and the error', async () => {
    const nb = seededNotebook('reg-open');
    emulator.proxy.addRule({ fault: 'access-denied', action: 'DescribeNotebookInstance' });
    const sm = sagemaker();
    const out = await describeLive(notebookKind, sm, nb.arn, where);
    sm.destroy();
    assert.equal(out.state, 'failed');
    if (out.state !== 'failed') return;
    assert.equal(out.resource.id, nb.arn);
    const attr = new Resource(out.resource).attribute('DirectInternetAccess');
    assert.equal(attr.state, 'unknown');
    assert.match(attr.state === 'unknown' ? attr.reason : '', /sagemaker:DescribeNotebookInstance failed: AccessDenied/);
  });

  test('a describe by name that fails: the unknown resource has the ARN AWS gives it (the key the audit\'s finding has)', async () => {
    const nb = seededNotebook('reg-open');
    emulator.proxy.addRule({ fault: 'access-denied', action: 'DescribeNotebookInstance' });
    const sm = sagemaker();
    const out = await describeLive(notebookKind, sm, nb.name, where);
    sm.destroy();
    assert.equal(out.state, 'failed');
    assert.equal(out.state === 'failed' && out.resource.id, nb.arn);
    assert.equal(out.state === 'failed' && out.resource.details?.name, nb.name);
    // AWS writes the notebook's name lower-cased in its ARN.
    assert.equal(notebookKind.arnOf('MyNotebook', { partition: 'aws-cn', region: 'cn-north-1', account: '111122223333' }), 'arn:aws-cn:sagemaker:cn-north-1:111122223333:notebook-instance/mynotebook');
  });

  test('calls go through the given limiter (its deadline ends a describe that never answers)', async () => {
    emulator.proxy.addRule({ fault: 'delay', delayMs: 5_000, action: 'DescribeNotebookInstance' });
    const sm = sagemaker();
    const started = Date.now();
    const out = await describeLive(notebookKind, sm, 'reg-open', where, { call: limitCalls(1, 300, new AbortController().signal) });
    sm.destroy();
    assert.equal(out.state, 'failed');
    assert.ok(Date.now() - started < 3_000);
  });
});

describe('ids refused before any call', () => {
  const nbArn = `arn:aws:sagemaker:${REGION}:${MOTO_DEFAULT_ACCOUNT}:notebook-instance/reg-open`;
  const hostile: [string, LiveKind, string, RegExp][] = [
    ['a domain ARN given as a notebook', notebookKind, `arn:aws:sagemaker:${REGION}:${MOTO_DEFAULT_ACCOUNT}:domain/d-abc123`, /ARN of a domain, not of a notebook instance/],
    ['a notebook ARN given as a domain', domainKind, nbArn, /ARN of a notebook-instance, not of a domain/],
    ['another service', notebookKind, `arn:aws:s3:::bucket/notebook-instance/x`, /not a SageMaker ARN/],
    ['another partition', notebookKind, nbArn.replace('arn:aws:', 'arn:aws-cn:'), /partition aws-cn, not in aws/],
    ['another region', notebookKind, nbArn.replace(REGION, 'eu-west-1'), /region eu-west-1, not in us-east-1/],
    ['another account', notebookKind, nbArn.replace(MOTO_DEFAULT_ACCOUNT, '111122223333'), /account 111122223333, not in 123456789012/],
    ['path traversal in an ARN', notebookKind, `arn:aws:sagemaker:${REGION}:${MOTO_DEFAULT_ACCOUNT}:notebook-instance/../domain/d-abc`, /not valid/],
    ['path traversal as a name', notebookKind, '../../domain/d-abc', /not a valid notebook instance id/],
    ['a control character in a name', notebookKind, 'reg-open\u001b[2J', /'reg-open\\x1b\[2J'/],
    ['a newline in an ARN', notebookKind, `${nbArn}\nx`, /not a SageMaker ARN/],
    ['a 2 KB name', notebookKind, 'a'.repeat(2048), /2048 characters/],
    ['a 2 KB ARN', notebookKind, `${nbArn}${'a'.repeat(2048)}`, /\(2\d{3} characters\) is not a SageMaker ARN/],
    ['an empty id', domainKind, '', /empty/],
    ['a domain id of the wrong shape', domainKind, 'D-UPPER', /not a valid domain id/],
    ['an ARN with no id', notebookKind, `arn:aws:sagemaker:${REGION}:${MOTO_DEFAULT_ACCOUNT}:notebook-instance/`, /not a SageMaker ARN/],
  ];
  for (const [what, kind, id, message] of hostile) {
    test(`${what}: LiveIdError, no call`, async () => {
      emulator.proxy.clearLog();
      const sm = sagemaker();
      await assert.rejects(describeLive(kind, sm, id, where), (e: unknown) => {
        assert.ok(e instanceof LiveIdError, String(e));
        assert.match(e.message, message);
        // Bounded and printable: the message quotes at most 80 characters of the id, escaped.
        assert.ok(e.message.length < 400, e.message);
        assert.doesNotMatch(e.message, /[\u0000-\u001f]/);
        return true;
      });
      sm.destroy();
      assert.deepEqual(sagemakerCalls(), []);
    });
  }
});

describe('the registry', () => {
  test('idFromArn: the id for an ARN of the kind, undefined for any other', () => {
    const d = 'arn:aws:sagemaker:eu-west-1:111122223333:domain/d-abc123def456';
    const nb = 'arn:aws-us-gov:sagemaker:us-gov-west-1:111122223333:notebook-instance/mynotebook';
    assert.equal(domainKind.idFromArn(d), 'd-abc123def456');
    assert.equal(notebookKind.idFromArn(nb), 'mynotebook');
    assert.equal(notebookKind.idFromArn(d), undefined);
    assert.equal(domainKind.idFromArn(nb), undefined);
    assert.equal(notebookKind.idFromArn('arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/a/b'), undefined);
    assert.equal(liveKindOfArn(d), domainKind);
    assert.equal(liveKindOfArn(nb), notebookKind);
    assert.equal(liveKindOfArn('arn:aws:sagemaker:eu-west-1:111122223333:endpoint/x'), undefined);
    assert.deepEqual(parseSageMakerArn(nb), { partition: 'aws-us-gov', region: 'us-gov-west-1', account: '111122223333', resource: 'notebook-instance', id: 'mynotebook' });
  });

  test('a new kind is one entry: every kind has its calls in iam-policy, its regions, and is found by its type', () => {
    const policy = auditIamPolicy().Statement.find((s) => s.Sid === 'CloudConformAudit')!.Action;
    const known = new Set<string>(Object.values(AUDIT_ACTIONS).map((a) => a.action));
    for (const kind of LIVE_KINDS) {
      assert.equal(liveKind(kind.type), kind);
      for (const action of [kind.listAction, kind.describeAction]) {
        assert.ok(known.has(action.action), `${kind.type}: ${action.action} is not in AUDIT_ACTIONS`);
        assert.ok(policy.includes(action.action), `${kind.type}: ${action.action} is not in iam-policy`);
      }
      for (const partition of Object.keys(SAGEMAKER_NOTEBOOK_REGIONS)) assert.ok(kind.regions(partition).length > 0, `${kind.type}: no region in ${partition}`);
      assert.deepEqual(kind.regions('aws-nowhere'), []);
    }
    // ListTags serves every kind (tag exceptions).
    assert.ok(policy.includes('sagemaker:ListTags'));
    assert.equal(new Set(LIVE_KINDS.map((k) => k.type)).size, LIVE_KINDS.length);
    assert.equal(liveKind('AWS::S3::Bucket'), undefined);
  });
});

describe('the audit and the remediation plans through the registry', () => {
  const runAudit = () => {
    emulator.proxy.clearLog();
    return audit({ config: emptyConfig(), endpointUrl: emulator.proxy.endpoint, regions: [AUDIT_REGION] });
  };

  // Regression: the audit judged "gone" with isResourceGone, which misses moto's answer for a
  // missing domain (ValidationException "Could not find domain"), while the remediation plans used
  // their own isDomainGone: one domain was unknown with an error in the audit and gone in `remediate`.
  test('audit: a Studio domain really deleted in moto mid-audit (ValidationException "Could not find domain") is left out with a note', async () => {
    const goneDomain = seededDomain('aud-gone');
    const direct = new SageMakerClient(clientConfig(emulator.moto.endpoint, AUDIT_REGION));
    emulator.proxy.addRule({
      fault: 'delay',
      action: 'DescribeDomain',
      params: { DomainId: goneDomain.id },
      beforeForward: async () => {
        await direct.send(new DeleteDomainCommand({ DomainId: goneDomain.id }));
      },
    });
    try {
      const report = await runAudit();
      assert.deepEqual(report.errors, []);
      assert.deepEqual(findingsOf(report, DOMAIN_RULE).map((f) => [f.resource.id, f.result]), [[seededDomain('aud-kept').arn, 'pass']]);
      assert.ok((report.notes ?? []).some((n) => n.message.includes('domain aud-gone was deleted during the audit')), JSON.stringify(report.notes));
    } finally {
      direct.destroy();
    }
  });

  // Regression: the audit sent DescribeNotebookInstance with whatever name the list answered.
  test('audit: a listed notebook whose name DescribeNotebookInstance could not take is unknown with an error, and no call carries it', async () => {
    const junk = '../../domain/d-x\u001b[31m';
    emulator.proxy.addRule({
      fault: 'rewrite',
      action: 'ListNotebookInstances',
      region: AUDIT_REGION,
      rewrite: (answer) => ({
        ...answer,
        NotebookInstances: [
          ...((answer.NotebookInstances as object[]) ?? []),
          { NotebookInstanceName: junk, NotebookInstanceArn: `arn:aws:sagemaker:${AUDIT_REGION}:${MOTO_DEFAULT_ACCOUNT}:notebook-instance/junk`, NotebookInstanceStatus: 'InService' },
        ],
      }),
    });
    const report = await runAudit();
    const describes = emulator.proxy.log.filter((c) => c.action === 'DescribeNotebookInstance');
    assert.deepEqual(describes.map((c) => c.params.NotebookInstanceName), ['aud-open']);
    const junkFinding = findingsOf(report, NOTEBOOK_RULE).find((f) => f.resource.id.endsWith('/junk'));
    assert.equal(junkFinding?.result, 'unknown');
    assert.match(junkFinding?.message ?? '', /not described: .* is not a valid notebook instance id/);
    const error = report.errors.find((e) => e.call === 'sagemaker:DescribeNotebookInstance');
    assert.match(error?.message ?? '', /not described/);
    // The report keeps the list's name as answered (each output format escapes it); the refusal quotes it escaped.
    assert.match(error?.message ?? '', /not described: '\.\.\/\.\.\/domain\/d-x\\x1b\[31m' is not a valid notebook instance id/);
    assert.equal(findingsOf(report, NOTEBOOK_RULE).find((f) => f.resource.id === seededNotebook('aud-open').arn)?.result, 'fail');
  });

  // Regression: `remediate plan` sent DescribeNotebookInstance / DescribeDomain with the name as typed.
  test('remediate plan: a notebook name or domain id that is not one is refused with no call at all', async () => {
    const clients = makeLiveClients({ region: REGION, endpointUrl: emulator.proxy.endpoint });
    try {
      for (const name of ['../reg-open', 'reg-open\u0007', 'n'.repeat(2048)]) {
        emulator.proxy.clearLog();
        await assert.rejects(
          planNotebookRemediation(clients, { connection: { region: REGION }, notebookName: name, subnetId: 'subnet-1', securityGroupIds: ['sg-1'] }),
          (e: unknown) => e instanceof RemediationRefused && /is not a valid notebook instance id/.test(e.message),
        );
        assert.deepEqual(emulator.proxy.log, [], name.slice(0, 20));
      }
      for (const id of ['d-../x', `arn:aws:sagemaker:${REGION}:${MOTO_DEFAULT_ACCOUNT}:notebook-instance/reg-open`]) {
        emulator.proxy.clearLog();
        await assert.rejects(planDomainRemediation(clients, { connection: { region: REGION }, domainId: id }), (e: unknown) => e instanceof RemediationRefused);
        assert.deepEqual(emulator.proxy.log, [], id);
      }
    } finally {
      clients.destroy();
    }
  });
});
