// The trend charts: inline SVG drawn here (no script, no library), one point or bar per recorded
// run, oldest on the left. Only numbers and escaped text go into the markup.
import type { RunSummary } from '../../history/types';
import { html } from './escape';

const WIDTH = 760;
const HEIGHT = 240;
const PAD = { left: 56, right: 16, top: 16, bottom: 44 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

/** Score of a run: passing / (passing + failing), suppressed and unknown left out; undefined when neither. */
/** A score as a percentage with one decimal, rounded down (99.96% is not 100.0%). */
export function formatScore(score: number | undefined): string {
  return score === undefined ? 'no score' : `${(Math.floor(score * 1000) / 10).toFixed(1)}%`;
}

export function runScore(s: { pass: number; fail: number }): number | undefined {
  return s.pass + s.fail > 0 ? s.pass / (s.pass + s.fail) : undefined;
}

/** A round upper bound for an axis (1, 2, 5 × 10^n). */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const day = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function xOf(i: number, count: number): number {
  return PAD.left + (count <= 1 ? PLOT_W / 2 : (i * PLOT_W) / (count - 1));
}

function frame(title: string, description: string, max: number, yLabel: (v: number) => string, runs: RunSummary[], body: string, legend: [string, string][]): string {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => {
    const y = PAD.top + PLOT_H - t * PLOT_H;
    return `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}"/><text class="tick" x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${html(yLabel(t * max))}</text>`;
  });
  // Dates under the first, middle and last run: enough to read the span without overlapping.
  const marks = [...new Set([0, Math.floor((runs.length - 1) / 2), runs.length - 1])].filter((i) => i >= 0);
  const xLabels = marks.map((i) => {
    const anchor = runs.length === 1 ? 'middle' : i === 0 ? 'start' : i === runs.length - 1 ? 'end' : 'middle';
    return `<text class="tick" x="${xOf(i, runs.length)}" y="${HEIGHT - PAD.bottom + 18}" text-anchor="${anchor}">${html(day(runs[i]!.run.startedAt))}</text>`;
  });
  const legendItems = legend.map(
    ([cls, label], i) => `<rect class="${cls}" x="${PAD.left + i * 150}" y="${HEIGHT - 14}" width="12" height="12"/><text class="tick" x="${PAD.left + i * 150 + 18}" y="${HEIGHT - 4}">${html(label)}</text>`,
  );
  return (
    `<figure class="chart"><figcaption>${html(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${html(`${title}: ${description}`)}">` +
    `<title>${html(title)}</title><desc>${html(description)}</desc>` +
    ticks.join('') +
    body +
    xLabels.join('') +
    legendItems.join('') +
    `</svg></figure>`
  );
}

function polyline(cls: string, values: (number | undefined)[], max: number): string {
  // A run without a value (no score) breaks the line instead of dropping to zero.
  const segments: string[][] = [[]];
  values.forEach((v, i) => {
    if (v === undefined) segments.push([]);
    else segments[segments.length - 1]!.push(`${xOf(i, values.length).toFixed(1)},${(PAD.top + PLOT_H - (v / max) * PLOT_H).toFixed(1)}`);
  });
  return segments
    .filter((s) => s.length)
    .map((s) => (s.length === 1 ? `<circle class="${cls}" cx="${s[0]!.split(',')[0]}" cy="${s[0]!.split(',')[1]}" r="3"/>` : `<polyline class="${cls}" points="${s.join(' ')}"/>`))
    .join('');
}

/** Points with a tooltip each, when there are few enough runs to hover one. */
function points(cls: string, values: (number | undefined)[], max: number, label: (i: number) => string): string {
  if (values.length > 120) return '';
  return values
    .map((v, i) =>
      v === undefined
        ? ''
        : `<circle class="${cls}" cx="${xOf(i, values.length).toFixed(1)}" cy="${(PAD.top + PLOT_H - (v / max) * PLOT_H).toFixed(1)}" r="3"><title>${html(label(i))}</title></circle>`,
    )
    .join('');
}

