// `cloudconform report --html FILE`: one self-contained HTML file (inline CSS, JS and SVG; nothing
// loaded from anywhere; a Content-Security-Policy that allows only this file's own script and
// style, by hash). Static parts are rendered here, escaped; the findings tables are drawn by the
// inline script from JSON data, one page at a time, so 50,000 findings stay fast.
import { createHash } from 'node:crypto';
import type { RequirementResult, RequirementStatus, Standard } from '../../compliance/types';
import type { ChangeKind, RunComparison, RunSummary } from '../../history/types';
import { compareFindings, compareStrings, findingKey, liveIdentityOf, type Finding, type ScanReport } from '../../model/report';
import { findRule } from '../../rules';
import { RISK_ORDER, type RuleMeta } from '../../rules/rule';
import { printable } from '../printable';
import { describeExpiredSuppression, describeSuppression, errorText, formatLocation, resourceLabel } from '../shared';
import { changesChart, countsChart, formatScore, runScore, scoreChart } from './charts';
import { CLIENT_SCRIPT } from './client';
import { html, scriptJson, shown } from './escape';
import { markdownToHtml } from './markdown';
import { STYLE } from './style';

/** What compliance's assess() says of one standard. */
export interface StandardAssessment {
  standard: Standard;
  /** `why`: the status's reason for people, when assess() gives one. */
  results: (RequirementResult & { why?: string })[];
}

export interface HtmlReportInput {
  /** The latest run (one report per scope), or the JSON reports given as files. */
  reports: ScanReport[];
  /** For people: where the reports come from (`the history (…)`, or the files given), one per report. */
  sources?: string[];
  /** The recorded runs of the reports' scope, oldest first: the trend. */
  runs?: RunSummary[];
  /** New, resolved… since the previous run of the scope. */
  comparison?: RunComparison;
  /** compliance's assess() per standard, on the reports' findings. */
  standards: StandardAssessment[];
}

/** Change kinds in the order the report lists them; a row's change is its index here. */
const CHANGE_KINDS: readonly ChangeKind[] = ['new', 'regressed', 'resolved', 'still-failing', 'newly-suppressed', 'suppression-expired', 'not-evaluated', 'unchanged'];
const CHANGE_LABELS: Readonly<Record<ChangeKind, string>> = {
  new: 'New',
  regressed: 'Regressed',
  resolved: 'Resolved',
  'still-failing': 'Still failing',
  'newly-suppressed': 'Newly suppressed',
  'suppression-expired': 'Suppression expired',
  'not-evaluated': 'Not looked at',
  unchanged: 'Unchanged',
};
const CHANGE_EXPLAINED: Readonly<Record<ChangeKind, string>> = {
  new: 'failing now, and not failing in the previous run',
  regressed: 'failing now, after passing or being resolved before',
  resolved: 'failing before, and now passing, or the resource is gone from a place this run looked at',
  'still-failing': 'failing in the previous run and in this one',
  'newly-suppressed': 'failing before, suppressed now (someone accepted the risk, with a reason)',
  'suppression-expired': 'suppressed before; the suppression’s end date has passed, so it counts again',
  'not-evaluated': 'failing before, but this run did not look there (a region that could not be read, a narrower scan): still open, not resolved',
  unchanged: 'no change',
};

const STATUS_LABELS: Readonly<Record<RequirementStatus, string>> = { pass: 'Pass', fail: 'Fail', unknown: 'Unknown', 'not-assessed': 'Not assessed' };

interface Counts {
  pass: number;
  fail: number;
  unknown: number;
  suppressed: number;
}

/** Worst first when one finding is in two reports: failing, unknown, suppressed, passing. */
function severity(f: Finding): number {
  return f.suppressed ? 1 : f.result === 'fail' ? 3 : f.result === 'unknown' ? 2 : 0;
}

const zero = (): Counts => ({ pass: 0, fail: 0, unknown: 0, suppressed: 0 });

function add(counts: Counts, f: Finding): void {
  if (f.suppressed) counts.suppressed++;
  else if (f.result === 'pass') counts.pass++;
  else if (f.result === 'fail') counts.fail++;
  else counts.unknown++;
}

