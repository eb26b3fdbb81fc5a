// `remediate plan --emit`: every value in the plan comes from AWS (names, tags, lifecycle
// configuration, KMS key, role, repositories) or the command line, and an emulated or hostile API
// can answer anything. Property: for random strings (any Unicode but NUL, with line breaks,
// quotes, `$(...)`, `${...}`, `%{...}`), the CLI script run by bash passes exactly the value to the
// AWS CLI (a stand-in `aws` records its arguments), the Terraform parses with our HCL parser to
// exactly the value, and the CloudFormation YAML loads to exactly the value (YAML 1.2 and 1.1
// readings, and js-yaml); no value starts a line of its own in any of them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { load as loadJsYaml } from 'js-yaml';
import { emitReplacement } from '../../src/remediation/live/emit';
import type { NotebookRemediationPlan } from '../../src/remediation/live/plan';
import { TEST_PLAN } from '../../src/remediation/live/test-plan';
import { parseHcl } from '../../src/sources/terraform/hcl/parser';
import type { Expr } from '../../src/sources/terraform/hcl/ast';

const work = mkdtempSync(join(tmpdir(), 'cc-emit-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Any Unicode text but NUL (no shell word can hold it), with the characters that break out of quotes and lines likely. */
const hostile = fc
  .oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }) },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.constantFrom('\n', '\r', '\t', '\u0085', '\u2028', '\u2029', '\u001b', "'", '"', '`', '$(', '${', '%{', '}', '\\', '#', ': ', '- ', '!Ref ', 'yes', '~', 'a', ' '), { minLength: 1, maxLength: 10 })
        .map((parts) => parts.join('')),
    },
  )
  .filter((s) => !s.includes('\u0000'));

interface Hostile {
  source: string;
  replacement: string;
  lifecycle: string;
  kms: string;
  tagKey: string;
  tagValue: string;
  repo: string;
}

function hostilePlan(h: Hostile): NotebookRemediationPlan {
  return {
    ...TEST_PLAN,
    source: { ...TEST_PLAN.source, name: h.source },
    replacement: {
      ...TEST_PLAN.replacement,
      NotebookInstanceName: h.replacement,
      LifecycleConfigName: h.lifecycle,
      KmsKeyId: h.kms,
      DefaultCodeRepository: h.repo,
      AdditionalCodeRepositories: [h.repo, h.kms],
      Tags: [
        { Key: h.tagKey, Value: h.tagValue },
        { Key: 'cloudconform:remediated-from', Value: h.source },
      ],
    },
  };
}

const hostileRecord = fc.record({ source: hostile, replacement: hostile, lifecycle: hostile, kms: hostile, tagKey: hostile, tagValue: hostile, repo: hostile });

// A stand-in for the AWS CLI: each call appends its argument count and each argument, length-prefixed in bytes.
const fakeBin = join(work, 'bin');
spawnSync('mkdir', ['-p', fakeBin]);
writeFileSync(join(fakeBin, 'aws'), '#!/bin/bash\nexport LC_ALL=C\n{ printf \'%d\\n\' "$#"; for a in "$@"; do printf \'%d:%s\' "${#a}" "$a"; done; } >>"$CC_FAKE_LOG"\n');
chmodSync(join(fakeBin, 'aws'), 0o755);

function awsCalls(log: Buffer): string[][] {
  const calls: string[][] = [];
  let at = 0;
  while (at < log.length) {
    const nl = log.indexOf(0x0a, at);
    const count = Number(log.subarray(at, nl).toString());
    at = nl + 1;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const colon = log.indexOf(0x3a, at);
      const len = Number(log.subarray(at, colon).toString());
      args.push(log.subarray(colon + 1, colon + 1 + len).toString('utf8'));
      at = colon + 1 + len;
    }
    calls.push(args);
  }
  return calls;
}

