// A hostile contributor edits a CloudFormation template around a notebook: macros CloudFormation
// would hand the notebook to at deploy time (a Transform section, Fn::Transform on the resource,
// in its Properties, in Resources, beside a value's keys), written in YAML or JSON, with names of
// any text. Whatever the combination, a failing notebook never passes, a macro that can reach the
// notebook makes it unknown, and the macro's name reaches the report escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { makeTree } from './helpers/fixtures';

type Props = Record<string, unknown>;

/** Notebooks as written, with what AWS would deploy (the deployed truth, written independently of the rule). */
const NOTEBOOKS: { props: Props; deployed: 'pass' | 'fail' }[] = [
  { props: {}, deployed: 'fail' },
  { props: { DirectInternetAccess: 'Enabled' }, deployed: 'fail' },
  { props: { DirectInternetAccess: 'Enabled', SubnetId: 'subnet-0123456789abcdef0' }, deployed: 'fail' },
  { props: { DirectInternetAccess: 'Disabled' }, deployed: 'fail' },
  { props: { DirectInternetAccess: 'disabled', SubnetId: 'subnet-0123456789abcdef0' }, deployed: 'fail' },
  { props: { DirectInternetAccess: 'Disabled', SubnetId: 'subnet-0123456789abcdef0' }, deployed: 'pass' },
];

/** Where a macro can be placed, and whether CloudFormation would hand it the notebook's network settings. */
const PLACES = ['transformSection', 'transformList', 'onResource', 'inProperties', 'inResources', 'besideAccessValue', 'besideTagValue'] as const;
type Place = (typeof PLACES)[number];
const REACHES_NOTEBOOK: Record<Place, boolean> = {
  transformSection: true,
  transformList: true,
  onResource: true,
  inProperties: true,
  inResources: true,
  besideAccessValue: true,
  besideTagValue: false, // handed only that tag's keys
};

/** Macro names: plain, AWS::Include, and any text a hostile template may hold (control characters, bidi, quotes). */
const macroName = fc.oneof(
  fc.constantFrom('OpenItUp', 'AWS::Include', 'Corp::Network-Defaults'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((s) => !['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions'].includes(s)),
);

function build(props: Props, place: Place | undefined, macro: string): Record<string, unknown> {
  const transform = macro === 'AWS::Include' ? { Name: macro, Parameters: { Location: 's3://bucket/net.yaml' } } : { Name: macro };
  const properties: Props = { InstanceType: 'ml.t3.medium', RoleArn: 'arn:aws:iam::111122223333:role/nb', ...props };
  if (place === 'inProperties') properties['Fn::Transform'] = transform;
  if (place === 'besideAccessValue') properties.DirectInternetAccess = { 'Fn::Transform': transform, 'Fn::Sub': String(properties.DirectInternetAccess ?? 'Disabled') };
  if (place === 'besideTagValue') properties.Tags = [{ Key: 'team', Value: 'ml', 'Fn::Transform': transform }];
  const notebook: Record<string, unknown> = { Type: 'AWS::SageMaker::NotebookInstance', Properties: properties };
  if (place === 'onResource') notebook['Fn::Transform'] = transform;
  const resources: Record<string, unknown> = { Nb: notebook };
  if (place === 'inResources') resources['Fn::Transform'] = transform;
  const template: Record<string, unknown> = { AWSTemplateFormatVersion: '2010-09-09' };
  if (place === 'transformSection') template.Transform = macro;
  if (place === 'transformList') template.Transform = ['AWS::Serverless-2016-10-31', macro];
  template.Resources = resources;
  return template;
}

test('property: macros around a notebook never turn a fail into a pass, and a macro that can reach it makes it unknown', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...NOTEBOOKS.keys()),
      fc.option(fc.constantFrom(...PLACES), { nil: undefined }),
      macroName,
      fc.constantFrom('yaml', 'json'),
      async (which, place, macro, format) => {
        const { props, deployed } = NOTEBOOKS[which]!;
        const template = build(props, place, macro);
        const text = format === 'json' ? JSON.stringify(template, null, 2) : stringify(template);
        const t = makeTree({ [`t.${format}`]: text });
        try {
          const report = await scan([t.root], { config: emptyConfig(), ruleIds: ['SageMaker-004'], jobs: 1 });
          const context = JSON.stringify({ which, place, macro, format, report: report.findings, errors: report.errors });
          const nb = report.findings.filter((f) => f.resource.id === 'Nb');
          if (nb.length === 0) {
            // Only acceptable when the template was refused as a whole (an error entry makes the exit code 2).
            assert.ok(report.errors.length > 0, context);
            return;
          }
          assert.equal(nb.length, 1, context);
          const verdict = nb[0]!.result;
          if (deployed === 'fail') assert.notEqual(verdict, 'pass', context);
          if (place && REACHES_NOTEBOOK[place]) {
            assert.equal(verdict, 'unknown', context);
            // The name is template data: no raw control character reaches the message.
            assert.doesNotMatch(nb[0]!.message, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/, context);
          } else {
            assert.equal(verdict, deployed, context);
          }
        } finally {
          t.cleanup();
        }
      },
    ),
    { numRuns: 150 },
  );
});
