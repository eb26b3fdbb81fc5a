import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isReportFormat, REPORT_FORMATS, renderReport, type ReportFormat } from './index';
import { liveReport, sampleReport } from './test-report-fixture';

describe('renderReport', () => {
  it('knows the eight formats', () => {
    assert.deepEqual(REPORT_FORMATS, ['text', 'json', 'sarif', 'junit', 'gitlab-sast', 'csv', 'ocsf', 'asff']);
    assert.ok(isReportFormat('sarif'));
    assert.ok(!isReportFormat('xml'));
  });

  it('renders every format without a trailing newline (CSV: every record ends with CRLF) and never with colour outside text', () => {
    for (const format of REPORT_FORMATS) {
      const out = renderReport(sampleReport(), format, { color: true, verbose: true });
      assert.ok(out.length > 0, format);
      if (format === 'csv') assert.ok(out.endsWith('\r\n') && !out.endsWith('\n\r\n'), format);
      else assert.ok(!out.endsWith('\n'), format);
      if (format !== 'text') assert.doesNotMatch(out, /\u001b/, format);
    }
  });

  it('does not mutate the report', () => {
    for (const fixture of [sampleReport, liveReport]) {
      const report = fixture();
      for (const format of REPORT_FORMATS) renderReport(report, format, { color: true, verbose: true });
      assert.deepEqual(report, fixture());
    }
  });

  it('rejects an unknown format from untyped callers', () => {
    assert.throws(() => renderReport(sampleReport(), 'xml' as ReportFormat, { color: false }), /unknown report format: xml/);
  });
});