/** An element id from a standard's or rule's id: letters, digits, `_ . -` only (others as `_`). */
const anchor = (id: string) => id.replace(/[^A-Za-z0-9_.-]/g, '_');

// A count as text; whatever a report or a history database holds there, only digits come out (red
// team: a crafted database put markup, a meta refresh among it, into the trend table through here).
const fmt = (n: number) => (typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') : '?');
const percent = (c: { pass: number; fail: number }) => {
  const s = runScore(c);
  return s === undefined ? '—' : formatScore(s);
};


/** The strings the script reads, each once (50,000 findings share few rules, files, accounts). */
class Strings {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  /** Printable form of the value (control characters written out); -1 for none. */
  id(value: string | undefined): number {
    if (value === undefined || value === '') return -1;
    const text = printable(value);
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(text);
      this.index.set(text, i);
    }
    return i;
  }
}

interface Placed {
  finding: Finding;
  repository?: string;
}

/** `gone`: resolved because the resource is no longer there (the finding is as last seen). */
function row(strings: Strings, { finding: f, repository }: Placed, change: ChangeKind | undefined, gone = false): number[] {
  const live = liveIdentityOf(f);
  const where = live ? `${live.account} / ${live.region}` : formatLocation(f.location.file, f.location.line, f.location.column);
  const note = f.suppressed ? describeSuppression(f) : describeExpiredSuppression(f);
  return [
    gone ? 3 : f.result === 'pass' ? 0 : f.result === 'fail' ? 1 : 2,
    f.suppressed ? 1 : 0,
    Math.max(0, RISK_ORDER.indexOf(f.risk)),
    strings.id(f.ruleId),
    strings.id(f.resource.type),
    strings.id(resourceLabel(f)),
    strings.id(f.resource.id),
    strings.id(where),
    strings.id(live?.account),
    strings.id(live?.region),
    strings.id(live ? undefined : repository),
    strings.id(f.message),
    strings.id(note),
    change === undefined ? -1 : CHANGE_KINDS.indexOf(change),
  ];
}

/** The repository a report's scan findings are from: its scope (`scan:NAME`), else the source given. */
function repositoryOf(report: ScanReport, source: string | undefined, index: number): string {
  const key = report.run?.scope.key;
  if (key?.startsWith('scan:')) return key.slice('scan:'.length);
  return source ?? `report ${index + 1}`;
}

function groupTable(title: string, what: string, groups: Map<string, Counts>, filterName: string, valueIds: Map<string, number>): string {
  if (groups.size === 0) return '';
  const names = [...groups.keys()].sort(compareStrings);
  return (
    `<h3>${html(title)}</h3><table class="groups"><thead><tr><th>${html(what)}</th><th class="num">Score</th><th class="num">Failing</th><th class="num">Unknown</th><th class="num">Passing</th><th class="num">Suppressed</th><th></th></tr></thead><tbody>` +
    names
      .map((name) => {
        const c = groups.get(name)!;
        const id = valueIds.get(name);
        const button =
          id === undefined ? '' : `<button type="button" class="show" data-target="findings" data-filter-name="${html(filterName)}" data-filter-value="${id}">Show these findings</button>`;
        return `<tr><td>${shown(name)}</td><td class="num">${percent(c)}</td><td class="num v-fail">${fmt(c.fail)}</td><td class="num">${fmt(c.unknown)}</td><td class="num">${fmt(c.pass)}</td><td class="num">${fmt(c.suppressed)}</td><td>${button}</td></tr>`;
      })
      .join('') +
    '</tbody></table>'
  );
}

