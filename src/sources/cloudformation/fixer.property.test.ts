// Property tests: over templates made of the shapes people write (block and flow YAML, JSON,
// parameters, conditions, mappings, comments), the fixer never throws, writes a template that
// still scans cleanly, leaves nothing failing that it did not report, and changes nothing the
// second time. Over arbitrary text, it never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FixInputs } from '../../remediation/iac/fixer';
import { desired as notebookDesired } from '../../rules/sagemaker-004/rule';
import { fixCloudFormationTemplate } from './fixer';
import { failingTargets, fixText } from './fix-test-helpers';
import { scanTemplate } from './index';
import { parseTemplate } from './parse';

const ACCESS_VALUES = [
  undefined,
  'Enabled',
  "'Enabled'",
  '"disabled"',
  'Disabled',
  '!Ref Access',
  '!Ref Shared',
  '{ Ref: Access }',
  '!If [Prod, Enabled, Disabled]',
  '!FindInMap [Modes, eu, Mode]',
  '!FindInMap [Modes, !Ref "AWS::Region", Mode]',
  '!ImportValue access',
];
const SUBNET_VALUES = [undefined, 'subnet-1', '!Ref AWS::NoValue', '!Ref Net', "''"];
const DOMAIN_ACCESS = [undefined, 'PublicInternetOnly', 'vpcOnly', 'VpcOnly', '!Ref Access'];

interface NotebookShape {
  kind: 'notebook';
  access: string | undefined;
  subnet: string | undefined;
  layout: 'block' | 'flow' | 'none' | 'empty';
  comment: boolean;
}
interface DomainShape {
  kind: 'domain';
  access: string | undefined;
  settings: 'block' | 'flow' | 'none';
}

const notebook = fc.record({
  kind: fc.constant('notebook' as const),
  access: fc.constantFrom(...ACCESS_VALUES),
  subnet: fc.constantFrom(...SUBNET_VALUES),
  layout: fc.constantFrom('block' as const, 'flow' as const, 'none' as const, 'empty' as const),
  comment: fc.boolean(),
});
const domain = fc.record({
  kind: fc.constant('domain' as const),
  access: fc.constantFrom(...DOMAIN_ACCESS),
  settings: fc.constantFrom('block' as const, 'flow' as const, 'none' as const),
});

const templateShape = fc.record({
  parameters: fc.constantFrom('none', 'block', 'flow', 'ssm', 'allowed'),
  shared: fc.boolean(),
  resources: fc.array(fc.oneof(notebook, domain), { minLength: 1, maxLength: 4 }),
  trailingNewline: fc.boolean(),
  /** Written as JSON instead, with this indentation (the same template, in long forms). */
  json: fc.constantFrom(undefined, 2, 4, '\t'),
});

type TemplateShape = typeof templateShape extends fc.Arbitrary<infer T> ? T : never;

