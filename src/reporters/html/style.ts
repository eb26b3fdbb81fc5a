// The report's stylesheet, inline (its hash is in the Content-Security-Policy). System fonts only:
// the file loads nothing.
export const STYLE = `
:root { --fail: #b3261e; --pass: #1e7a34; --unknown: #8a5a00; --muted: #5f6368; --line: #d9dce1; --bg-soft: #f5f6f8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; border-bottom: 1px solid var(--line); }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 17px; margin: 24px 0 6px; }
.muted, .explain { color: var(--muted); }
.explain { max-width: 80ch; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
pre { background: var(--bg-soft); padding: 10px; overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px 4px 0; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 140px; }
.card .value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .label { color: var(--muted); font-size: 13px; }
.v-fail { color: var(--fail); font-weight: 600; }
.v-pass { color: var(--pass); }
.v-unknown { color: var(--unknown); font-weight: 600; }
.v-suppressed, .v-not-assessed { color: var(--muted); }
dl.verdicts dt { font-weight: 600; }
dl.verdicts dd { margin: 0 0 8px 20px; }
figure.chart { margin: 12px 0 20px; max-width: 780px; }
figure.chart figcaption { font-weight: 600; }
figure.chart svg { width: 100%; height: auto; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { stroke: #888; stroke-width: 1; }
svg .tick { font-size: 11px; fill: var(--muted); }
svg polyline { fill: none; stroke-width: 2; }
svg .line-score, svg .line-fail { stroke: var(--fail); }
svg .line-score { stroke: #1a5fb4; }
svg .line-pass { stroke: var(--pass); }
svg .line-unknown { stroke: var(--unknown); }
svg .dot-score, svg .key-score { fill: #1a5fb4; }
svg .dot-fail, svg .key-fail, svg .bar-new, svg .key-new { fill: var(--fail); }
svg .key-pass, svg .bar-resolved, svg .key-resolved { fill: var(--pass); }
svg .key-unknown { fill: var(--unknown); }
.controls { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: end; margin: 8px 0; }
.controls label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.controls select, .controls input { font: inherit; font-size: 14px; padding: 3px 4px; max-width: 260px; }
.findings { width: 100%; table-layout: fixed; }
.findings th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
.findings th[aria-sort="ascending"] button::after { content: " \\25B2"; }
.findings th[aria-sort="descending"] button::after { content: " \\25BC"; }
.findings td { overflow-wrap: anywhere; font-size: 14px; }
.findings col.c-verdict { width: 8em; } .findings col.c-risk { width: 6em; } .findings col.c-rule { width: 9em; }
.findings col.c-change { width: 9em; } .findings col.c-where { width: 15%; } .findings col.c-resource { width: 18%; }
.findings .sub { display: block; color: var(--muted); font-size: 12px; }
.pager { display: flex; gap: 8px; align-items: center; margin: 6px 0 16px; }
.pager button { font: inherit; font-size: 13px; }
.status { font-weight: 600; }
.kb { border: 1px solid var(--line); border-radius: 6px; padding: 0 16px 8px; margin: 12px 0; }
.kb > summary { cursor: pointer; font-weight: 600; padding: 10px 0; }
table.md td, table.md th { font-size: 14px; }
details.req > summary { cursor: pointer; }
.problems li { overflow-wrap: anywhere; }
button.show { font-size: 12px; }
@media print { .controls, .pager, button.show { display: none; } }
`;
