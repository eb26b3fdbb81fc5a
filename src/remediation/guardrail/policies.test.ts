// The guardrail policies: valid IAM policy documents within the size limits, denying exactly the
// requests that would make a failing resource (checked with IAM's documented evaluation of
// condition operators on present and missing keys), and documented on the rule pages as printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { findRule } from '../../rules/index';
import {
  GUARDRAIL_RULE_IDS,
  GUARDRAIL_TYPES,
  guardrailPolicy,
  POLICY_SIZE_LIMITS,
  renderPolicy,
  type PolicyDocument,
} from './policies';

/** Every non-empty subset of the rules with a guardrail. */
function ruleSubsets(): string[][] {
  const ids = [...GUARDRAIL_RULE_IDS];
  const subsets: string[][] = [];
  for (let mask = 1; mask < 1 << ids.length; mask++) subsets.push(ids.filter((_, i) => mask & (1 << i)));
  return subsets;
}

// The structural rules of an identity-based policy or SCP (IAM User Guide, "IAM JSON policy
// element reference" and "grammar"): no Principal (neither kind takes one), Sids alphanumeric and
// unique, Action or NotAction, service-prefixed action names, operators from the documented list
// (optionally ForAllValues:/ForAnyValue: and ...IfExists, but not Null...IfExists), keys with a
// service prefix, Null values true/false.
const STRING_OPERATOR = '(String(Not)?Equals(IgnoreCase)?|String(Not)?Like|Numeric(Not)?Equals|Numeric(Less|Greater)Than(Equals)?|Date(Not)?Equals|Date(Less|Greater)Than(Equals)?|Bool|BinaryEquals|(Not)?IpAddress|Arn(Not)?(Equals|Like))';
const stringOrStrings = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] };
const POLICY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['Version', 'Statement'],
  properties: {
    Version: { const: '2012-10-17' },
    Id: { type: 'string' },
    Statement: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['Sid', 'Effect', 'Resource'],
        oneOf: [{ required: ['Action'] }, { required: ['NotAction'] }],
        properties: {
          Sid: { type: 'string', pattern: '^[A-Za-z0-9]+$' },
          Effect: { enum: ['Allow', 'Deny'] },
          Action: { anyOf: [{ type: 'string', pattern: '^[a-z0-9-]+:[A-Za-z0-9*?]+$' }, { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[a-z0-9-]+:[A-Za-z0-9*?]+$' } }] },
          NotAction: stringOrStrings,
          Resource: stringOrStrings,
          Condition: {
            type: 'object',
            minProperties: 1,
            propertyNames: { pattern: `^((ForAllValues|ForAnyValue):)?(${STRING_OPERATOR}(IfExists)?|Null)$` },
            additionalProperties: {
              type: 'object',
              minProperties: 1,
              propertyNames: { pattern: '^[a-z0-9-]+:[A-Za-z0-9/_.:-]+$' },
              additionalProperties: stringOrStrings,
            },
          },
        },
      },
    },
  },
} as const;

const validatePolicy = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(POLICY_SCHEMA);

function assertValidPolicy(doc: unknown, what: string): void {
  assert.ok(validatePolicy(doc), `${what}: ${JSON.stringify(validatePolicy.errors, null, 2)}`);
  const statements = (doc as PolicyDocument).Statement;
  const sids = statements.map((s) => s.Sid);
  assert.equal(new Set(sids).size, sids.length, `${what}: Sids must be unique`);
  for (const s of statements) {
    for (const [, keys] of Object.entries(s.Condition ?? {}).filter(([op]) => op === 'Null')) {
      for (const v of Object.values(keys)) assert.ok(v === 'true' || v === 'false', `${what}: Null takes true or false`);
    }
  }
}

