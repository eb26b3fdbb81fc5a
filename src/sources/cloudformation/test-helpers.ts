// Shared by the CloudFormation source's tests.
import assert from 'node:assert/strict';
import type { RawAttribute } from '../../model/attribute';
import type { SourceResource } from '../../model/resource';
import type { SourceResult } from '../source';
import { cloudFormationSource } from './index';

export const NOTEBOOK = 'AWS::SageMaker::NotebookInstance';

export function scan(text: string, file = 'template.yaml'): SourceResult {
  return cloudFormationSource.scanFile(file, text);
}

/** Scans a template that must have no errors. */
export function scanClean(text: string, file = 'template.yaml'): SourceResource[] {
  const result = scan(text, file);
  assert.deepEqual(result.errors, []);
  return result.resources;
}

export function resourceOf(text: string, id: string, file = 'template.yaml'): SourceResource {
  const resource = scanClean(text, file).find((r) => r.id === id);
  assert.ok(resource, `resource ${id} is emitted`);
  return resource;
}

/**
 * A YAML template with a notebook `Nb` whose `Value` property is written as given, after the
 * sections given (Parameters, Conditions, ... as YAML text at top level).
 */
export function notebookTemplate(valueYaml: string, sections = ''): string {
  return `AWSTemplateFormatVersion: '2010-09-09'
${sections}
Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: vpc-1, CidrBlock: 10.0.0.0/24 }
  Role:
    Type: AWS::IAM::Role
  Nb:
    Type: ${NOTEBOOK}
    Properties:
      InstanceType: ml.t3.medium
      Value: ${valueYaml}
`;
}

/** The `Value` property of `Nb` in a template made by notebookTemplate. */
export function readValue(valueYaml: string, sections = ''): RawAttribute {
  return resourceOf(notebookTemplate(valueYaml, sections), 'Nb').readProperty('Value');
}

/** Asserts a set value and returns it. */
export function setValue(attribute: RawAttribute): unknown {
  assert.equal(attribute.state, 'set', `expected a set value, got ${JSON.stringify(attribute)}`);
  return (attribute as { value: unknown }).value;
}

/** Asserts an unknown value and returns its reason. */
export function unknownReason(attribute: RawAttribute): string {
  assert.equal(attribute.state, 'unknown', `expected unknown, got ${JSON.stringify(attribute)}`);
  return (attribute as { reason: string }).reason;
}
