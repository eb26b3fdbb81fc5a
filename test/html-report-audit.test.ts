// `cloudconform report --html` of a live audit (the built CLI against moto server, recorded in a
// scratch history), opened in Debian's chromium: the accounts and regions a person sees, a region
// filter that narrows the table, and a notebook name from the API shown as text.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MOTO_DEFAULT_ACCOUNT } from './aws/fault-proxy';
import { seed, mixedNotebooks } from './aws/seed';
import { useAuditEmulator, runCli } from './aws/audit-helpers';
import { PROJECT_ROOT } from './aws/venv';
import { launchChromium } from './helpers/chromium';

const SHOTS = join(PROJECT_ROOT, 'test-output', 'screenshots');
// moto accepts names AWS would refuse: an API answer is as untrusted as a template.
const HOSTILE = '<script>alert(1)</script>';

const emulator = useAuditEmulator({
  seed: (moto) =>
    seed(moto.endpoint, [
      { region: 'us-east-1', notebooks: [...mixedNotebooks('use1', 7), { name: HOSTILE, access: 'Enabled' }] },
      {
        region: 'eu-west-1',
        notebooks: [
          { name: 'euw1-private-a', access: 'Disabled', inSubnet: true },
          { name: 'euw1-public-b', access: 'Enabled' },
        ],
      },
    ]),
});

const work = mkdtempSync(join(tmpdir(), 'cc-html-audit-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('report --html of a recorded audit: accounts and regions counted, a region filter narrowing the table, an API name shown as text', async () => {
  const env = { XDG_DATA_HOME: join(work, 'data') };
  const audit = await runCli(['audit', '--endpoint-url', emulator.proxy.endpoint, '--regions', 'us-east-1,eu-west-1', '-q'], { env, cwd: work });
  // The hostile name is one no DescribeNotebookInstance would take: not described (no call made
  // with it), reported unknown with an error entry, so the audit is incomplete (exit 2).
  assert.equal(audit.code, 2, audit.stderr);
  assert.match(audit.stderr, /not described: .* is not a valid notebook instance id/);
  const out = join(work, 'audit.html');
  const r = await runCli(['report', '--html', out], { env, cwd: work });
  assert.equal(r.code, 0, r.stderr);

  mkdirSync(SHOTS, { recursive: true });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = pathToFileURL(out).href;
    const dialogs: string[] = [];
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**', (route) => {
      if (route.request().url() === url) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    await page.goto(url);
    await page.screenshot({ path: join(SHOTS, 'report-audit.png'), fullPage: true });

    // The accounts and regions tables, with the failing counts the audit found.
    const regions = await page.locator('h3:text("Regions") + table tbody').innerText();
    assert.match(regions, /^eu-west-1\t50\.0%\t1\t0\t1\t0/m);
    assert.match(regions, /^us-east-1\t/m);
    const accounts = await page.locator('h3:text("Accounts") + table tbody').innerText();
    assert.match(accounts, new RegExp(`^${MOTO_DEFAULT_ACCOUNT}\\t`, 'm'));

    // The region filter narrows the table to eu-west-1's two notebooks.
    const total = Number(await page.locator('#findings').getAttribute('data-shown'));
    assert.ok(total >= 10, String(total));
    await page.selectOption('#findings select[data-filter="region"]', { label: 'eu-west-1' });
    assert.equal(await page.locator('#findings').getAttribute('data-shown'), '2');
    const where = await page.locator('#findings tbody tr td:nth-child(5)').allInnerTexts();
    assert.deepEqual(where, [`${MOTO_DEFAULT_ACCOUNT} / eu-west-1`, `${MOTO_DEFAULT_ACCOUNT} / eu-west-1`]);
    // So does the regions table's button, after the filter is cleared.
    await page.selectOption('#findings select[data-filter="region"]', '');
    assert.equal(Number(await page.locator('#findings').getAttribute('data-shown')), total);
    await page.locator('h3:text("Regions") + table tr:has-text("eu-west-1") button.show').click();
    assert.equal(await page.locator('#findings').getAttribute('data-shown'), '2');

    // The notebook named like a script is a row's text, and ran nothing.
    await page.selectOption('#findings select[data-filter="region"]', '');
    await page.fill('#findings input[data-filter="search"]', 'alert');
    assert.equal(await page.locator('#findings').getAttribute('data-shown'), '1');
    assert.match(await page.locator('#findings tbody tr td:nth-child(4)').innerText(), /^<script>alert\(1\)<\/script>/);
    assert.equal(await page.locator('script').count(), 2);
    assert.deepEqual({ dialogs, requests, errors }, { dialogs: [], requests: [], errors: [] });
  } finally {
    await browser.close();
  }
});
