// An event run's report (no AWS): finishRun keeps `evaluated.resources` (the resources a batch
// described, each with its rules), and the HTML report names the run as handled events, not a scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, emptyUnitResult } from '../src/engine/report';
import { renderHtmlReport } from '../src/reporters/html/index';
import { ALL_RULES } from '../src/rules/index';
import { eventScope } from '../src/events/handler';

const arn = (name: string) => `arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/${name}`;

function eventReport() {
  return buildReport([...ALL_RULES], emptyUnitResult(), 'Low', [], {
    command: 'event',
    startedAt: new Date('2026-12-04T10:03:00Z'),
    scope: eventScope({}, '123456789012'),
    evaluated: {
      resources: [
        { account: '123456789012', region: 'us-east-1', arn: arn('b'), ruleIds: ['SageMaker-004', 'SageMaker-004'] },
        { account: '123456789012', region: 'us-east-1', arn: arn('a'), ruleIds: ['SageMaker-004'] },
      ],
    },
  });
}

test('an event run keeps the resources it described, sorted, each rule once', () => {
  const report = eventReport();
  assert.equal(report.run?.command, 'event');
  assert.equal(report.run?.scope.key, 'audit:caller:123456789012');
  assert.deepEqual(report.run?.evaluated, {
    resources: [
      { account: '123456789012', region: 'us-east-1', arn: arn('a'), ruleIds: ['SageMaker-004'] },
      { account: '123456789012', region: 'us-east-1', arn: arn('b'), ruleIds: ['SageMaker-004'] },
    ],
  });
});

test('the HTML report names an event run as handled events', () => {
  const page = renderHtmlReport({ reports: [eventReport()], standards: [] });
  assert.match(page, /<strong>Handled events of account 123456789012<\/strong>/);
  assert.doesNotMatch(page, /Scan of events/);
});

test('an input holding no event (an empty list or SQS batch) says so, and makes no call', async () => {
  const { handleEvents } = await import('../src/events/handler');
  for (const data of [[], { Records: [] }, '[]', '{"Records": []}']) {
    const result = await handleEvents({ source: 'empty.json', data }, { endpointUrl: 'http://127.0.0.1:9', maxAttempts: 1 });
    assert.equal(result.report.summary.resources, 0);
    assert.ok(
      result.report.notes?.some((n) => n.file === 'empty.json' && /no event/.test(n.message)),
      `${JSON.stringify(data)}: ${JSON.stringify(result.report.notes)}`,
    );
  }
});
