// Fn::ForEach (AWS::LanguageExtensions) may stand in a resource's Properties and generate property
// keys (AWS's Fn::ForEach reference: "used within the Conditions, Outputs, and Resources (including
// the resource properties) sections"). A loop that generated DirectInternetAccess: Enabled beside
// an explicit Disabled was ignored: pass. What a loop in Properties generates is unknown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { makeTree } from './helpers/fixtures';
import { TemplateResolver } from '../src/sources/cloudformation/resolve';

async function verdicts(text: string): Promise<{ result: string; message: string }[]> {
  const t = makeTree({ 't.yaml': text });
  try {
    const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
    assert.deepEqual(report.errors, []);
    return report.findings.map((f) => ({ result: f.result, message: f.message }));
  } finally {
    t.cleanup();
  }
}

const notebook = (properties: string) => `Transform: AWS::LanguageExtensions
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      SubnetId: subnet-0123456789abcdef0
${properties}`;

test('a Fn::ForEach in Properties generating the key written beside it is unknown, not pass', async () => {
  const found = await verdicts(
    notebook(`      DirectInternetAccess: Disabled
      Fn::ForEach::Open:
        - Key
        - [DirectInternetAccess]
        - '\${Key}': Enabled
`),
  );
  assert.equal(found.length, 1);
  assert.equal(found[0]!.result, 'unknown');
  assert.match(found[0]!.message, /Fn::ForEach/);
});

test('a Fn::ForEach in Properties generating the only DirectInternetAccess is unknown, not fail-by-default or pass', async () => {
  const found = await verdicts(
    notebook(`      Fn::ForEach::Access:
        - Key
        - [Direct]
        - '\${Key}InternetAccess': Disabled
`),
  );
  assert.equal(found[0]!.result, 'unknown');
});

test('a loop in Properties that cannot make the property leaves it read as written', async () => {
  const found = await verdicts(
    notebook(`      DirectInternetAccess: Disabled
      Fn::ForEach::Other:
        - Key
        - [Volume, Platform]
        - '\${Key}Note': x
`),
  );
  assert.equal(found[0]!.result, 'pass');
});

test('a loop in Properties whose collection is known only at deploy time is unknown', async () => {
  const found = await verdicts(
    `Parameters:
  Keys: { Type: CommaDelimitedList }
` +
      notebook(`      DirectInternetAccess: Disabled
      Fn::ForEach::Open:
        - Key
        - !Ref Keys
        - '\${Key}': Enabled
`),
  );
  assert.equal(found[0]!.result, 'unknown');
  assert.match(found[0]!.message, /Fn::ForEach::Open/);
});

test('a Fn::ForEach beside other keys in a nested value is unknown (the resolver)', () => {
  const resolver = new TemplateResolver({ Resources: {} });
  const resolved = resolver.resolveProperty({ A: 'x', 'Fn::ForEach::L': ['K', ['A'], { '${K}': 'y' }] });
  assert.equal(resolved.kind, 'unknown');
});
