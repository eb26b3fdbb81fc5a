import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RawAttribute } from '../../model/attribute';
import type { SourceResource } from '../../model/resource';
import { NOTEBOOK, scanClean } from './test-helpers';

function lineOf(attribute: RawAttribute): number | undefined {
  return attribute.state === 'absent' ? undefined : attribute.location.line;
}

/** The 1-based line of the first line of `text` containing `needle` at or after line `from`. */
function findLine(text: string, needle: string, from = 1): number {
  const lines = text.split('\n');
  for (let i = from - 1; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
  throw new Error(`${needle} not in text`);
}

function byId(resources: SourceResource[]): Map<string, SourceResource> {
  return new Map(resources.map((r) => [r.id, r]));
}

describe('YAML', () => {
  const text = `AWSTemplateFormatVersion: '2010-09-09'
# Resources: a comment that looks like a key
Description: |
  Resources:
    Fake:
      Type: ${NOTEBOOK}
Resources:
  Block:
    Type: ${NOTEBOOK}
    Properties:
      InstanceType: ml.t3.medium
      "DirectInternetAccess": Disabled
      'SubnetId': !Ref AWS::NoValue
      RootAccess:
        Disabled
      KmsKeyId: !Sub
        - 'key-\${X}'
        - X: 1
  "Quoted":
    Type: "${NOTEBOOK}"
    Properties: {DirectInternetAccess: Enabled, "SubnetId": s-1}
  Flow: { Type: ${NOTEBOOK}, Properties: { DirectInternetAccess: Enabled, SubnetId: s-2 } }
  FlowMultiLine: {
    Type: ${NOTEBOOK},
    Properties: {
      DirectInternetAccess: Enabled,
        "SubnetId": s-3
    }
  }
  ? Explicit
  : Type: ${NOTEBOOK}
    Properties:
      DirectInternetAccess: Disabled
  Anchored:
    Type: ${NOTEBOOK}
    Properties: &shared
      DirectInternetAccess: Disabled
      SubnetId: s-4
  Aliased:
    Type: ${NOTEBOOK}
    Properties: *shared
  Merged:
    Type: ${NOTEBOOK}
    Properties:
      <<: *shared
      SubnetId: s-5
`;
  const resources = byId(scanClean(text));

  test('resources: the logical id line, block and flow, quoted and explicit keys', () => {
    assert.deepEqual([...resources.keys()], ['Block', 'Quoted', 'Flow', 'FlowMultiLine', 'Explicit', 'Anchored', 'Aliased', 'Merged']);
    assert.equal(resources.get('Block')!.location.line, 8);
    assert.equal(resources.get('Block')!.location.column, 3);
    assert.equal(resources.get('Quoted')!.location.line, 19);
    assert.equal(resources.get('Flow')!.location.line, 22);
    assert.equal(resources.get('FlowMultiLine')!.location.line, 23);
    assert.equal(resources.get('Aliased')!.location.line, findLine(text, '  Aliased:'));
  });

  test('properties: the key line, also when the value is on the next line', () => {
    const block = resources.get('Block')!;
    assert.equal(lineOf(block.readProperty('InstanceType')), 11);
    assert.equal(lineOf(block.readProperty('DirectInternetAccess')), 12);
    const access = block.readProperty('DirectInternetAccess');
    assert.equal(access.state === 'set' && access.location.column, 7);
    assert.deepEqual(block.readProperty('SubnetId'), { state: 'absent' });
    assert.equal(lineOf(block.readProperty('RootAccess')), 14);
    assert.equal(lineOf(block.readProperty('KmsKeyId')), 16);
  });

  test('properties in flow style, one line and several', () => {
    assert.equal(lineOf(resources.get('Quoted')!.readProperty('SubnetId')), 21);
    const flow = resources.get('Flow')!;
    assert.equal(lineOf(flow.readProperty('DirectInternetAccess')), 22);
    assert.equal(lineOf(flow.readProperty('SubnetId')), 22);
    const columns = [flow.readProperty('DirectInternetAccess'), flow.readProperty('SubnetId')].map((a) =>
      a.state === 'absent' ? 0 : a.location.column,
    );
    assert.deepEqual(columns, [text.split('\n')[21]!.indexOf('DirectInternetAccess') + 1, text.split('\n')[21]!.indexOf('SubnetId') + 1]);
    const multi = resources.get('FlowMultiLine')!;
    assert.equal(lineOf(multi.readProperty('DirectInternetAccess')), 26);
    assert.equal(lineOf(multi.readProperty('SubnetId')), 27);
  });

  test('explicit keys, anchors, aliases and merge keys', () => {
    assert.equal(lineOf(resources.get('Explicit')!.readProperty('DirectInternetAccess')), findLine(text, 'Disabled', 32));
    const anchoredLine = findLine(text, 'SubnetId: s-4');
    assert.equal(lineOf(resources.get('Anchored')!.readProperty('SubnetId')), anchoredLine);
    // An aliased Properties block is located where it is written, at the anchor.
    assert.equal(lineOf(resources.get('Aliased')!.readProperty('SubnetId')), anchoredLine);
    const merged = resources.get('Merged')!;
    assert.equal(lineOf(merged.readProperty('SubnetId')), findLine(text, 'SubnetId: s-5'));
    assert.equal(lineOf(merged.readProperty('DirectInternetAccess')), findLine(text, '<<: *shared'));
  });

  test('positions recorded after the fact match those recorded while parsing', () => {
    // The type name written with an escape defeats the quick text check: positions come from a re-parse.
    const escaped = text.replaceAll(`Type: ${NOTEBOOK}`, 'Type: "AWS::SageMaker::Notebook\\x49nstance"').replaceAll(`"${NOTEBOOK}"`, '"AWS::SageMaker::Notebook\\x49nstance"');
    assert.ok(!escaped.includes(NOTEBOOK));
    const lazy = byId(scanClean(escaped));
    for (const [id, resource] of resources) {
      const other = lazy.get(id)!;
      // Lines only: the longer spelling of the type moves columns on one-line resources.
      assert.equal(other.location.line, resource.location.line, id);
      for (const name of ['DirectInternetAccess', 'SubnetId', 'KmsKeyId']) {
        const [a, b] = [other.readProperty(name), resource.readProperty(name)];
        assert.equal(a.state, b.state, `${id}.${name}`);
        assert.equal(lineOf(a), lineOf(b), `${id}.${name}`);
      }
    }
  });

  test('CRLF line ends', () => {
    const crlf = `Resources:\r\n  Nb:\r\n    Type: ${NOTEBOOK}\r\n    Properties:\r\n      DirectInternetAccess: Enabled\r\n`;
    const [nb] = scanClean(crlf);
    assert.equal(nb!.location.line, 2);
    assert.equal(lineOf(nb!.readProperty('DirectInternetAccess')), 5);
  });
});

describe('JSON', () => {
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'b' } },
      Nb: {
        Type: NOTEBOOK,
        Metadata: { 'aws:cdk:path': 'Stack/Nb/Resource' },
        Properties: {
          InstanceType: 'ml.t3.medium',
          SubnetId: { 'Fn::GetAtt': ['Bucket', 'Arn'] },
          DirectInternetAccess: 'Disabled',
        },
      },
      Other: { Type: NOTEBOOK, Properties: { DirectInternetAccess: 'Enabled' } },
    },
  };

  test('pretty-printed', () => {
    const text = JSON.stringify(template, null, 2);
    const resources = byId(scanClean(text, 't.json'));
    const nb = resources.get('Nb')!;
    assert.equal(nb.location.line, findLine(text, '"Nb"'));
    assert.equal(nb.location.column, 5);
    assert.equal(lineOf(nb.readProperty('SubnetId')), findLine(text, '"SubnetId"'));
    assert.equal(lineOf(nb.readProperty('DirectInternetAccess')), findLine(text, '"DirectInternetAccess"'));
    const other = resources.get('Other')!;
    assert.equal(other.location.line, findLine(text, '"Other"'));
    assert.equal(lineOf(other.readProperty('DirectInternetAccess')), findLine(text, '"DirectInternetAccess"', other.location.line));
  });

  test('minified: everything on line 1, columns tell keys apart', () => {
    const text = JSON.stringify(template);
    const resources = byId(scanClean(text, 't.json'));
    const nb = resources.get('Nb')!;
    assert.deepEqual(nb.location, { file: 't.json', line: 1, column: text.indexOf('"Nb"') + 1 });
    const access = nb.readProperty('DirectInternetAccess');
    assert.equal(lineOf(access), 1);
    assert.equal(access.state !== 'absent' && access.location.column, text.indexOf('"DirectInternetAccess"') + 1);
  });

  test('escaped keys, strings with braces, quotes and backslashes', () => {
    const text = `{
  "Description": "tricky \\" { [ \\\\",
  "Resources": {
    "Nb": {
      "Type": "AWS::SageMaker::Notebook\\u0049nstance",
      "Properties": {
        "Tags": [{"Key": "a}", "Value": "]\\"{"}],
        "Direct\\u0049nternetAccess": "Disabled"
      }
    }
  }
}`;
    const [nb] = scanClean(text, 't.json');
    assert.equal(nb!.location.line, 4);
    assert.equal(lineOf(nb!.readProperty('DirectInternetAccess')), 8);
  });

  test('duplicate keys: the last one counts, as JSON.parse takes it', () => {
    const text = `{"Resources": {
  "Nb": {"Type": "${NOTEBOOK}", "Properties": {"DirectInternetAccess": "Enabled"}},
  "Nb": {"Type": "${NOTEBOOK}",
    "Properties": {"DirectInternetAccess": "Disabled"}}
}}`;
    const [nb] = scanClean(text, 't.json');
    assert.equal(nb!.location.line, 3);
    const access = nb!.readProperty('DirectInternetAccess');
    assert.deepEqual(access.state === 'set' && [access.value, access.location.line], ['Disabled', 4]);
  });
});
