import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderReport } from './index';
import { liveReport, sampleReport } from './test-report-fixture';

describe('json reporter', () => {
  it('is the report contract, pretty-printed', () => {
    const report = sampleReport();
    const out = renderReport(report, 'json', { color: true });
    assert.equal(out, JSON.stringify(report, null, 2));
    assert.deepEqual(JSON.parse(out), report);
  });

  it('has exactly the contract keys', () => {
    const parsed = JSON.parse(renderReport(sampleReport(), 'json', { color: false }));
    assert.deepEqual(Object.keys(parsed), ['version', 'tool', 'rules', 'findings', 'errors', 'summary']);
    assert.equal(parsed.version, 1);
    assert.deepEqual(parsed.tool, { name: 'cloudconform', version: '0.1.0' });
    assert.deepEqual(Object.keys(parsed.summary).sort(), [
      'errors', 'fail', 'failing', 'filesScanned', 'findings', 'pass', 'resources', 'suppressed', 'unknown',
    ]);
    const suppressed = parsed.findings.find((f: { suppressed: boolean }) => f.suppressed);
    assert.deepEqual(Object.keys(suppressed).sort(), [
      'location', 'message', 'resource', 'result', 'risk', 'ruleId', 'suppressed', 'suppression',
    ]);
  });

  it('leaves out anything attached to the report object beyond the contract', () => {
    const report = Object.assign(sampleReport(), { internalTimings: { parseMs: 3 } });
    assert.doesNotMatch(renderReport(report, 'json', { color: false }), /internalTimings/);
  });

  it('includes the notes of a live audit, before the summary', () => {
    const parsed = JSON.parse(renderReport(liveReport(), 'json', { color: false }));
    assert.deepEqual(Object.keys(parsed), ['version', 'tool', 'rules', 'findings', 'errors', 'notes', 'summary']);
    assert.deepEqual(parsed.notes, liveReport().notes);
    assert.deepEqual(parsed.errors[0].call, 'sagemaker:DescribeNotebookInstance');
    assert.deepEqual(parsed.findings[0].location, { file: 'aws://111122223333/us-east-1', line: 0 });
  });
});