function tableSection(id: string, title: string, intro: string, columns: string[], sortBy: string, filters: string): string {
  const headings: Record<string, string> = { verdict: 'Verdict', risk: 'Risk', rule: 'Rule', resource: 'Resource', where: 'Where', message: 'What was found', change: 'Change' };
  return (
    `<section id="${id}" data-table="${id}" data-columns="${columns.join(',')}" data-sort="${sortBy}">` +
    `<h2>${html(title)}</h2><p class="explain">${intro}</p>` +
    `<p class="noscript-note">This table needs JavaScript, which your browser has turned off for this file.</p>` +
    `<div class="controls">${filters}</div>` +
    `<p class="status" aria-live="polite"></p>` +
    `<table class="findings"><colgroup>${columns.map((c) => `<col class="c-${c}">`).join('')}</colgroup><thead><tr>` +
    columns.map((c) => (c === 'message' ? `<th>${headings[c]}</th>` : `<th data-sort="${c}"><button type="button">${headings[c]}</button></th>`)).join('') +
    `</tr></thead><tbody></tbody></table>` +
    `<div class="pager"><button type="button" data-page="first">First</button><button type="button" data-page="prev">Previous</button><span class="page-text"></span><button type="button" data-page="next">Next</button><button type="button" data-page="last">Last</button></div>` +
    `</section>`
  );
}

function select(name: string, label: string, options: [string | number, string][]): string {
  return `<label>${html(label)}<select data-filter="${name}"><option value="">any</option>${options.map(([v, l]) => `<option value="${html(v)}">${html(l)}</option>`).join('')}</select></label>`;
}

function filterControls(strings: Strings, rows: number[][], withChange: boolean): string {
  const distinct = (col: number) =>
    [...new Set(rows.map((r) => r[col]!).filter((i) => i >= 0))].map((i) => [i, strings.list[i]!] as [number, string]).sort((a, b) => compareStrings(a[1], b[1]));
  const accounts = distinct(8);
  const regions = distinct(9);
  const repositories = distinct(10);
  return [
    select('verdict', 'Verdict', [
      ['notpassing', 'failing or unknown'],
      ['failing', 'failing'],
      ['unknown', 'unknown'],
      ['passing', 'passing'],
      ['suppressed', 'suppressed'],
    ]),
    select('rule', 'Rule', distinct(3)),
    select('risk', 'Risk', RISK_ORDER.map((r, i) => [i, r] as [number, string]).reverse()),
    accounts.length ? select('account', 'Account', accounts) : '',
    regions.length ? select('region', 'Region', regions) : '',
    repositories.length ? select('repository', 'Repository', repositories) : '',
    withChange ? select('change', 'Change since the previous run', CHANGE_KINDS.map((k, i) => [i, CHANGE_LABELS[k]] as [number, string])) : '',
    `<label>Search<input type="search" data-filter="search" placeholder="resource, file, message…"></label>`,
  ].join('');
}

function standardsSection(standards: StandardAssessment[]): string {
  const head =
    `<h2>By compliance standard</h2><p class="explain">Each standard’s requirements that cloudconform’s rules help assess. A requirement <strong>fails</strong> when a finding of one of its rules fails (and is not suppressed); it is <strong>unknown</strong> when none failed but some could not be decided; it <strong>passes</strong> only when its rules checked resources and all passed. A requirement no rule covers, or whose rules found nothing to check, is <strong>not assessed</strong> — never counted as passing. The score is passing requirements out of passing and failing ones. cloudconform checks a few controls: a standard passing here says nothing of its other requirements.</p>`;
  if (standards.length === 0) return head + '<p>No standard was assessed.</p>';
  const counts = (results: RequirementResult[]) => {
    const c: Record<RequirementStatus, number> = { pass: 0, fail: 0, unknown: 0, 'not-assessed': 0 };
    for (const r of results) c[r.status]++;
    return c;
  };
  const table =
    `<table><thead><tr><th>Standard</th><th class="num">Score</th><th class="num">Failing</th><th class="num">Unknown</th><th class="num">Passing</th><th class="num">Not assessed</th></tr></thead><tbody>` +
    standards
      .map(({ standard, results }) => {
        const c = counts(results);
        return `<tr><td><a href="#std-${anchor(standard.id)}">${shown(standard.name)} ${shown(standard.version)}</a></td><td class="num">${percent(c)}</td><td class="num v-fail">${c.fail}</td><td class="num">${c.unknown}</td><td class="num">${c.pass}</td><td class="num">${c['not-assessed']}</td></tr>`;
      })
      .join('') +
    '</tbody></table>';
  const details = standards
    .map(({ standard, results }) => {
      const rows = results
        .map((r) => {
          const failing = r.findings.filter((f) => f.result === 'fail' && !f.suppressed).length;
          return `<tr><td>${shown(r.requirement.id)}</td><td>${shown(r.requirement.title)}</td><td class="v-${r.status}">${STATUS_LABELS[r.status]}${r.why ? `<span class="sub">${shown(r.why)}</span>` : ''}</td><td>${r.requirement.rules.map(shown).join(', ') || '—'}</td><td class="num">${fmt(failing)} of ${fmt(r.findings.length)}</td></tr>`;
        })
        .join('');
      return (
        `<details class="req" id="std-${anchor(standard.id)}"><summary>${shown(standard.name)} ${shown(standard.version)}: requirement by requirement</summary>` +
        `<table><thead><tr><th>Requirement</th><th>What it asks (our words)</th><th>Status</th><th>Checked by</th><th class="num">Failing findings</th></tr></thead><tbody>${rows}</tbody></table></details>`
      );
    })
    .join('');
  return head + table + details;
}

