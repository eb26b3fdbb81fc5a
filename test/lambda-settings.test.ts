// The Lambda function's settings from its environment (src/lambda.ts lambdaSettings): no AWS call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lambdaSettings } from '../src/lambda';

test('history: CLOUDCONFORM_TABLE, or CLOUDCONFORM_DB as dynamodb:TABLE, a table ARN or a SQLite path; none: no history', async () => {
  assert.deepEqual((await lambdaSettings({ CLOUDCONFORM_TABLE: 'cc-history' })).history, { table: 'cc-history' });
  assert.deepEqual((await lambdaSettings({ CLOUDCONFORM_DB: 'dynamodb:cc-history' })).history, { table: 'cc-history' });
  assert.deepEqual((await lambdaSettings({ CLOUDCONFORM_DB: 'arn:aws:dynamodb:eu-west-1:123456789012:table/cc-history' })).history, { table: 'cc-history', region: 'eu-west-1' });
  assert.deepEqual((await lambdaSettings({ CLOUDCONFORM_DB: '/mnt/efs/history.db' })).history, { path: '/mnt/efs/history.db' });
  assert.equal((await lambdaSettings({})).history, undefined);
});

test('accounts, organization, role, respond and notify targets; a bad target or mode throws (the invocation fails, nothing is half done)', async () => {
  const s = await lambdaSettings({
    CLOUDCONFORM_ACCOUNTS: '111111111111, 222222222222\n333333333333',
    CLOUDCONFORM_ROLE_NAME: ' CloudConformMonitor ',
    CLOUDCONFORM_RESPOND: 'tag',
    CLOUDCONFORM_NOTIFY: 'sns=arn:aws:sns:us-east-1:123456789012:alerts webhook=https://hooks.example.com/a?x=1,2',
  });
  assert.deepEqual(s.accounts, ['111111111111', '222222222222', '333333333333']);
  assert.equal(s.roleName, 'CloudConformMonitor');
  assert.equal(s.respond, 'tag');
  assert.deepEqual(s.notify.map((c) => c.kind), ['sns', 'webhook']);
  assert.deepEqual(s.filters.on, ['new', 'regressed']);
  assert.equal((await lambdaSettings({ CLOUDCONFORM_ORGANIZATION: 'true' })).organization, true);
  assert.equal((await lambdaSettings({ CLOUDCONFORM_ORGANIZATION: 'false' })).organization, undefined);
  assert.equal((await lambdaSettings({ CLOUDCONFORM_RESPOND: 'off' })).respond, undefined);
  await assert.rejects(lambdaSettings({ CLOUDCONFORM_RESPOND: 'delete' }), /expected tag, stop or off/);
  await assert.rejects(lambdaSettings({ CLOUDCONFORM_NOTIFY: 'email=me@example.com' }));
});

test('notification filters from CLOUDCONFORM_NOTIFY_ON, _RISK, _RULE and _TAG, as the CLI\'s --notify-* (before, the Lambda had none)', async () => {
  const s = await lambdaSettings({
    CLOUDCONFORM_NOTIFY: 'sns=arn:aws:sns:us-east-1:123456789012:alerts',
    CLOUDCONFORM_NOTIFY_ON: 'new, regressed resolved',
    CLOUDCONFORM_NOTIFY_RISK: 'medium',
    CLOUDCONFORM_NOTIFY_RULE: 'sagemaker-004',
    CLOUDCONFORM_NOTIFY_TAG: 'team=ml ops, env',
  });
  assert.deepEqual(s.filters, { on: ['new', 'regressed', 'resolved'], minRisk: 'Medium', ruleIds: ['SageMaker-004'], tags: [{ key: 'team', value: 'ml ops' }, { key: 'env' }] });
  await assert.rejects(lambdaSettings({ CLOUDCONFORM_NOTIFY_RISK: 'urgent' }), /not a risk level/);
  await assert.rejects(lambdaSettings({ CLOUDCONFORM_NOTIFY_RULE: 'nope-1' }), /no rule/);
});

test('a hostile or contradictory environment fails the invocation with the reason, before any AWS call (the batch goes back to the queue, nothing is judged)', async () => {
  const { createServer } = await import('node:http');
  let calls = 0;
  const server = createServer((_req, res) => {
    calls++;
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const { handler, resetLambda } = await import('../src/lambda');
  const keys = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_MAX_ATTEMPTS', 'CLOUDCONFORM_ACCOUNTS', 'CLOUDCONFORM_ROLE_NAME', 'CLOUDCONFORM_TABLE', 'CLOUDCONFORM_DB', 'CLOUDCONFORM_ORGANIZATION', 'CLOUDCONFORM_NOTIFY'];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  const cases: [Record<string, string>, RegExp][] = [
    [{ CLOUDCONFORM_ACCOUNTS: '12345678901x', CLOUDCONFORM_ROLE_NAME: 'r' }, /'12345678901x' is not a 12-digit AWS account id/],
    [{ CLOUDCONFORM_TABLE: '../etc/passwd' }, /"\.\.\/etc\/passwd" is not a DynamoDB table name/],
    [{ CLOUDCONFORM_ACCOUNTS: '111111111111' }, /--accounts needs --role-name/],
    [{ CLOUDCONFORM_ORGANIZATION: 'true', CLOUDCONFORM_ACCOUNTS: '111111111111', CLOUDCONFORM_ROLE_NAME: 'r' }, /can't be combined/],
    [{ CLOUDCONFORM_NOTIFY: 'webhook=https://user:pw@hooks.example.com/x' }, /user name or password|user info|credentials/],
  ];
  try {
    for (const [env, reason] of cases) {
      for (const k of keys) delete process.env[k];
      Object.assign(process.env, { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_MAX_ATTEMPTS: '1' }, env);
      await resetLambda();
      const log = console.log;
      console.log = () => undefined;
      try {
        // The reason, and never the secret a refused value held.
        await assert.rejects(handler({ Records: [{ messageId: 'm-0', body: '{}' }] }, {}), (e: Error) => reason.test(e.message) && !e.message.includes('pw@'), JSON.stringify(env));
      } finally {
        console.log = log;
      }
    }
    assert.equal(calls, 0, 'no AWS call');
  } finally {
    await resetLambda();
    for (const k of keys) if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
    server.close();
  }
});
