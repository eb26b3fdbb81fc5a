import yaml from 'js-yaml';
import { UnknownValue } from '../../model/attribute';

/**
 * js-yaml schema for CloudFormation YAML: plain scalars typed as YAML 1.1 types them (below),
 * no timestamps (so `2010-09-09` stays a string), merge keys, and the short-form intrinsic tags,
 * each turned into its long form (`!Ref x` -> `{ Ref: 'x' }`, `!GetAtt a.b` -> `{ 'Fn::GetAtt': ['a', 'b'] }`).
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

// --- Plain scalars: YAML 1.1 ------------------------------------------------------------------
//
// CloudFormation "supports the YAML Version 1.1 specification" except the binary, omap, pairs,
// set and timestamp tags (AWS CloudFormation User Guide, "Template formats"), and cfn-lint, AWS's
// own linter, reads templates with PyYAML's SafeLoader (cfnlint/decode/cfn_yaml.py), a YAML 1.1
// reader. So an unquoted `yes`/`on` is the boolean true and `no`/`off` false, which CloudFormation
// passes on as the text "true"/"false" (a YAML 1.2 reader would keep the words: `!Equals [!Ref P,
// 'true']` would then decide the other way). Where YAML 1.1 readers disagree, or where the text
// CloudFormation makes of a number can't be told from the written one, the value is unknown:
// - `y`, `Y`, `n`, `N` are booleans in the YAML 1.1 type repository, strings to PyYAML and SnakeYAML;
// - octal `010`, binary `0b1`, hex `0x1F`, `1_000`, sexagesimal `1:30`: numbers whose text is not
//   the written one (010 is 8);
// - floats other than their own shortest form (`1.0`, `1e3` — a float to SnakeYAML, a string to
//   PyYAML —, `.5`, `.inf`).
// Decimal integers and floats written in their shortest form (`20`, `1.5`) read the same everywhere.

const NULLS = new Set(['~', 'null', 'Null', 'NULL', '']);
const TRUE = new Set(['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const DECIMAL = /^[-+]?(?:0|[1-9][0-9]*)$/;
/** YAML 1.1 ints (PyYAML's resolver) and floats (PyYAML's or SnakeYAML's), and the one-letter booleans. */
const OTHER_NUMBER =
  /^(?:[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+|[-+]?[0-9][0-9_]*|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const ONE_LETTER_BOOLEAN = new Set(['y', 'Y', 'n', 'N']);

/** A number whose text is the same however it is read: a decimal integer, or a float in its shortest form. */
function plainNumber(text: string): number | undefined {
  const n = Number(text);
  if (!Number.isFinite(n)) return undefined;
  if (DECIMAL.test(text)) return Number.isSafeInteger(n) && !text.startsWith('+') && text !== '-0' ? n : undefined;
  return /^-?[0-9]+\.[0-9]+$/.test(text) && String(n) === text ? n : undefined;
}

type ScalarKind = 'null' | 'bool' | 'number' | 'unknown' | undefined;

/**
 * What YAML 1.1 makes of a plain scalar. It runs on every plain scalar, once per implicit type
 * (js-yaml asks each in turn), hence the one-entry memo and the cheap tests first: most scalars
 * are names longer than five characters that start with a letter.
 */
function scalarKind(text: string): ScalarKind {
  if (text === lastText) return lastKind;
  lastText = text;
  return (lastKind = classify(text));
}
let lastText: string | undefined;
let lastKind: ScalarKind;

function classify(text: string): ScalarKind {
  const length = text.length;
  if (length === 0) return 'null';
  if (length > 40) return undefined;
  const c = text.charCodeAt(0);
  const numeric = (c >= 0x30 && c <= 0x39) || c === 0x2b /* + */ || c === 0x2d /* - */ || c === 0x2e; /* . */
  if (!numeric) {
    if (length === 1) return c === 0x7e /* ~ */ ? 'null' : ONE_LETTER_BOOLEAN.has(text) ? 'unknown' : undefined;
    // null, Null, NULL, the boolean words: 2 to 5 characters starting with one of these letters.
    if (length > 5 || !(c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46 || c === 0x6f || c === 0x4f || c === 0x79 || c === 0x59)) return undefined;
    return NULLS.has(text) ? 'null' : TRUE.has(text) || FALSE.has(text) ? 'bool' : undefined;
  }
  if (plainNumber(text) !== undefined) return 'number';
  return OTHER_NUMBER.test(text) ? 'unknown' : undefined;
}

const yaml11Null = new yaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string | null) => data === null || scalarKind(data) === 'null',
  construct: () => null,
});
const yaml11Bool = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && scalarKind(data) === 'bool',
  construct: (data: string) => TRUE.has(data),
});
const yaml11Number = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && scalarKind(data) === 'number',
  construct: (data: string) => plainNumber(data),
});
/** Scalars whose YAML 1.1 type or text is in doubt (see above): unknown values, saying why. */
const yaml11Doubtful = new yaml.Type('tag:cloudconform,2026:doubtful-scalar', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && scalarKind(data) === 'unknown',
  construct: (data: string) =>
    new UnknownValue(
      `the unquoted YAML value ${JSON.stringify(data)} may be read as a ${ONE_LETTER_BOOLEAN.has(data) ? 'boolean or a string' : 'number whose text is not the one written'} by CloudFormation's YAML 1.1 reader: quote it`,
    ),
});

export const CLOUDFORMATION_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [yaml11Null, yaml11Bool, yaml11Number, yaml11Doubtful, mergeKeyType],
  explicit: intrinsicTypes,
});