function trendSection(runs: RunSummary[] | undefined): string {
  const head = `<h2>Trend over recorded runs</h2>`;
  if (!runs || runs.length === 0)
    return head + '<p class="explain">No recorded runs: this report was made from JSON reports given as files. Reports made from the history (every <code>cloudconform scan</code> and <code>audit</code> is recorded) show how the numbers change from run to run.</p>';
  const first = runs[0]!.run;
  const intro = `<p class="explain">${fmt(runs.length)} recorded ${runs.length === 1 ? 'run' : 'runs'} of ${shown(first.scope.label)} (scope <code>${shown(first.scope.key)}</code>), oldest on the left.${runs.length === 1 ? ' The trend shows from the second run.' : ''}</p>`;
  const table =
    `<details><summary>The numbers behind the charts</summary><table><thead><tr><th>Run</th><th>Started (UTC)</th><th class="num">Score</th><th class="num">Failing</th><th class="num">Unknown</th><th class="num">Passing</th><th class="num">New</th><th class="num">Resolved</th></tr></thead><tbody>` +
    [...runs]
      .reverse()
      .map(
        (r) =>
          `<tr><td><code>${shown(r.run.id)}</code></td><td>${shown(r.run.startedAt)}</td><td class="num">${percent(r.summary)}</td><td class="num">${fmt(r.summary.fail)}</td><td class="num">${fmt(r.summary.unknown)}</td><td class="num">${fmt(r.summary.pass)}</td><td class="num">${fmt(r.changes.new + r.changes.regressed)}</td><td class="num">${fmt(r.changes.resolved)}</td></tr>`,
      )
      .join('') +
    '</tbody></table></details>';
  return head + intro + scoreChart(runs) + countsChart(runs) + changesChart(runs) + table;
}

