// CloudFormation reads YAML 1.1 (AWS's template-formats page; cfn-lint loads templates with PyYAML,
// a YAML 1.1 reader): unquoted yes/no/on/off are booleans, 010 is octal. A YAML 1.2 reading of the
// same text decides conditions differently; plain scalars YAML 1.1 readers disagree on are unknown.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { makeTree } from './helpers/fixtures';

const CLI = new URL('../bin/cloudconform.js', import.meta.url).pathname;

/** A notebook open only when the condition Open holds. */
const template = (parameters: string, condition: string) => `Parameters:
${parameters}
Conditions:
  Open: ${condition}
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: !If [Open, Enabled, Disabled]
      SubnetId: subnet-0123456789abcdef0
`;

async function verdict(text: string): Promise<{ result: string; message: string }> {
  const t = makeTree({ 't.yaml': text });
  try {
    const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
    assert.deepEqual(report.errors, []);
    const f = report.findings.find((x) => x.resource.id === 'Nb');
    assert.ok(f);
    return { result: f.result, message: f.message };
  } finally {
    t.cleanup();
  }
}

describe('YAML 1.1 scalars, as CloudFormation reads them', () => {
  test('unquoted yes/on/True are the boolean true, whose text is "true"', async () => {
    for (const word of ['yes', 'Yes', 'YES', 'on', 'On', 'ON', 'True']) {
      const v = await verdict(template(`  Flag: { Type: String, Default: ${word} }`, "!Equals [!Ref Flag, 'true']"));
      assert.equal(v.result, 'fail', `${word}: ${v.message}`);
    }
  });

  test('unquoted no/off are false; a quoted "yes" stays text', async () => {
    assert.equal((await verdict(template('  Flag: { Type: String, Default: off }', "!Equals [!Ref Flag, 'false']"))).result, 'fail');
    assert.equal((await verdict(template('  Flag: { Type: String, Default: "yes" }', "!Equals [!Ref Flag, 'true']"))).result, 'pass');
    assert.equal((await verdict(template("  Flag: { Type: String, Default: 'on' }", "!Equals [!Ref Flag, 'on']"))).result, 'fail');
  });

  test('a boolean in a condition compares with the parameter by its text', async () => {
    assert.equal((await verdict(template("  Flag: { Type: String, Default: 'true' }", '!Equals [!Ref Flag, yes]'))).result, 'fail');
  });

  test('a YAML 1.1 octal number is not its decimal reading', async () => {
    // 010 is 8 to a YAML 1.1 reader, 10 to a YAML 1.2 one: never the 1.2 reading.
    const v = await verdict(template('  Count: { Type: String, Default: 010 }', "!Equals [!Ref Count, '10']"));
    assert.notEqual(v.result, 'pass');
    // An account id with a leading zero: a string to PyYAML, a float to SnakeYAML's resolver: unknown.
    const id = await verdict(template('  Account: { Type: String, Default: 012345678901 }', "!Equals [!Ref Account, '012345678901']"));
    assert.equal(id.result, 'unknown');
  });

  test('scalars YAML 1.1 readers disagree on (y, n, 1e3, 0b1, 1:30, 1.0) are unknown, saying why', async () => {
    for (const written of ['y', 'N', '1e3', '0b1', '1:30', '1.0', '0x1F', '1_000']) {
      const v = await verdict(template(`  Flag: { Type: String, Default: ${written} }`, "!Equals [!Ref Flag, 'x']"));
      assert.equal(v.result, 'unknown', `${written}: ${v.message}`);
      assert.match(v.message, /YAML/);
    }
  });

  test('a doubtful scalar written as a property value is unknown too', async () => {
    const text = `Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: Disabled
      SubnetId: n
  Nb2:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: !If [Cond, y, Disabled]
      SubnetId: 0x1F
Conditions:
  Cond: y
`;
    const t = makeTree({ 't.yaml': text });
    try {
      const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
      const results = Object.fromEntries(report.findings.map((f) => [f.resource.id, f.result]));
      assert.deepEqual(results, { Nb: 'unknown', Nb2: 'unknown' });
    } finally {
      t.cleanup();
    }
  });

  test('mapping keys: yes is the key "true"', async () => {
    const text = `Mappings:
  Net:
    yes: { Access: Enabled }
    other: { Access: Disabled }
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: !FindInMap [Net, 'true', Access]
      SubnetId: subnet-0123456789abcdef0
`;
    assert.equal((await verdict(text)).result, 'fail');
  });

  test('ordinary scalars are unchanged: decimal numbers, 2010-09-09, quoted text', async () => {
    const v = await verdict(
      `AWSTemplateFormatVersion: 2010-09-09\n` +
        template("  Size: { Type: Number, Default: 20 }\n  Ratio: { Type: String, Default: 1.5 }", "!Or [!Equals [!Ref Size, '21'], !Equals [!Ref Ratio, '2.5']]"),
    );
    assert.equal(v.result, 'pass', v.message);
  });

  test('CLI: Default: yes compared with "true" opens the notebook (exit 1)', () => {
    const t = makeTree({ 't.yaml': template('  Flag: { Type: String, Default: yes }', "!Equals [!Ref Flag, 'true']") });
    try {
      const r = spawnSync(process.execPath, [CLI, 'scan', join(t.root, 't.yaml')], { encoding: 'utf8' });
      assert.equal(r.status, 1, r.stdout + r.stderr);
    } finally {
      t.cleanup();
    }
  });
});