test('every selection of rules gives a valid policy of each type, within its size limit', () => {
  for (const ids of ruleSubsets()) {
    for (const type of GUARDRAIL_TYPES) {
      const doc = guardrailPolicy(type, ids);
      const what = `${type} for ${ids.join(',')}`;
      assertValidPolicy(doc, what);
      assert.deepEqual(JSON.parse(renderPolicy(doc)), doc);
      // Counted as printed, whitespace and all: an SCP is stored as given.
      assert.ok(renderPolicy(doc).length <= POLICY_SIZE_LIMITS[type], `${what} is ${renderPolicy(doc).length} characters`);
      for (const s of doc.Statement) {
        assert.equal(s.Effect, 'Deny');
        assert.equal(s.Resource, '*');
        assert.match(s.Sid, /^CloudConform/);
      }
    }
  }
  assert.equal(POLICY_SIZE_LIMITS.scp, 5120);
});

test('the validator rejects what IAM rejects (so a pass above means something)', () => {
  const good = guardrailPolicy('scp');
  const broken: [string, (d: any) => void][] = [
    ['old version', (d) => (d.Version = '2008-10-17')],
    ['Sid with a dash', (d) => (d.Statement[0].Sid = 'Cloud-Conform')],
    ['no Action', (d) => delete d.Statement[0].Action],
    ['a Principal', (d) => (d.Statement[0].Principal = '*')],
    ['an unknown operator', (d) => (d.Statement[0].Condition = { StringNotEqual: { 'sagemaker:DirectInternetAccess': 'Disabled' } })],
    ['NullIfExists', (d) => (d.Statement[0].Condition = { NullIfExists: { 'sagemaker:DirectInternetAccess': 'true' } })],
    ['a key without a service prefix', (d) => (d.Statement[0].Condition = { StringEquals: { DirectInternetAccess: 'Disabled' } })],
    ['an action without a service prefix', (d) => (d.Statement[0].Action = ['CreateNotebookInstance'])],
  ];
  for (const [what, breakIt] of broken) {
    const doc = structuredClone(good);
    breakIt(doc);
    assert.equal(validatePolicy(doc), false, what);
  }
  const dupSids = structuredClone(good);
  dupSids.Statement[1]!.Sid = dupSids.Statement[0]!.Sid;
  assert.throws(() => assertValidPolicy(dupSids, 'dup'), /unique/);
});

// IAM's evaluation of a condition block (IAM User Guide, "Condition operators"): a key missing
// from the request makes a plain operator false and a negated one true; ...IfExists is true for a
// missing key; Null: "true" means absent, "false" present; operators and keys are ANDed, values ORed
// (NORed for a negated operator). Enough of it for string keys.
type RequestContext = Record<string, string>;

function conditionHolds(condition: Record<string, Record<string, string | string[]>>, context: RequestContext): boolean {
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const values = Array.isArray(expected) ? expected : [expected];
      const present = Object.hasOwn(context, key);
      if (operator === 'Null') return values.includes(present ? 'false' : 'true');
      const ifExists = operator.endsWith('IfExists');
      const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
      if (!present) return ifExists ? true : base.includes('Not');
      const actual = context[key]!;
      switch (base) {
        case 'StringEquals':
          return values.includes(actual);
        case 'StringNotEquals':
          return !values.includes(actual);
        default:
          throw new Error(`operator ${operator} not modelled`);
      }
    }),
  );
}

function denied(doc: PolicyDocument, action: string, context: RequestContext): boolean {
  return doc.Statement.some((s) => s.Effect === 'Deny' && s.Action.includes(action) && conditionHolds(s.Condition, context));
}

const DIA = 'sagemaker:DirectInternetAccess';
const ANAT = 'sagemaker:AppNetworkAccessType';

