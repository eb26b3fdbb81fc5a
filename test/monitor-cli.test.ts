// `cloudconform monitor deploy|package` through the built command: what it writes where, the
// member template's option, exit codes and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emitCloudFormation } from '../src/monitor/cloudformation';
import { emitTerraform } from '../src/monitor/terraform';
import { monitorSpec } from '../src/monitor/spec';
import { runCli } from './helpers/suppressions';

function inTemp(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'cc-monitor-cli-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('monitor deploy --emit cloudformation: the template on standard output, next steps on standard error', () =>
  inTemp((dir) => {
    const r = runCli(['monitor', 'deploy', '--emit', 'cloudformation', '--schedule', 'rate(1 day)'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, emitCloudFormation(monitorSpec({ schedule: 'rate(1 day)' })).central);
    assert.match(r.stderr, /cloudconform monitor package -o cloudconform-lambda\.zip && aws s3 cp/);
    assert.match(r.stderr, /CodeBucket=BUCKET/);
  }));

test('monitor deploy --organization: -o and --member-template written; without --member-template, exit 2 and nothing written', () =>
  inTemp((dir) => {
    const r = runCli(['monitor', 'deploy', '--emit', 'terraform', '--organization', '--respond', 'tag', '-o', 'central.tf', '--member-template', 'member/main.tf'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const expected = emitTerraform(monitorSpec({ organization: true, respond: 'tag' }));
    assert.equal(readFileSync(join(dir, 'central.tf'), 'utf8'), expected.central);
    assert.equal(readFileSync(join(dir, 'member', 'main.tf'), 'utf8'), expected.member);
    assert.match(r.stderr, /organization_id=o-/);

    const refused = runCli(['monitor', 'deploy', '--emit', 'cloudformation', '--organization', '-o', 'x.yaml'], dir);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--organization needs --member-template FILE/);
    assert.equal(existsSync(join(dir, 'x.yaml')), false);
    const same = runCli(['monitor', 'deploy', '--emit', 'cloudformation', '--accounts', '111111111111', '-o', 'y.yaml', '--member-template', './y.yaml'], dir);
    assert.equal(same.code, 2);
    assert.match(same.stderr, /the same file/);
  }));

test('monitor deploy: bad values exit 2 with the reason; --emit is required', () =>
  inTemp((dir) => {
    for (const [args, why] of [
      [['--schedule', 'rate(1 days)'], /rate\(1 day\)/],
      [['--notify', 'slack=https://hooks.slack.com/services/x'], /secret/],
      [['--role-name', 'r'], /--organization or --accounts/],
      [['--accounts', '123'], /12 digits/],
      [['--respond', 'delete'], /Allowed choices are tag, stop/],
    ] as [string[], RegExp][]) {
      const r = runCli(['monitor', 'deploy', '--emit', 'cloudformation', ...args], dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, why);
      assert.equal(r.stdout, '');
    }
    const none = runCli(['monitor', 'deploy'], dir);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--emit/);
  }));

test('monitor deploy -o refuses a symbolic link planted under the name', () =>
  inTemp((dir) => {
    writeFileSync(join(dir, 'victim'), 'keep');
    symlinkSync(join(dir, 'victim'), join(dir, 'monitor.yaml'));
    const r = runCli(['monitor', 'deploy', '--emit', 'cloudformation', '-o', 'monitor.yaml'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /symbolic link/);
    assert.equal(readFileSync(join(dir, 'victim'), 'utf8'), 'keep');
  }));

test('monitor package: writes the zip and says its size', () =>
  inTemp((dir) => {
    const r = runCli(['monitor', 'package', '-o', 'fn.zip'], dir);
    assert.equal(r.code, 0, r.stderr);
    const size = readFileSync(join(dir, 'fn.zip')).length;
    assert.match(r.stderr, new RegExp(`Wrote fn\\.zip: ${size} bytes`));
    assert.match(r.stderr, /lambda\.js/);
  }));
