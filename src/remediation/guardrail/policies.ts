// Preventive policies for `cloudconform guardrail`: Deny statements that stop non-compliant
// notebooks and Studio domains from being created at all, as a service control policy (AWS
// Organizations) or an IAM identity policy. Kept free of other imports so the command loads little.
//
// How IAM evaluates a condition whose key is missing from the request (IAM User Guide, "IAM JSON
// policy elements: Condition operators"):
// - a plain operator is false, except a negated one (StringNotEquals...), which is TRUE;
// - an ...IfExists operator is TRUE, so a Deny with StringNotEqualsIfExists still denies a request
//   without the key ("the request is still denied even if the condition key is not present");
// - Null: {key: "true"} matches when the key is absent, {key: "false"} when it is present;
// - several operators (or keys) in one Condition block must all be true (AND).

export type GuardrailType = 'scp' | 'iam';
export const GUARDRAIL_TYPES: readonly GuardrailType[] = ['scp', 'iam'];

export interface DenyStatement {
  Sid: string;
  Effect: 'Deny';
  Action: string[];
  Resource: '*';
  Condition: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: DenyStatement[];
}

/** Rule id -> the statements that prevent its failures. */
const GUARDRAILS: Readonly<Record<string, readonly DenyStatement[]>> = {
  // SageMaker-004. AWS applies DirectInternetAccess=Enabled when the request omits it, so an
  // omitted value must be denied too. StringNotEquals does that: a missing key makes the negated
  // operator true. `StringEquals: Enabled` (the usual example) would let omitted values through
  // unless SageMaker put its default into the request context, which AWS does not document;
  // StringNotEquals denies both ways. StringNotEqualsIfExists would behave the same for this
  // Deny, so the plain operator says what is meant. No `Null` check is needed: absent is denied.
  'SageMaker-004': [
    {
      Sid: 'CloudConformSageMaker004DenyNotebookDirectInternetAccess',
      Effect: 'Deny',
      Action: ['sagemaker:CreateNotebookInstance'],
      Resource: '*',
      Condition: { StringNotEquals: { 'sagemaker:DirectInternetAccess': 'Disabled' } },
    },
  ],
  'SageMaker-005': [
    // CreateDomain: the default is PublicInternetOnly, so an omitted value is denied, as above.
    {
      Sid: 'CloudConformSageMaker005DenyCreateDomainNotVpcOnly',
      Effect: 'Deny',
      Action: ['sagemaker:CreateDomain'],
      Resource: '*',
      Condition: { StringNotEquals: { 'sagemaker:AppNetworkAccessType': 'VpcOnly' } },
    },
    // UpdateDomain without AppNetworkAccessType leaves the setting as it is and must pass (every
    // other domain update would be blocked otherwise). StringNotEquals alone, or
    // StringNotEqualsIfExists, would deny it (a missing key makes both true); `Null: false`
    // (the key is present) ANDed with StringNotEquals denies only a request that sets another value.
    {
      Sid: 'CloudConformSageMaker005DenyUpdateDomainAwayFromVpcOnly',
      Effect: 'Deny',
      Action: ['sagemaker:UpdateDomain'],
      Resource: '*',
      Condition: {
        StringNotEquals: { 'sagemaker:AppNetworkAccessType': 'VpcOnly' },
        Null: { 'sagemaker:AppNetworkAccessType': 'false' },
      },
    },
  ],
};

/** Rule ids that have a preventive policy, in rule order. */
export const GUARDRAIL_RULE_IDS: readonly string[] = Object.keys(GUARDRAILS);

export function hasGuardrail(ruleId: string): boolean {
  return Object.hasOwn(GUARDRAILS, ruleId);
}

/**
 * Maximum policy sizes, in characters. SCP: 5,120 (AWS Organizations quotas; whitespace counts
 * when the document is stored as given, so the printed, indented form must fit). IAM customer
 * managed policy: 6,144 (IAM quotas, whitespace not counted).
 */
export const POLICY_SIZE_LIMITS: Readonly<Record<GuardrailType, number>> = { scp: 5120, iam: 6144 };

/** What each document is and where it goes: the header line of the text output. */
export const GUARDRAIL_DESCRIPTIONS: Readonly<Record<GuardrailType, string>> = {
  scp:
    'Service control policy: attach with AWS Organizations to the root, an OU or an account ' +
    '(aws organizations create-policy --type SERVICE_CONTROL_POLICY). It binds every principal ' +
    "there, except the management account's and service-linked roles.",
  iam:
    'IAM policy: attach to the roles, groups or users that create notebooks and Studio domains ' +
    '(aws iam create-policy), where no SCP applies. As a permissions boundary it needs Allow ' +
    'statements as well: a boundary of Deny statements alone allows nothing.',
};

/**
 * The policy of `type` for `ruleIds` (canonical ids with a guardrail, see `hasGuardrail`): one
 * document of Deny statements. The SCP and the IAM policy hold the same statements; they differ in
 * where they are attached and what they bind.
 */
export function guardrailPolicy(type: GuardrailType, ruleIds: readonly string[] = GUARDRAIL_RULE_IDS): PolicyDocument {
  if (!GUARDRAIL_TYPES.includes(type)) throw new Error(`no guardrail policy type '${type}' (scp or iam)`);
  if (ruleIds.length === 0) throw new Error('no rules selected for the guardrail policy');
  const statements: DenyStatement[] = [];
  for (const id of GUARDRAIL_RULE_IDS.filter((id) => ruleIds.includes(id))) statements.push(...structuredClone(GUARDRAILS[id]!));
  const unknown = ruleIds.filter((id) => !hasGuardrail(id));
  if (unknown.length > 0) throw new Error(`no preventive policy for ${unknown.join(', ')} (there is one for ${GUARDRAIL_RULE_IDS.join(', ')})`);
  return { Version: '2012-10-17', Statement: statements };
}

/** The policy as printed and documented: 2-space indented JSON, no final newline. */
export function renderPolicy(doc: PolicyDocument): string {
  return JSON.stringify(doc, null, 2);
}
