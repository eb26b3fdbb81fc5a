// `monitor deploy` options that end up in templates: schedules as EventBridge takes them, IAM
// role names, account ids and notification targets — anything else refused with the reason,
// before a byte is written (hostile values first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MonitorUsageError, parseMonitorNotify, validateAccountId, validateRoleName, validateSchedule } from '../src/monitor/validate';

const refused = (f: () => unknown, why: RegExp) => assert.throws(f, (e: unknown) => e instanceof MonitorUsageError && why.test((e as Error).message));

test('hostile schedule expressions are refused: line breaks, quotes, ${…}, YAML and HCL syntax', () => {
  for (const s of [
    'rate(1 day)\nResources: {}',
    'rate(1 day)"',
    "rate(1 day)'",
    'rate(${var.x} days)',
    'cron(0 3 * * ? *)\n  Evil: 1',
    'cron(0 ${a} * * ? *)',
    'cron(0 3 * * ? *) # x',
    'rate(1 day) ',
    ' rate(1 day)',
    'rate(1  day)',
    'cron(0 3 * * ? *)}',
    '',
  ]) {
    refused(() => validateSchedule(s), /--schedule/);
  }
});

test('rate(): N ≥ 1, singular unit for 1 and plural otherwise (as EventBridge requires)', () => {
  for (const ok of ['rate(1 day)', 'rate(2 days)', 'rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'rate(12 hours)', 'rate(365 days)']) {
    assert.equal(validateSchedule(ok), ok);
  }
  refused(() => validateSchedule('rate(1 days)'), /rate\(1 day\).*singular/);
  refused(() => validateSchedule('rate(2 day)'), /rate\(2 days\)/);
  refused(() => validateSchedule('rate(0 days)'), /at least 1/);
  refused(() => validateSchedule('rate(-1 days)'), /at least 1/);
  refused(() => validateSchedule('rate(1.5 hours)'), /whole number/);
  refused(() => validateSchedule('rate(01 day)'), /whole number/);
  refused(() => validateSchedule('rate(1 week)'), /minute\(s\), hour\(s\) or day\(s\)/);
  refused(() => validateSchedule('rate(1 Day)'), /minute\(s\)/);
  refused(() => validateSchedule('every day'), /expected rate\(/);
});

test("cron(): six fields with AWS's ranges and wildcards; exactly one of day-of-month and day-of-week is ?", () => {
  for (const ok of [
    'cron(0 3 * * ? *)',
    'cron(15 10 ? * 6L 2002-2005)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(0 12 ? * 2#1 *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 15W * ? *)',
    'cron(0,30 1,2 ? JAN,JUL SUN 2030)',
    'cron(0 9 ? * sat *)',
  ]) {
    assert.equal(validateSchedule(ok), ok, ok);
  }
  refused(() => validateSchedule('cron(0 3 * * *)'), /six fields/);
  refused(() => validateSchedule('cron(0 3 * * ? * *)'), /six fields/);
  refused(() => validateSchedule('cron(0 3 * * * *)'), /exactly one of Day-of-month and Day-of-week/);
  refused(() => validateSchedule('cron(0 3 ? * ? *)'), /exactly one/);
  refused(() => validateSchedule('cron(60 3 * * ? *)'), /Minutes field "60"/);
  refused(() => validateSchedule('cron(0 24 * * ? *)'), /Hours field "24"/);
  refused(() => validateSchedule('cron(0 3 0 * ? *)'), /Day-of-month field "0"/);
  refused(() => validateSchedule('cron(0 3 * 13 ? *)'), /Month field "13"/);
  refused(() => validateSchedule('cron(0 3 ? * 8 *)'), /Day-of-week field "8"/);
  refused(() => validateSchedule('cron(0 3 ? * MON/2 *)'), /increments are not allowed/);
  refused(() => validateSchedule('cron(0 3 * * ? 1969)'), /Year field "1969"/);
  refused(() => validateSchedule('cron(0 3 * * ? 2200)'), /Year field/);
  refused(() => validateSchedule('cron(0 17-9 * * ? *)'), /lower value to the higher/);
  refused(() => validateSchedule('cron(0 3 *,,1 * ? *)'), /empty list item/);
  refused(() => validateSchedule('cron(0/0 3 * * ? *)'), /increment/);
  refused(() => validateSchedule('cron(? 3 * * ? *)'), /\? is only for/);
  refused(() => validateSchedule('cron(0 3 L * ? *)x'), /expected rate\(/);
});

test('role names: IAM characters only, 1-64 (a newline, quote, ${…}, a path or 65 characters are refused)', () => {
  for (const ok of ['cloudconform-monitor-read', 'A+=,.@_-9', 'x'.repeat(64)]) assert.equal(validateRoleName(ok), ok);
  for (const bad of ['a\nb', 'a"b', "a'b", 'role-${var.x}', 'path/role', '', 'x'.repeat(65), 'a b', 'rôle', 'a:b', '%{if true}x%{endif}']) {
    refused(() => validateRoleName(bad), /--role-name/);
  }
});

test('account ids: exactly 12 digits', () => {
  assert.equal(validateAccountId('123456789012'), '123456789012');
  for (const bad of ['12345678901', '1234567890123', '12345678901a', '123456789012\n', '"123456789012"', '${x}']) refused(() => validateAccountId(bad), /--accounts/);
});

test('--notify: sns=ARN strictly; slack and webhook take no URL (secrets: deployment parameters)', () => {
  assert.deepEqual(parseMonitorNotify('sns=arn:aws:sns:eu-west-1:123456789012:findings'), { kind: 'sns', arn: 'arn:aws:sns:eu-west-1:123456789012:findings' });
  assert.deepEqual(parseMonitorNotify('sns=arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b-c'), { kind: 'sns', arn: 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b-c' });
  assert.deepEqual(parseMonitorNotify('slack'), { kind: 'slack' });
  assert.deepEqual(parseMonitorNotify('webhook'), { kind: 'webhook' });
  for (const bad of [
    'sns=arn:aws:sns:eu-west-1:123456789012:t\nEvil: 1',
    'sns=arn:aws:sns:eu-west-1:123456789012:t"',
    'sns=arn:aws:sns:eu-west-1:123456789012:${x}',
    'sns=arn:aws:sns:eu-west-1:12345678901:t',
    'sns=arn:aws:sqs:eu-west-1:123456789012:t',
    'sns=',
    'sns',
    'webhook=https://a.example/x\ny',
    'webhook=https://a.example/x\ty',
    'webhook=https://a.example/x y',
    'webhook=https://a.example/\u2028',
    'webhook=http://a.example/',
    'webhook=https://user:pass@a.example/',
    'webhook=javascript:alert(1)',
    'webhook=',
    'webhook=https://hooks.example.com/in?token=t',
    'email=a@b.c',
    'sms=+15555550100',
  ]) {
    refused(() => parseMonitorNotify(bad), /--notify/);
  }
  refused(() => parseMonitorNotify('slack=https://hooks.slack.com/services/T/B/secret'), /secret.*SlackWebhookUrl/);
  refused(() => parseMonitorNotify('webhook=https://hooks.example.com/in/secret'), /secret.*WebhookUrl.*webhook_url/);
  refused(() => parseMonitorNotify('sns=env:TOPIC'), /env:NAME/);
  refused(() => parseMonitorNotify('webhook=env:HOOK'), /WebhookUrl/);
  // What the notifier takes, the template takes: a FIFO topic.
  assert.equal(parseMonitorNotify('sns=arn:aws:sns:eu-west-1:123456789012:f.fifo').kind, 'sns');
});

test('a refused --notify value is not echoed past 200 characters', () => {
  const long = `webhook=http://${'a'.repeat(10_000)}`;
  assert.throws(() => parseMonitorNotify(long), (e: unknown) => (e as Error).message.length < 600 && !/a{201}/.test((e as Error).message));
});

test('a refused --notify value never shows a URL\'s path, query or user info (a Slack URL, a token, a password are secrets)', () => {
  for (const bad of [
    'slack=https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX',
    'webhook=https://alice:pw-s3cret@hooks.example.com/in/XXXXsecretXXXX',
    'webhook=http://hooks.example.com/in/XXXXsecretXXXX?token=tok-s3cret',
    'webhook=https://hooks.example.com/in/XXXXsecretXXXX?token=tok-s3cret webhook=https://x.example/',
    'webhook=https://hooks.example.com/in/XXXXsecretXXXX?a=1,webhook=https://evil.example/',
    'webhook=env:XXXXsecretXXXX',
    'sns=https://hooks.example.com/XXXXsecretXXXX',
  ]) {
    assert.throws(
      () => parseMonitorNotify(bad),
      (e: unknown) => e instanceof MonitorUsageError && /--notify/.test(e.message) && !/XXXXsecretXXXX|s3cret|alice/.test(e.message),
      bad,
    );
  }
  // The host is still said, so the user knows which one was refused.
  assert.throws(() => parseMonitorNotify('webhook=http://hooks.example.com/in/XXXXsecretXXXX'), /webhook=http:\/\/hooks\.example\.com\/…/);
});
