// `cloudconform report --html` as a person sees it: the built CLI writes the file from real scans
// (JSON reports given as files, and the history), and Debian's chromium (driven by playwright-core,
// installed by test/helpers/chromium.ts when missing) opens it. Every page is watched: a dialog, a
// request for anything but the file itself, a console error (a Content-Security-Policy violation
// is one) or a script error fails the test. Screenshots go to test-output/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './helpers/chromium';

// What page.evaluate's functions use, typed loosely: the project's TypeScript has no DOM library.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'cloudconform.js');
const SHOTS = join(ROOT, 'test-output', 'screenshots');

/** Names a template can give a resource, each an attack on a report that isn't escaped. */
const HOSTILE = [
  '<script>alert(1)</script>',
  `a"b'c<img src=x onerror=alert(2)>`,
  'line\nbreak',
  "=cmd|' /C calc'!A0",
  '\u001b[31mred\u001b[0m',
  '</script><script>alert(3)</script>',
  'x\u2028y<!--',
] as const;

const notebook = (name: string, passing: boolean) =>
  [
    `  ${JSON.stringify(name)}:`,
    '    Type: AWS::SageMaker::NotebookInstance',
    '    Properties:',
    '      InstanceType: ml.t3.medium',
    '      RoleArn: arn:aws:iam::111122223333:role/nb',
    ...(passing ? ['      SubnetId: subnet-1', '      DirectInternetAccess: Disabled'] : []),
  ].join('\n');