function changesSummary(comparison: RunComparison | undefined, findingsTable: boolean): string {
  const head = `<h2>New and resolved since the previous run</h2>`;
  if (!comparison) return head + '<p class="explain">Not compared: changes are known for runs recorded in the history, not for JSON reports given as files.</p>';
  if (!comparison.previous)
    return head + `<p class="explain">This is the first recorded run of ${shown(comparison.current.scope.label)}: there is nothing to compare it with yet.</p>`;
  const prev = comparison.previous;
  const rows = CHANGE_KINDS.filter((k) => k !== 'unchanged')
    .map((k, i) => {
      const target = k === 'still-failing' ? 'findings' : 'changes';
      const button =
        comparison.counts[k] > 0 && (target === 'changes' || findingsTable)
          ? `<button type="button" class="show" data-target="${target}" data-filter-name="change" data-filter-value="${CHANGE_KINDS.indexOf(k)}">Show</button>`
          : '';
      void i;
      return `<tr><td>${CHANGE_LABELS[k]}</td><td class="num">${fmt(comparison.counts[k] ?? 0)}</td><td class="muted">${html(CHANGE_EXPLAINED[k])}</td><td>${button}</td></tr>`;
    })
    .join('');
  return (
    head +
    `<p class="explain">Compared with the previous run of the same scope, <code>${shown(prev.id)}</code> (started ${shown(prev.startedAt)}). A finding is resolved only where this run looked: a region or file this run could not read resolves nothing.</p>` +
    `<table id="change-counts"><thead><tr><th>Change</th><th class="num">Findings</th><th>Meaning</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function problemsSection(reports: ScanReport[]): string {
  const errors = reports.flatMap((r) => r.errors ?? []);
  const warnings = reports.flatMap((r) => r.warnings ?? []);
  const notes = reports.flatMap((r) => r.notes ?? []);
  const LIMIT = 200;
  const list = <T>(items: T[], text: (t: T) => string) =>
    `<ul class="problems">${items
      .slice(0, LIMIT)
      .map((t) => `<li>${text(t)}</li>`)
      .join('')}${items.length > LIMIT ? `<li>… and ${fmt(items.length - LIMIT)} more (see the JSON report)</li>` : ''}</ul>`;
  const where = (p: { file?: string; line?: number; account?: string; region?: string }) =>
    p.account ? `${p.account}${p.region ? ` / ${p.region}` : ''}` : p.file ? formatLocation(p.file, p.line) : '';
  const item = (p: { file?: string; line?: number; account?: string; region?: string }, text: string) => {
    const w = where(p);
    return `${w ? `<code>${shown(w)}</code>: ` : ''}${shown(text)}`;
  };
  let out = `<h2>Problems while checking</h2>`;
  if (errors.length === 0 && warnings.length === 0 && notes.length === 0) return out + '<p>None: every input was read.</p>';
  if (errors.length)
    out += `<h3>Errors (${fmt(errors.length)})</h3><p class="explain">What could not be read. Resources there were not checked: their findings are missing, or unknown, and nothing there counts as resolved.</p>${list(errors, (e) => item(e, errorText(e)))}`;
  if (warnings.length) out += `<h3>Warnings (${fmt(warnings.length)})</h3>${list(warnings, (e) => item(e, errorText(e)))}`;
  if (notes.length) out += `<h3>Notes (${fmt(notes.length)})</h3>${list(notes, (n) => item(n, n.message))}`;
  return out;
}

function rulesSection(reports: ScanReport[]): string {
  const metas = new Map<string, RuleMeta>();
  for (const r of reports) for (const m of r.rules ?? []) if (!metas.has(m.id)) metas.set(m.id, m);
  const ids = [...metas.keys()].sort(compareStrings);
  const pages = ids.map((id) => {
    const meta = metas.get(id)!;
    let body: string;
    try {
      const rule = findRule(id);
      body = rule ? markdownToHtml(rule.page(), 2) : '';
    } catch {
      body = '';
    }
    // A rule this version doesn't know (a report from another version): what the report says of it.
    if (!body)
      body =
        `<p class="muted">This version of cloudconform has no page for this rule; what the report says of it:</p>` +
        `<h4>Why it matters</h4><p>${shown(meta.rationale ?? '')}</p><h4>What to do</h4><p>${shown(meta.remediation ?? '')}</p>`;
    return `<details class="kb" id="rule-${anchor(id)}"><summary>${shown(id)}: ${shown(meta.title ?? '')} (risk ${shown(String(meta.risk ?? ''))})</summary>${body}</details>`;
  });
  return (
    `<h2>The rules</h2><p class="explain">What each rule checks, why it matters, how it decides, and how to fix a failure. Open one to read it.</p>` +
    (pages.join('') || '<p>No rule ran.</p>')
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { reports } = input;
  const placed: Placed[] = reports.flatMap((report, i) => {
    const repository = repositoryOf(report, input.sources?.[i], i);
    return report.findings.map((finding) => ({ finding, repository }));
  });
  placed.sort((a, b) => compareFindings(a.finding, b.finding));
  // A finding in two of the reports given (the same key) is one finding, at its worst verdict.
  const keys = new Map<string, number>();
  const unique: Placed[] = [];
  const keyOf: string[] = [];
  for (const p of placed) {
    const key = findingKey(p.finding);
    const seen = keys.get(key);
    if (seen === undefined) {
      keys.set(key, unique.length);
      unique.push(p);
      keyOf.push(key);
    } else if (severity(p.finding) > severity(unique[seen]!.finding)) unique[seen] = p;
  }

  // The comparison belongs to these findings only when it is of one of these runs.
  const runIds = new Set(reports.map((r) => r.run?.id).filter((id) => id !== undefined));
  const comparison = input.comparison && runIds.has(input.comparison.current.id) ? input.comparison : undefined;
  const changeOf = new Map<string, ChangeKind>();
  for (const c of comparison?.changes ?? []) changeOf.set(c.key, c.change);

  const strings = new Strings();
  const findingRows = unique.map((p, i) => row(strings, p, comparison ? (changeOf.get(keyOf[i]!) ?? 'unchanged') : undefined));
  const changeRows = (comparison?.previous ? comparison.changes : [])
    .filter((c) => c.change !== 'unchanged' && c.change !== 'still-failing')
    .map((c) =>
      row(
        strings,
        { finding: c.finding, repository: comparison!.current.scope.key.startsWith('scan:') ? comparison!.current.scope.key.slice(5) : undefined },
        c.change,
        c.change === 'resolved' && c.finding.result !== 'pass',
      ),
    );

  const total = zero();
  const accounts = new Map<string, Counts>();
  const regions = new Map<string, Counts>();
  const repositories = new Map<string, Counts>();
  const resources = new Set<string>();
  for (const { finding: f, repository } of unique) {
    add(total, f);
    resources.add(`${f.location.file}\u0000${f.resource.id}\u0000${f.resource.root ?? ''}`);
    const live = liveIdentityOf(f);
    const groups: [Map<string, Counts>, string][] = live
      ? [
          [accounts, live.account],
          [regions, live.region],
        ]
      : [[repositories, repository ?? '']];
    for (const [map, name] of groups) {
      let c = map.get(name);
      if (!c) map.set(name, (c = zero()));
      add(c, f);
    }
  }
  const idsOf = (names: Iterable<string>) => new Map([...names].map((n) => [n, strings.id(n)] as [string, number]).filter(([, i]) => i >= 0));

  const tool = reports[0]?.tool.version ?? '';
  const runsLine = reports
    .map((r, i) => {
      const run = r.run;
      // A source that only restates the run (the history's) is not repeated.
      const given = input.sources?.[i];
      const from = given !== undefined && !(run && given.startsWith(`run ${run.id}`)) ? given : undefined;
      if (!run) return `<li>${from ? `${shown(from)}: ` : ''}a report with no run information (written before cloudconform 0.2)</li>`;
      return `<li>${from ? `${shown(from)}: ` : ''}<strong>${run.command === 'audit' ? 'Audit of' : run.command === 'event' ? 'Handled' : 'Scan of'} ${shown(run.scope.label)}</strong>, run <code>${shown(run.id)}</code>, ${shown(run.startedAt)} to ${shown(run.endedAt)}</li>`;
    })
    .join('');
  const errorCount = reports.reduce((n, r) => n + (r.errors?.length ?? 0), 0);
  const score = percent(total);

  const body = [
    `<header><h1>Cloud security posture report</h1>`,
    `<p class="muted">Made by cloudconform ${shown(tool)}, which checks cloud resources (AWS accounts, and CloudFormation and Terraform code) against security rules. This file is self-contained: it loads nothing from the network.</p>`,
    `<ul>${runsLine || '<li>No report.</li>'}</ul></header><main>`,
    `<h2>How to read this report</h2><p class="explain">Every rule is checked against every resource it applies to; each check gives one verdict:</p>`,
    `<dl class="verdicts"><dt class="v-pass">Pass</dt><dd>The resource meets the rule.</dd>`,
    `<dt class="v-fail">Fail</dt><dd>The resource does not meet the rule: it needs fixing, or a documented exception.</dd>`,
    `<dt class="v-unknown">Unknown</dt><dd>cloudconform could not tell, for example because a value is only known at deployment or an API call failed. It is not a pass: look at it yourself.</dd>`,
    `<dt class="v-suppressed">Suppressed</dt><dd>Someone decided to accept this result and wrote down why (the reason is shown with the finding). Suppressed results stay listed but are not counted in the score.</dd>`,
    `<dt class="v-not-assessed">Not assessed</dt><dd>(Compliance requirements only.) No rule checks it, or nothing was found to check: it is neither passing nor failing.</dd></dl>`,
    `<h2>Overall score</h2>`,
    `<div class="cards"><div class="card"><div class="value" id="score">${score}</div><div class="label">score</div></div>`,
    `<div class="card"><div class="value v-fail" id="count-fail">${fmt(total.fail)}</div><div class="label">failing</div></div>`,
    `<div class="card"><div class="value v-unknown" id="count-unknown">${fmt(total.unknown)}</div><div class="label">unknown</div></div>`,
    `<div class="card"><div class="value v-pass" id="count-pass">${fmt(total.pass)}</div><div class="label">passing</div></div>`,
    `<div class="card"><div class="value" id="count-suppressed">${fmt(total.suppressed)}</div><div class="label">suppressed</div></div>`,
    `<div class="card"><div class="value" id="count-resources">${fmt(resources.size)}</div><div class="label">resources checked</div></div>`,
    `<div class="card"><div class="value" id="count-errors">${fmt(errorCount)}</div><div class="label">inputs that could not be read</div></div></div>`,
    `<p class="explain" id="score-definition">The score is the share of passing checks among the checks that passed or failed: passing ÷ (passing + failing) = ${fmt(total.pass)} ÷ ${fmt(total.pass + total.fail)}. Unknown and suppressed results are left out of it (they are counted beside it), so look at the unknown ones too.${total.pass + total.fail === 0 ? ' Nothing passed or failed, so there is no score.' : ''}</p>`,
    standardsSection(input.standards),
    accounts.size || regions.size || repositories.size
      ? `<h2>By account, region and repository</h2><p class="explain">Live AWS resources are counted by account and by region; resources defined in code by the repository scanned. The score is computed as above.</p>` +
        groupTable('Accounts', 'Account', accounts, 'account', idsOf(accounts.keys())) +
        groupTable('Regions', 'Region', regions, 'region', idsOf(regions.keys())) +
        groupTable('Repositories', 'Repository', repositories, 'repository', idsOf(repositories.keys()))
      : '',
    trendSection(input.runs),
    changesSummary(comparison, true),
    comparison?.previous
      ? tableSection(
          'changes',
          'What changed',
          'The findings that changed since the previous run (new, regressed, resolved, newly suppressed, suppression expired, not looked at). A resource no longer found where this run looked is shown as “Gone”, as it was last seen.',
          ['change', 'verdict', 'risk', 'rule', 'resource', 'where', 'message'],
          'change',
          filterControls(strings, changeRows, true),
        )
      : '',
    tableSection(
      'findings',
      'Findings',
      'Every check of this run: filter by verdict, rule, risk and place, search any text, and sort by clicking a column heading. Worst first by default: failing, unknown, suppressed, then passing.',
      comparison ? ['verdict', 'risk', 'rule', 'resource', 'where', 'message', 'change'] : ['verdict', 'risk', 'rule', 'resource', 'where', 'message'],
      'verdict',
      filterControls(strings, findingRows, comparison !== undefined),
    ),
    problemsSection(reports),
    rulesSection(reports),
    `</main>`,
  ].join('\n');

  const data = scriptJson({
    strings: strings.list,
    risks: RISK_ORDER,
    changeLabels: CHANGE_KINDS.map((k) => CHANGE_LABELS[k]),
    tables: { findings: findingRows, changes: changeRows },
  });
  // Only this file's own script and stylesheet run (by hash); nothing is fetched (default-src
  // 'none'); the empty data: icon keeps browsers from asking a server for /favicon.ico. Trusted
  // Types with no policy make every HTML-parsing sink (innerHTML, document.write…) throw in the
  // browsers that support them: the script can only put text in.
  const csp = `default-src 'none'; script-src 'sha256-${sha256(CLIENT_SCRIPT)}'; style-src 'sha256-${sha256(STYLE)}'; img-src data:; base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'; trusted-types 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${html(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<link rel="icon" href="data:,">',
    `<title>Cloud security posture report${score !== '—' ? ` — score ${score}` : ''}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    body,
    `<script type="application/json" id="cc-data">${data}</script>`,
    `<script>${CLIENT_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