function argAfter(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

let run = 0;
function runCliScript(script: string): string[][] {
  const file = join(work, `emit-${run}.sh`);
  const log = join(work, `emit-${run++}.log`);
  writeFileSync(file, script);
  writeFileSync(log, '');
  const result = spawnSync('bash', [file], { encoding: 'utf8', cwd: work, env: { PATH: `${fakeBin}:/usr/bin:/bin`, CC_FAKE_LOG: log, DELETE_SOURCE: 'yes' } });
  assert.equal(result.status, 0, result.stderr);
  return awsCalls(readFileSync(log));
}

test('property: the emitted CLI script, run by bash, passes every hostile value to the AWS CLI exactly, and runs nothing else', () => {
  fc.assert(
    fc.property(hostileRecord, (h) => {
      const calls = runCliScript(emitReplacement(hostilePlan(h), 'cli'));
      const create = calls.find((c) => c[1] === 'create-notebook-instance');
      assert.ok(create, JSON.stringify(calls));
      assert.equal(argAfter(create, '--notebook-instance-name'), h.replacement);
      assert.equal(argAfter(create, '--lifecycle-config-name'), h.lifecycle);
      assert.equal(argAfter(create, '--kms-key-id'), h.kms);
      assert.equal(argAfter(create, '--default-code-repository'), h.repo);
      const repos = create.indexOf('--additional-code-repositories');
      assert.deepEqual(create.slice(repos + 1, repos + 3), [h.repo, h.kms]);
      assert.deepEqual(JSON.parse(argAfter(create, '--tags')!), [
        { Key: h.tagKey, Value: h.tagValue },
        { Key: 'cloudconform:remediated-from', Value: h.source },
      ]);
      const deletes = calls.filter((c) => c[1] === 'delete-notebook-instance');
      assert.deepEqual(deletes.map((c) => argAfter(c, '--notebook-instance-name')), [h.source]);
      // Only AWS CLI calls ran: create, wait, describe, stop, wait, delete, wait.
      assert.ok(calls.every((c) => c[0] === 'sagemaker'), JSON.stringify(calls));
    }),
    { numRuns: 60 },
  );
});

/** A quoted HCL string's value (no interpolation may appear). */
function hclValue(expr: Expr): string {
  assert.equal(expr.kind, 'template', `a quoted string, not ${expr.kind}`);
  if (expr.kind !== 'template') return '';
  return expr.parts
    .map((p) => {
      assert.equal(p.kind, 'text', 'no interpolation or directive');
      return p.kind === 'text' ? p.value : '';
    })
    .join('');
}

test('property: the emitted Terraform parses with our HCL parser to exactly the hostile values, with no interpolation', () => {
  fc.assert(
    fc.property(hostileRecord, (h) => {
      const tf = emitReplacement(hostilePlan(h), 'terraform');
      const file = parseHcl(tf);
      const resource = file.body.blocks.find((b) => b.type === 'resource');
      assert.ok(resource);
      const attr = (name: string) => resource.body.attributes.find((a) => a.name === name)!.expr;
      assert.equal(hclValue(attr('name')), h.replacement);
      assert.equal(hclValue(attr('lifecycle_config_name')), h.lifecycle);
      assert.equal(hclValue(attr('kms_key_id')), h.kms);
      assert.equal(hclValue(attr('default_code_repository')), h.repo);
      const tags = attr('tags');
      assert.equal(tags.kind, 'object');
      if (tags.kind === 'object') {
        assert.deepEqual(
          tags.items.map((i) => [hclValue(i.key), hclValue(i.value)]),
          [
            [h.tagKey, h.tagValue],
            ['cloudconform:remediated-from', h.source],
          ],
        );
      }
      // Comments hold the source name escaped: every comment is one line of its own.
      for (const c of file.comments) assert.doesNotMatch(c.text, /[\n\r\u2028\u2029\u0085]/);
    }),
    { numRuns: 150 },
  );
});

test('property: the emitted CloudFormation loads to exactly the hostile values (YAML 1.2, YAML 1.1 as CloudFormation reads it, js-yaml)', () => {
  fc.assert(
    fc.property(hostileRecord, (h) => {
      const text = emitReplacement(hostilePlan(h), 'cloudformation');
      for (const [reader, load] of [
        ['yaml 1.2', (t: string) => parseYaml(t)],
        ['yaml 1.1', (t: string) => parseYaml(t, { version: '1.1' })],
        ['js-yaml', (t: string) => loadJsYaml(t)],
      ] as const) {
        const template = load(text) as { Description: string; Resources: { NotebookInstance: { Properties: Record<string, unknown> } } };
        const p = template.Resources.NotebookInstance.Properties;
        assert.equal(p.NotebookInstanceName, h.replacement, reader);
        assert.equal(p.LifecycleConfigName, h.lifecycle, reader);
        assert.equal(p.KmsKeyId, h.kms, reader);
        assert.equal(p.DefaultCodeRepository, h.repo, reader);
        assert.deepEqual(p.AdditionalCodeRepositories, [h.repo, h.kms], reader);
        assert.deepEqual(p.Tags, [
          { Key: h.tagKey, Value: h.tagValue },
          { Key: 'cloudconform:remediated-from', Value: h.source },
        ], reader);
        assert.ok(template.Description.includes(h.source), reader);
        assert.equal(p.DirectInternetAccess, 'Disabled', reader);
      }
    }),
    { numRuns: 150 },
  );
});

test('a name with a newline and a command cannot add a line to any emitted file', () => {
  const evil = 'nb\nrm -rf ~ #\r\u2028x';
  for (const format of ['cli', 'terraform', 'cloudformation'] as const) {
    const text = emitReplacement(hostilePlan({ source: evil, replacement: evil, lifecycle: 'lc', kms: 'k', tagKey: 't', tagValue: evil, repo: 'r' }), format);
    assert.doesNotMatch(text, /^rm -rf/m, format);
  }
  // NUL can't be a shell word: the CLI script is refused rather than cut short.
  assert.throws(() => emitReplacement(hostilePlan({ source: 'nb', replacement: 'a\u0000b', lifecycle: 'lc', kms: 'k', tagKey: 't', tagValue: 'v', repo: 'r' }), 'cli'), /NUL/);
});