test('SageMaker-004: CreateNotebookInstance is denied unless DirectInternetAccess is Disabled, also when it is left out', () => {
  for (const type of GUARDRAIL_TYPES) {
    const doc = guardrailPolicy(type, ['SageMaker-004']);
    assert.equal(denied(doc, 'sagemaker:CreateNotebookInstance', {}), true, 'omitted: AWS applies Enabled');
    assert.equal(denied(doc, 'sagemaker:CreateNotebookInstance', { [DIA]: 'Enabled' }), true);
    assert.equal(denied(doc, 'sagemaker:CreateNotebookInstance', { [DIA]: 'disabled' }), true, 'values are case-sensitive');
    assert.equal(denied(doc, 'sagemaker:CreateNotebookInstance', { [DIA]: 'Disabled' }), false);
    assert.equal(denied(doc, 'sagemaker:UpdateNotebookInstance', {}), false, 'other actions are left alone');
    assert.equal(denied(doc, 'sagemaker:CreateDomain', {}), false, 'SageMaker-005 not selected');
  }
  // The usual example, StringEquals Enabled, would let an omitted value through.
  const usual = { StringEquals: { [DIA]: 'Enabled' } };
  assert.equal(conditionHolds(usual, {}), false);
});

test('SageMaker-005: CreateDomain needs VpcOnly; UpdateDomain is denied only when it sets something else', () => {
  for (const type of GUARDRAIL_TYPES) {
    const doc = guardrailPolicy(type, ['SageMaker-005']);
    assert.equal(denied(doc, 'sagemaker:CreateDomain', {}), true, 'omitted: AWS applies PublicInternetOnly');
    assert.equal(denied(doc, 'sagemaker:CreateDomain', { [ANAT]: 'PublicInternetOnly' }), true);
    assert.equal(denied(doc, 'sagemaker:CreateDomain', { [ANAT]: 'VpcOnly' }), false);
    assert.equal(denied(doc, 'sagemaker:UpdateDomain', {}), false, 'an update that leaves the setting alone passes');
    assert.equal(denied(doc, 'sagemaker:UpdateDomain', { [ANAT]: 'VpcOnly' }), false);
    assert.equal(denied(doc, 'sagemaker:UpdateDomain', { [ANAT]: 'PublicInternetOnly' }), true);
    assert.equal(denied(doc, 'sagemaker:CreateNotebookInstance', {}), false, 'SageMaker-004 not selected');
  }
  // Why the Null condition: StringNotEquals or StringNotEqualsIfExists alone deny an update without the key.
  assert.equal(conditionHolds({ StringNotEquals: { [ANAT]: 'VpcOnly' } }, {}), true);
  assert.equal(conditionHolds({ StringNotEqualsIfExists: { [ANAT]: 'VpcOnly' } }, {}), true);
});

test('all rules by default; rules without a guardrail or an empty selection are refused', () => {
  assert.deepEqual(
    guardrailPolicy('scp').Statement.map((s) => s.Action).flat(),
    ['sagemaker:CreateNotebookInstance', 'sagemaker:CreateDomain', 'sagemaker:UpdateDomain'],
  );
  assert.deepEqual(guardrailPolicy('scp'), guardrailPolicy('iam'));
  assert.throws(() => guardrailPolicy('scp', ['SageMaker-999']), /no preventive policy for SageMaker-999 \(there is one for SageMaker-004, SageMaker-005\)/);
  assert.throws(() => guardrailPolicy('scp', []), /no rules selected/);
  assert.throws(() => guardrailPolicy('rcp' as never), /no guardrail policy type 'rcp'/);
  // The documents are copies: a caller can't change what the next one gets.
  guardrailPolicy('scp').Statement[0]!.Action.push('sagemaker:*');
  assert.deepEqual(guardrailPolicy('scp').Statement[0]!.Action, ['sagemaker:CreateNotebookInstance']);
});

test("each rule's page documents its policy exactly as `cloudconform guardrail --rules <id>` prints it", () => {
  for (const id of GUARDRAIL_RULE_IDS) {
    const page = findRule(id)!.page();
    const section = /\n## Prevention\n([\s\S]*?)(?=\n## )/.exec(page)?.[1];
    assert.ok(section, `${id}: page has no '## Prevention' section`);
    assert.match(section, /cloudconform guardrail/);
    const blocks = [...section.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    assert.equal(blocks.length, 1, `${id}: one JSON block in Prevention`);
    for (const type of GUARDRAIL_TYPES) {
      assert.equal(blocks[0], renderPolicy(guardrailPolicy(type, [id])), `${id}: the page's policy differs from --type ${type}; update the page`);
    }
  }
});