let work: string;
let browser: Browser;
let env: NodeJS.ProcessEnv;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'cc-html-'));
  env = { ...process.env, XDG_DATA_HOME: join(work, 'data'), NO_COLOR: '1' };
  delete env.CLOUDCONFORM_DB;
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env, maxBuffer: 1 << 30 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function repo(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(join(dir, '.git'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

interface Watched {
  page: Page;
  dialogs: string[];
  requests: string[];
  errors: string[];
}

/** Opens the report with every dialog, request, console error and script error recorded. */
async function open(file: string): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(file).href;
  const w: Watched = { page, dialogs: [], requests: [], errors: [] };
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') w.errors.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(e.message));
  // A request the CSP blocks still fires 'request' (then 'requestfailed' with "csp"): what counts is
  // one that reached the network (the route sees it) or completed.
  page.on('requestfinished', (r) => {
    if (r.url() !== url) w.requests.push(r.url());
  });
  await page.route('**', (route) => {
    if (route.request().url() === url) return route.continue();
    w.requests.push(route.request().url());
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return w;
}

function assertClean(w: Watched): void {
  assert.deepEqual(w.dialogs, [], 'no dialog opened');
  assert.deepEqual(w.requests, [], 'no request made');
  assert.deepEqual(w.errors, [], 'no console error (a CSP violation would be one)');
}

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

async function shownRows(page: Page, section: string): Promise<number> {
  return Number(await page.locator(`#${section}`).getAttribute('data-shown'));
}

test('report --html from JSON report files: the counts, a filter that narrows the table, hostile names shown as text, no dialog, request or CSP violation', async () => {
  const dir = repo('hostile', {
    'notebooks.yaml': ['Resources:', ...HOSTILE.map((n) => notebook(n, false)), notebook('Safe', true), ''].join('\n'),
    // A file name is shown too.
    'x"><svg onload=alert(4)>.yaml': ['Resources:', notebook('InOddFile', false), ''].join('\n'),
  });
  const scan = cli(['scan', '.', '--format', 'json', '--no-history'], dir);
  assert.equal(scan.code, 1, scan.stderr);
  const json = JSON.parse(scan.stdout);
  assert.equal(json.summary.fail, HOSTILE.length + 1);
  writeFileSync(join(work, 'hostile.json'), scan.stdout);

  // Folders are made; the file is readable by others (0644).
  const out = join(work, 'out', 'nested', 'posture.html');
  const r = cli(['report', '--html', out, join(work, 'hostile.json')], work);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(statSync(out).mode & 0o777, 0o644);

  const w = await open(out);
  const { page } = w;
  await page.screenshot({ path: join(SHOTS, 'report-files.png'), fullPage: true });
  assert.equal(await text(page, 'h1'), 'Cloud security posture report');
  assert.equal(await text(page, '#count-fail'), String(HOSTILE.length + 1));
  assert.equal(await text(page, '#count-pass'), '1');
  assert.equal(await text(page, '#score'), '11.1%'); // 1 ÷ (1 + 8)
  assert.match(await text(page, '#score-definition'), /passing ÷ \(passing \+ failing\) = 1 ÷ 9/);
  assert.equal(await text(page, '#findings .status'), 'Showing all 9 rows');

  // The hostile names are in the table as text, each exactly once, and made nothing.
  const cells = await page.locator('#findings tbody tr td:nth-child(4)').allInnerTexts();
  const all = cells.join('\n');
  assert.ok(all.includes('<script>alert(1)</script>'), all);
  assert.ok(all.includes(`a"b'c<img src=x onerror=alert(2)>`), all);
  assert.ok(all.includes("=cmd|' /C calc'!A0"), all);
  assert.ok(all.includes('</script><script>alert(3)</script>'), all);
  // Control characters are written out, not acted on: one row per name, the escape visible.
  assert.ok(all.includes('line\\x0abreak'), all);
  assert.ok(all.includes('\\x1b[31mred\\x1b[0m'), all);
  assert.ok(all.includes('x\\u2028y<!--'), all);
  assert.equal(await page.locator('#findings tbody img, #findings tbody svg, #findings tbody script').count(), 0);
  // Only the report's two script elements exist, and the page's DOM has no element from a name.
  assert.equal(await page.locator('script').count(), 2);
  assert.equal(await page.locator('img').count(), 0);
  assert.match(await page.locator('#findings tbody').innerText(), /x"><svg onload=alert\(4\)>\.yaml/);

  // A filter narrows the table: passing only, then a search.
  await page.selectOption('#findings select[data-filter="verdict"]', 'passing');
  assert.equal(await shownRows(page, 'findings'), 1);
  assert.equal(await page.locator('#findings tbody tr').count(), 1);
  assert.equal(await text(page, '#findings tbody tr td:nth-child(1)'), 'Pass');
  assert.equal(await text(page, '#findings .status'), 'Showing 1 of 9 rows (filtered)');
  await page.selectOption('#findings select[data-filter="verdict"]', '');
  await page.fill('#findings input[data-filter="search"]', 'onerror');
  assert.equal(await shownRows(page, 'findings'), 1);
  await page.screenshot({ path: join(SHOTS, 'report-files-search.png'), fullPage: false });

  // Sorting by a column heading: code-unit order (the tool's one order), then reversed.
  await page.fill('#findings input[data-filter="search"]', '');
  const names = async () => (await page.locator('#findings tbody tr td:nth-child(4)').allInnerTexts()).map((t) => t.split('\n')[0]!);
  await page.click('#findings th[data-sort="resource"] button');
  const ascending = await names();
  assert.equal(ascending.length, 9);
  assert.deepEqual(ascending, [...ascending].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  assert.equal(await page.locator('#findings th[data-sort="resource"]').getAttribute('aria-sort'), 'ascending');
  await page.click('#findings th[data-sort="resource"] button');
  assert.deepEqual(await names(), [...ascending].reverse());

  // The rule's knowledge-base page is there, rendered.
  await page.click('#rule-SageMaker-004 > summary');
  assert.match(await page.locator('#rule-SageMaker-004').innerText(), /How cloudconform decides/);
  assert.ok((await page.locator('#rule-SageMaker-004 table.md tr').count()) > 3);
  // Every standard is listed, with SageMaker-004's requirements failing.
  assert.match(await page.locator('text=PCI DSS').first().innerText(), /PCI DSS/);
  assertClean(w);
  await page.close();
});

test('the Content-Security-Policy is in force: a script injected into the page does not run, and the violation is seen', async () => {
  // The positive control for the "no CSP violation" checks: they would see one if it happened.
  const out = join(work, 'csp.html');
  const dir = repo('csp', { 't.yaml': ['Resources:', notebook('One', false), ''].join('\n') });
  writeFileSync(join(work, 'csp.json'), cli(['scan', '.', '--format', 'json', '--no-history'], dir).stdout);
  assert.equal(cli(['report', '--html', out, join(work, 'csp.json')], work).code, 0);
  const w = await open(out);
  assert.match((await w.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'))!, /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]+='; style-src 'sha256-/);
  const attempt = await w.page.evaluate(async () => {
    const out = { ran: false, innerHtmlThrew: false };
    // An inline script added to the page: not in the policy's hashes (setting its text may itself
    // be refused by Trusted Types).
    try {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.appendChild(s);
    } catch {
      // refused
    }
    // Markup through innerHTML: Trusted Types with no policy refuse the string.
    try {
      document.body.insertAdjacentElement('beforeend', document.createElement('div')).innerHTML = '<b>x</b>';
    } catch {
      out.innerHtmlThrew = true;
    }
    // An image from the network: blocked by img-src before any request is made.
    const img = document.createElement('img');
    img.setAttribute('src', 'https://example.invalid/pixel.png');
    document.body.appendChild(img);
    await new Promise((r) => setTimeout(r, 200));
    out.ran = window.__injected === true;
    return out;
  });
  assert.deepEqual(attempt, { ran: false, innerHtmlThrew: true });
  assert.ok(w.errors.some((e) => /TrustedScript|Content Security Policy.*script/i.test(e)), w.errors.join('\n'));
  assert.ok(w.errors.some((e) => /img-src/i.test(e)), w.errors.join('\n'));
  assert.deepEqual(w.requests, [], `the image was not requested: ${w.requests.join(', ')}`);
  await w.page.close();
});

test('report --html from the history: trend charts over the recorded runs, new and resolved since the previous run', async () => {
  const db = join(work, 'history.db');
  const dir = repo('service', {
    'a.yaml': ['Resources:', notebook('Alpha', false), notebook('Beta', false), notebook('Gamma', true), ''].join('\n'),
  });
  // Run 1: two failing. Run 2: Alpha fixed, Delta new. Run 3: Beta gone (its file still read).
  assert.equal(cli(['scan', '.', '--db', db, '-q'], dir).code, 1);
  writeFileSync(join(dir, 'a.yaml'), ['Resources:', notebook('Alpha', true), notebook('Beta', false), notebook('Gamma', true), notebook('Delta', false), ''].join('\n'));
  assert.equal(cli(['scan', '.', '--db', db, '-q'], dir).code, 1);
  writeFileSync(join(dir, 'a.yaml'), ['Resources:', notebook('Alpha', true), notebook('Gamma', true), notebook('Delta', false), ''].join('\n'));
  assert.equal(cli(['scan', '.', '--db', db, '-q'], dir).code, 1);

  const out = join(work, 'history.html');
  const r = cli(['report', '--html', out, '--db', db], work);
  assert.equal(r.code, 0, r.stderr);
  const w = await open(out);
  const { page } = w;
  await page.screenshot({ path: join(SHOTS, 'report-history.png'), fullPage: true });
  // Three charts, one point per run on the score line.
  assert.equal(await page.locator('figure.chart svg').count(), 3);
  assert.match(await text(page, 'figure.chart figcaption'), /Score over time/);
  assert.equal(await page.locator('figure.chart').first().locator('circle.dot-score').count(), 3);
  assert.match((await page.locator('figure.chart svg').first().getAttribute('aria-label'))!, /3 runs; latest 66\.6%/);
  assert.match(await page.locator('p', { hasText: 'recorded runs of' }).innerText(), /3 recorded runs of \. \(scope scan:\S*\/service\)/);
  // Since run 2: Beta resolved (gone), nothing new.
  const changes = await page.locator('#change-counts tbody').innerText();
  assert.match(changes, /Resolved\t1\t/);
  assert.match(changes, /New\t0\t/);
  assert.match(changes, /Still failing\t1\t/);
  await page.selectOption('#changes select[data-filter="change"]', { label: 'Resolved' });
  assert.equal(await shownRows(page, 'changes'), 1);
  assert.match(await text(page, '#changes tbody tr'), /^Resolved\tGone \(no longer found\)\tMedium\tSageMaker-004\tBeta/);
  // The findings table says what changed for each finding.
  await page.fill('#findings input[data-filter="search"]', 'Delta');
  assert.match(await text(page, '#findings tbody tr'), /Still failing/);
  assertClean(w);
  await page.close();

  // --run: the report of the second run, whose trend ends there and whose changes are its own.
  const runs = JSON.parse(cli(['history', '--db', db, '--format', 'json'], work).stdout).runs as { run: { id: string } }[];
  const second = runs[1]!.run.id;
  const out2 = join(work, 'history-2.html');
  assert.equal(cli(['report', '--html', out2, '--db', db, '--run', second], work).code, 0);
  const w2 = await open(out2);
  assert.equal(await w2.page.locator('figure.chart').first().locator('circle.dot-score').count(), 2);
  const changes2 = await w2.page.locator('#change-counts tbody').innerText();
  assert.match(changes2, /New\t1\t/);
  assert.match(changes2, /Resolved\t1\t/);
  assertClean(w2);
  await w2.page.close();
});

test('50,000 findings: filtering, searching and sorting the table stay under 500 ms (about 20–70 ms on an idle machine)', async (t) => {
  const files: Record<string, string> = {};
  for (let f = 0; f < 10; f++) {
    const lines = ['Resources:'];
    for (let i = 0; i < 5000; i++) {
      const n = f * 5000 + i;
      lines.push(
        `  Nb${n}:`,
        '    Type: AWS::SageMaker::NotebookInstance',
        '    Properties:',
        '      InstanceType: ml.t3.medium',
        '      RoleArn: arn:aws:iam::111122223333:role/nb',
        ...(n % 3 === 0 ? ['      SubnetId: subnet-1', '      DirectInternetAccess: Disabled'] : n % 3 === 1 ? ['      DirectInternetAccess: !ImportValue shared-setting'] : []),
      );
    }
    files[`t${f}.yaml`] = lines.join('\n') + '\n';
  }
  const dir = repo('large', files);
  const scan = cli(['scan', '.', '--format', 'json', '--no-history'], dir);
  assert.equal(scan.code, 1, scan.stderr);
  writeFileSync(join(work, 'large.json'), scan.stdout);
  const out = join(work, 'large.html');
  let started = Date.now();
  const r = cli(['report', '--html', out, join(work, 'large.json')], work);
  const writeMs = Date.now() - started;
  assert.equal(r.code, 0, r.stderr);

  started = Date.now();
  const w = await open(out);
  const { page } = w;
  await page.waitForSelector('#findings tbody tr');
  const loadMs = Date.now() - started;
  assert.equal(await text(page, '#findings .status'), 'Showing all 50,000 rows');
  assert.equal(await page.locator('#findings tbody tr').count(), 100); // one page

  // Each action timed in the page, from the event to the table drawn and laid out.
  const timed = (action: string) =>
    page.evaluate((a) => {
      const started = performance.now();
      const section = document.getElementById('findings');
      const [kind, name, value] = a.split(':') as [string, string, string];
      if (kind === 'select' || kind === 'input') {
        const c = section.querySelector(`[data-filter="${name}"]`);
        c.value = value;
        c.dispatchEvent(new Event(kind === 'select' ? 'change' : 'input'));
      } else section.querySelector(`th[data-sort="${name}"] button`).click();
      void document.body.offsetHeight;
      return performance.now() - started;
    }, action);
  const ms: Record<string, number> = {};
  ms.failing = await timed('select:verdict:failing');
  assert.equal(await shownRows(page, 'findings'), 16666);
  ms.rule = await timed('select:rule:' + (await page.locator('#findings select[data-filter="rule"] option').nth(1).getAttribute('value')));
  assert.equal(await shownRows(page, 'findings'), 16666);
  ms.searchFirst = await timed('input:search:nb4999');
  // Nb4999 and Nb49990–Nb49999 match; the failing ones (n % 3 = 2): Nb49991, Nb49994, Nb49997.
  assert.equal(await shownRows(page, 'findings'), 3);
  ms.searchAgain = await timed('input:search:nb1');
  ms.clear = await timed('select:verdict:');
  ms.sortResource = await timed('sort:resource');
  ms.sortResourceDesc = await timed('sort:resource');
  ms.searchCleared = await timed('input:search:');
  assert.equal(await shownRows(page, 'findings'), 50000);
  await page.screenshot({ path: join(SHOTS, 'report-50000.png') });
  const html = statSync(out).size;
  t.diagnostic(`50,000 findings: report --html ${writeMs} ms, ${(html / 1e6).toFixed(1)} MB; page load ${loadMs} ms; ${Object.entries(ms).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}`);
  for (const [k, v] of Object.entries(ms)) assert.ok(v < 500, `${k} took ${v.toFixed(0)} ms`);
  assertClean(w);
  await page.close();
});

test('report --html refuses to write through a symbolic link, leaves its target alone, and says so (exit 2)', () => {
  const dir = repo('link', { 't.yaml': ['Resources:', notebook('One', false), ''].join('\n') });
  writeFileSync(join(work, 'link.json'), cli(['scan', '.', '--format', 'json', '--no-history'], dir).stdout);
  const target = join(work, 'precious.txt');
  writeFileSync(target, 'keep me\n');
  const link = join(work, 'planted.html');
  symlinkSync(target, link);
  const r = cli(['report', '--html', link, join(work, 'link.json')], work);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /planted\.html is a symbolic link: the report is not written through one/);
  assert.equal(readFileSync(target, 'utf8'), 'keep me\n');
  assert.ok(lstatSync(link).isSymbolicLink());
  // No temporary file left beside it.
  assert.deepEqual(
    (spawnSync('ls', ['-A', work], { encoding: 'utf8' }).stdout.split('\n') as string[]).filter((n) => n.endsWith('.tmp')),
    [],
  );
});
