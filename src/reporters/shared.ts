import type { Finding, Suppression } from '../model/report';
import { isLiveLocation } from '../model/location';
import type { ScanError } from '../sources/source';
import { RISK_ORDER, type Risk } from '../rules/rule';

/** The one finding order (file, line, column, rule, resource; code units, not locale): see the model. */
export { compareFindings, compareStrings } from '../model/report';

export function riskAtLeast(risk: Risk, threshold: Risk): boolean {
  return RISK_ORDER.indexOf(risk) >= RISK_ORDER.indexOf(threshold);
}

const SUPPRESSED_BY: Readonly<Record<Suppression['source'], string>> = {
  inline: 'inline',
  checkov: 'by a Checkov skip',
  config: 'by config',
  baseline: 'by the baseline',
};

/** `suppressed inline (main.tf:3): reason` — what a reader needs to find and judge the suppression. */
export function describeSuppression(finding: Finding): string {
  const s = finding.suppression;
  if (!s) return 'suppressed';
  const where = s.file ? ` (${s.file}${s.line ? `:${s.line}` : ''})` : '';
  const until = s.expires ? ` until ${s.expires}` : '';
  return `suppressed ${SUPPRESSED_BY[s.source] ?? 'by config'}${where}${until}: ${s.reason || 'no reason given'}`;
}

/** `suppression expired on 2024-01-31 (reason …)`: the finding counts again, and every report says why. */
export function describeExpiredSuppression(finding: Finding): string | undefined {
  const s = finding.expiredSuppression;
  if (!s) return undefined;
  const where = s.file ? `, ${s.file}${s.line ? `:${s.line}` : ''}` : '';
  return `suppression expired on ${s.expires} (${s.reason || 'no reason given'}${where})`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** An error's text, led by the API call that failed when there is one (live audits). */
export function errorText(error: ScanError): string {
  return error.call ? `${error.call}: ${error.message}` : error.message;
}

/** `file:line`, or the file (or live `aws://ACCOUNT/REGION` locator) alone when there is no line. */
export function formatLocation(file: string, line?: number, column?: number): string {
  if (!(line !== undefined && line > 0)) return file;
  return column && column > 0 ? `${file}:${line}:${column}` : `${file}:${line}`;
}

/** How a finding's resource is named for a reader: live resources by name (their id is the ARN). */
export function resourceLabel(f: Finding): string {
  return isLiveLocation(f.location) ? (f.resource.details?.name ?? f.resource.id) : f.resource.id;
}

/** An http(s) address (rule references are also book titles and standard names). */
export function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