/** The template as YAML, or as JSON when the shape says so. */
function templateText(shape: TemplateShape): string {
  const out: string[] = ['AWSTemplateFormatVersion: "2010-09-09"'];
  if (shape.parameters !== 'none') {
    out.push('Parameters:');
    if (shape.parameters === 'flow') out.push('  Access: { Type: String, Default: Enabled }');
    else if (shape.parameters === 'ssm') out.push('  Access:', '    Type: AWS::SSM::Parameter::Value<String>', '    Default: /x');
    else if (shape.parameters === 'allowed') out.push('  Access:', '    Type: String', '    AllowedValues:', '      - Enabled');
    else out.push('  Access:', '    Type: String', '    Default: Enabled # open');
    out.push('  Shared: { Type: String, Default: Enabled }', '  Net: { Type: String, Default: subnet-9 }');
  }
  out.push('Mappings:', '  Modes:', '    eu: { Mode: Enabled }', '    us:', '      Mode: Enabled');
  out.push('Conditions:', '  Prod: !Equals [!Ref "AWS::Region", eu-west-1]');
  out.push('Resources:');
  shape.resources.forEach((r: NotebookShape | DomainShape, i) => {
    const id = `${r.kind === 'notebook' ? 'Nb' : 'Dom'}${i}`;
    if (r.kind === 'notebook') {
      if (r.comment) out.push(`  # notebook ${i}`);
      out.push(`  ${id}:`, '    Type: AWS::SageMaker::NotebookInstance');
      const props: [string, string][] = [['InstanceType', 'ml.t3.medium']];
      if (r.subnet !== undefined) props.push(['SubnetId', r.subnet]);
      if (r.access !== undefined) props.push(['DirectInternetAccess', r.access]);
      if (r.layout === 'empty') out.push('    Properties:');
      else if (r.layout === 'flow') out.push(`    Properties: { ${props.map(([k, v]) => `${k}: ${v}`).join(', ')} }`);
      else if (r.layout === 'block') out.push('    Properties:', ...props.map(([k, v]) => `      ${k}: ${v}${r.comment ? ' # set' : ''}`));
    } else {
      out.push(`  ${id}:`, '    Type: AWS::SageMaker::Domain', '    Properties:', '      DomainName: d', '      AuthMode: IAM');
      if (r.access !== undefined) out.push(`      AppNetworkAccessType: ${r.access}`);
      if (r.settings === 'block') out.push('      DefaultUserSettings:', '        ExecutionRole: arn:aws:iam::111122223333:role/r');
      if (r.settings === 'flow') out.push('      DefaultUserSettings: { ExecutionRole: r }');
    }
  });
  if (shape.shared) out.push('Outputs:', '  Mode: { Value: !Sub "${Shared}" }');
  const yaml = out.join('\n') + (shape.trailingNewline ? '\n' : '');
  if (shape.json === undefined) return yaml;
  const parsed = parseTemplate(yaml);
  assert.ok(parsed.ok);
  return JSON.stringify(parsed.template.root, null, shape.json) + (shape.trailingNewline ? '\n' : '');
}

const inputsShape: fc.Arbitrary<FixInputs> = fc.record(
  {
    'subnet-id': fc.constant('subnet-0abc'),
    'subnet-ids': fc.constant(['subnet-0abc', 'subnet-0def']),
    'security-group-ids': fc.constant(['sg-0abc']),
    'vpc-id': fc.constant('vpc-0abc'),
  },
  { requiredKeys: [] },
);

test('fixing generated templates: clean output, nothing left failing unreported, a second fix changes nothing', () => {
  fc.assert(
    fc.property(templateShape, inputsShape, (shape, inputs) => {
      const text = templateText(shape);
      const fixed = fixText(text, inputs);
      assert.deepEqual(scanTemplate('template.yaml', fixed.text).errors, [], fixed.text);
      if (shape.json !== undefined) JSON.parse(fixed.text); // still strict JSON
      const decided = new Set(fixed.manual.map((m) => m.resourceId));
      for (const target of failingTargets(fixed.text)) {
        assert.ok(decided.has(target.resourceId), `${target.resourceId} still fails without a decision:\n${fixed.text}`);
      }
      const again = fixText(fixed.text, inputs);
      assert.equal(again.text, fixed.text, 'a second fix changes nothing');
      assert.deepEqual(again.changes, []);
      for (const change of fixed.changes) assert.ok(change.line >= 1 && change.line <= fixed.text.split('\n').length);
    }),
    { numRuns: 150, seed: 4242 },
  );
});

test('fixing arbitrary text never throws', () => {
  const target = {
    ruleId: 'SageMaker-004',
    resourceType: 'AWS::SageMaker::NotebookInstance',
    resourceId: 'Nb',
    file: 'fuzz.yaml',
    line: 1,
    desired: notebookDesired,
  };
  const pieces = fc.constantFrom(
    'Resources:\n', '  Nb:\n', '    Type: AWS::SageMaker::NotebookInstance\n', '    Properties:', ' { ', ' }', '[', ']', '\n',
    '      DirectInternetAccess: ', '!Ref ', 'Enabled', '&a ', '*a', '<<: ', '"', "'", '#', ': ', '- ', '{"Resources": ', ',', '\t', '\uFEFF',
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 40 }), (parts) => {
      const text = parts.join('');
      const result = fixCloudFormationTemplate('fuzz.yaml', text, [target], { 'subnet-id': 'subnet-1' });
      assert.ok(result.changes.length > 0 || result.manual.length > 0 || result.files.size === 0);
      for (const m of result.manual) assert.ok(Number.isInteger(m.line) && m.line >= 1);
    }),
    { numRuns: 400, seed: 7 },
  );
});