export function scoreChart(runs: RunSummary[]): string {
  const scores = runs.map((r) => runScore(r.summary));
  const pct = scores.map((s) => (s === undefined ? undefined : s * 100));
  return frame(
    'Score over time',
    `passing checks as a percentage of passing and failing ones, for ${runs.length} runs; latest ${formatScore(scores[scores.length - 1])}`,
    100,
    (v) => `${Math.round(v)}%`,
    runs,
    polyline('line-score', pct, 100) +
      points('dot-score', pct, 100, (i) => `${day(runs[i]!.run.startedAt)}: ${formatScore(scores[i])}`),
    [['key-score', 'score']],
  );
}

export function countsChart(runs: RunSummary[]): string {
  const fail = runs.map((r) => r.summary.fail);
  const unknown = runs.map((r) => r.summary.unknown);
  const pass = runs.map((r) => r.summary.pass);
  const max = niceMax(Math.max(...fail, ...unknown, ...pass));
  const tip = (i: number) => {
    const s = runs[i]!.summary;
    return `${day(runs[i]!.run.startedAt)}: ${fmt(s.fail)} failing, ${fmt(s.unknown)} unknown, ${fmt(s.pass)} passing`;
  };
  return frame(
    'Failing, unknown and passing checks',
    `for ${runs.length} runs; latest ${fmt(fail[fail.length - 1] ?? 0)} failing, ${fmt(unknown[unknown.length - 1] ?? 0)} unknown, ${fmt(pass[pass.length - 1] ?? 0)} passing`,
    max,
    (v) => fmt(Math.round(v)),
    runs,
    polyline('line-pass', pass, max) + polyline('line-unknown', unknown, max) + polyline('line-fail', fail, max) + points('dot-fail', fail, max, tip),
    [
      ['key-fail', 'failing'],
      ['key-unknown', 'unknown'],
      ['key-pass', 'passing'],
    ],
  );
}

export function changesChart(runs: RunSummary[]): string {
  const added = runs.map((r) => r.changes.new + r.changes.regressed);
  const resolved = runs.map((r) => r.changes.resolved);
  const max = niceMax(Math.max(1, ...added, ...resolved));
  const half = PLOT_H / 2;
  const mid = PAD.top + half;
  const slot = PLOT_W / Math.max(1, runs.length);
  const barW = Math.max(1, Math.min(24, slot * 0.7));
  const bars = runs
    .map((r, i) => {
      const x = (PAD.left + i * slot + (slot - barW) / 2).toFixed(1);
      const up = (added[i]! / max) * half;
      const down = (resolved[i]! / max) * half;
      const tip = `${day(r.run.startedAt)}: ${fmt(added[i]!)} new or regressed, ${fmt(resolved[i]!)} resolved`;
      return (
        (up > 0 ? `<rect class="bar-new" x="${x}" y="${(mid - up).toFixed(1)}" width="${barW.toFixed(1)}" height="${up.toFixed(1)}"><title>${html(tip)}</title></rect>` : '') +
        (down > 0 ? `<rect class="bar-resolved" x="${x}" y="${mid.toFixed(1)}" width="${barW.toFixed(1)}" height="${down.toFixed(1)}"><title>${html(tip)}</title></rect>` : '')
      );
    })
    .join('');
  // The bars' runs are in slots, not on points: the date labels use the same x as the lines'
  // first and last points, close enough to read which end is which.
  return frame(
    'New and resolved failures per run',
    `for ${runs.length} runs: new or regressed failures above the middle line, resolved ones below`,
    max,
    (v) => fmt(Math.round(Math.abs(v * 2 - max))),
    runs,
    `<line class="axis" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${mid}" y2="${mid}"/>` + bars,
    [
      ['key-new', 'new or regressed'],
      ['key-resolved', 'resolved'],
    ],
  );
}
