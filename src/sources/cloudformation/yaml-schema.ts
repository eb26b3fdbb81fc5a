import yaml from 'js-yaml';

/**
 * js-yaml schema for CloudFormation YAML: the YAML 1.2 core schema (so `2010-09-09` stays a
 * string, not a Date), merge keys, and the short-form intrinsic tags, each turned into its long
 * form (`!Ref x` -> `{ Ref: 'x' }`, `!GetAtt a.b` -> `{ 'Fn::GetAtt': ['a', 'b'] }`).
 */

/** Short-form tag -> long-form key. `!Ref` and `!Condition` have no `Fn::` prefix. */
const SHORT_FORMS: ReadonlyArray<[tag: string, key: string]> = [
  ['Ref', 'Ref'],
  ['Condition', 'Condition'],
  ...[
    'GetAtt',
    'Sub',
    'Join',
    'If',
    'Equals',
    'Not',
    'And',
    'Or',
    'FindInMap',
    'Select',
    'Split',
    'ImportValue',
    'GetAZs',
    'Base64',
    'Cidr',
    'Transform',
    'Length',
    'ToJsonString',
  ].map((name): [string, string] => [name, `Fn::${name}`]),
];

const KINDS = ['scalar', 'sequence', 'mapping'] as const;

/** `!GetAtt Res.Attr.Sub` -> `['Res', 'Attr.Sub']`: the logical id has no dots, attributes may. */
function getAttArgument(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  const dot = data.indexOf('.');
  return dot < 0 ? [data] : [data.slice(0, dot), data.slice(dot + 1)];
}

function intrinsicType(tag: string, key: string, kind: (typeof KINDS)[number]): yaml.Type {
  return new yaml.Type(`!${tag}`, {
    kind,
    // An empty node (`!Ref` alone) arrives as null; keep it so resolution can report it.
    construct: (data: unknown) => {
      const value = key === 'Fn::GetAtt' && kind === 'scalar' ? getAttArgument(data) : data;
      const node: Record<string, unknown> = {};
      node[key] = value === undefined ? null : value;
      return node;
    },
  });
}

const intrinsicTypes = SHORT_FORMS.flatMap(([tag, key]) => KINDS.map((kind) => intrinsicType(tag, key, kind)));

// js-yaml exports its built-in types, but @types/js-yaml doesn't declare them.
const mergeKeyType = (yaml as unknown as { types: { merge: yaml.Type } }).types.merge;

export const CLOUDFORMATION_SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [mergeKeyType], explicit: intrinsicTypes });
