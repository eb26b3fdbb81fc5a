import type { FailOn, ScanReport } from '../model/report';
import type { Risk } from '../rules/rule';
import { renderAsff } from './asff';
import { renderCsv } from './csv';
import { renderGitlabSast } from './gitlab-sast';
import { renderJson } from './json';
import { renderJunit } from './junit';
import { renderOcsf } from './ocsf';
import { renderSarif } from './sarif';
import { renderText } from './text';

import { REPORT_FORMATS, type ReportFormat } from './formats';

export { REPORT_FORMATS, type ReportFormat } from './formats';

export interface RenderOptions {
  /** ANSI colours in text output. The caller decides (NO_COLOR, TTY); reporters never look at the environment. */
  color: boolean;
  /** risk threshold used for exit code */
  failOn?: FailOn;
  /** List passing checks in text output, not only count them, and never cut a line to `width`. */
  verbose?: boolean;
  /**
   * The terminal's width in columns: text output cuts finding rows to it and wraps the rest.
   * Absent when standard output is not a terminal (a pipe, a file, a CI log): lines are whole.
   */
  width?: number;
}

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

/** Renders the report in one format. The string has no trailing newline: the caller adds one when writing it. */
export function renderReport(report: ScanReport, format: ReportFormat, options: RenderOptions): string {
  switch (format) {
    case 'text':
      return renderText(report, options);
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report);
    case 'junit':
      return renderJunit(report);
    case 'gitlab-sast':
      return renderGitlabSast(report);
    case 'csv':
      return renderCsv(report);
    case 'ocsf':
      return renderOcsf(report);
    case 'asff':
      return renderAsff(report);
    default: {
      // Unreachable for typed callers; a plain-JS caller gets a clear message rather than `undefined`.
      const unknown: never = format;
      throw new Error(`unknown report format: ${String(unknown)} (expected one of ${REPORT_FORMATS.join(', ')})`);
    }
  }
}
