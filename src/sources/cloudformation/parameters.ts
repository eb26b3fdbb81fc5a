import { parse as parseJson, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { hasOwn, isMapping, own, setOwn, type Mapping } from './objects';

/**
 * Parameter values given for a deployment (`--parameter`, `--parameters-file`), as
 * `aws cloudformation deploy --parameter-overrides` would pass them. Plain data: it travels to
 * worker threads.
 */

/**
 * A value for one parameter: its text, or unknown (`UsePreviousValue`: the stack's current value),
 * or, passed by a parent stack, present but known only at deploy time (`deployTime` says what it
 * is, e.g. `parameter ParentSubnet (AWS::EC2::Subnet::Id)`).
 */
export type GivenParameter = { value: string } | { unknown: string } | { deployTime: string; mayBeEmpty: boolean };

/** Given values by parameter name (own keys only: read with `hasOwn`). */
export type GivenParameters = Record<string, GivenParameter>;

/** A parameters file or `--parameter` that can't be used; the message names the file (and line). */
export class ParameterInputError extends Error {}

/** CloudFormation parameter names are alphanumeric: anything else would match no template. */
const PARAMETER_NAME = /^[A-Za-z0-9]+$/;

function checkName(name: string, where: string): void {
  if (!PARAMETER_NAME.test(name)) {
    throw new ParameterInputError(`${where}: '${name}' is not a CloudFormation parameter name (letters and digits only)`);
  }
}

/** `NAME=VALUE` from `--parameter`; the value may be empty or hold `=`. */
export function parseParameterOverride(spec: string): [string, GivenParameter] {
  const eq = spec.indexOf('=');
  if (eq < 1) throw new ParameterInputError(`--parameter '${spec}': expected NAME=VALUE`);
  const name = spec.slice(0, eq);
  checkName(name, '--parameter');
  return [name, { value: spec.slice(eq + 1) }];
}

/**
 * Reads a parameters file in any of the formats users already keep:
 * - the AWS CLI's `[{"ParameterKey": "K", "ParameterValue": "V"}]` (`UsePreviousValue: true` → unknown);
 * - CodePipeline / SAM template configuration `{"Parameters": {"K": "V"}, "Tags": {...}}`;
 * - a plain object `{"K": "V"}`.
 */
export function parseParametersFile(file: string, text: string): GivenParameters {
  const errors: ParseError[] = [];
  const data: unknown = parseJson(text.replace(/^\uFEFF/, ''), errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new ParameterInputError(`${file}:${lineAt(text, first.offset)}: not valid JSON (${printParseErrorCode(first.error)})`);
  }
  const out: GivenParameters = {};
  if (Array.isArray(data)) {
    data.forEach((entry: unknown, index) => {
      const where = `${file}: entry ${index + 1}`;
      if (!isMapping(entry)) throw new ParameterInputError(`${where} must be an object with ParameterKey and ParameterValue`);
      const key = own(entry, 'ParameterKey');
      if (typeof key !== 'string') throw new ParameterInputError(`${where} has no ParameterKey`);
      checkName(key, where);
      if (own(entry, 'UsePreviousValue') === true) {
        setOwn(out, key, { unknown: `parameter ${key} keeps the stack's previous value (UsePreviousValue in ${file}), known only to the deployed stack` });
        return;
      }
      if (!hasOwn(entry, 'ParameterValue')) throw new ParameterInputError(`${where} (${key}) has neither ParameterValue nor UsePreviousValue: true`);
      setOwn(out, key, { value: scalarText(own(entry, 'ParameterValue'), `${where} (${key}): ParameterValue`) });
    });
    return out;
  }
  if (!isMapping(data)) {
    throw new ParameterInputError(
      `${file}: expected [{"ParameterKey": ..., "ParameterValue": ...}], {"Parameters": {...}} or {"Name": "value"}, found ${data === null ? 'null' : typeof data}`,
    );
  }
  // Template configuration files hold Parameters beside Tags and StackPolicy.
  const parameters = own(data, 'Parameters');
  const values: Mapping = isMapping(parameters) ? parameters : data;
  for (const key of Object.keys(values)) {
    checkName(key, file);
    setOwn(out, key, { value: scalarText(values[key], `${file}: ${key}`) });
  }
  return out;
}

/** Parameter values are text to CloudFormation; numbers and booleans are accepted as their text. */
function scalarText(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const found = value === null ? 'null' : Array.isArray(value) ? 'a list (give a list as comma-separated text)' : typeof value === 'object' ? 'an object' : typeof value;
  throw new ParameterInputError(`${where} must be text, found ${found}`);
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The values a deployment would get: files in order, then `--parameter` overrides; later wins.
 * `readFile` reads a file's text (throws when it can't).
 */
export function collectGivenParameters(files: readonly string[], overrides: readonly string[], readFile: (file: string) => string): GivenParameters {
  const out: GivenParameters = {};
  for (const file of files) {
    let text: string;
    try {
      text = readFile(file);
    } catch (e) {
      throw new ParameterInputError(`${file}: can't read the parameters file: ${(e as Error)?.message ?? String(e)}`);
    }
    Object.assign(out, parseParametersFile(file, text));
  }
  for (const spec of overrides) {
    const [name, given] = parseParameterOverride(spec);
    setOwn(out, name, given);
  }
  return out;
}

/**
 * Why CloudFormation would refuse `value` for this declaration, naming the constraint (never the
 * value: it may be secret); undefined when it is accepted. Lists are checked element by element.
 */
export function constraintViolation(name: string, declaration: Mapping, value: string): string | undefined {
  const type = own(declaration, 'Type');
  // An SSM type's constraints apply to the SSM parameter's name; the value given is what it holds.
  if (typeof type === 'string' && type.startsWith('AWS::SSM::Parameter::Value<')) return undefined;
  const items = typeof type === 'string' && isListType(type) ? splitList(value) : [value];
  if (type === 'Number' || type === 'List<Number>') {
    if (items.some((item) => item.trim() === '' || !Number.isFinite(Number(item)))) return `parameter ${name} is of type ${type}, and the value given is not a number`;
    const min = numberOf(own(declaration, 'MinValue'));
    const max = numberOf(own(declaration, 'MaxValue'));
    if (min !== undefined && items.some((item) => Number(item) < min)) return `the value given for parameter ${name} is below its MinValue ${min}`;
    if (max !== undefined && items.some((item) => Number(item) > max)) return `the value given for parameter ${name} is above its MaxValue ${max}`;
  }
  const allowed = own(declaration, 'AllowedValues');
  if (Array.isArray(allowed) && allowed.length > 0) {
    const texts = allowed.map((v) => String(v));
    if (items.some((item) => !texts.includes(item))) return `the value given for parameter ${name} is not one of its AllowedValues (${texts.join(', ')})`;
  }
  const pattern = own(declaration, 'AllowedPattern');
  if (typeof pattern === 'string') {
    const whole = compilePattern(pattern);
    if (whole && items.some((item) => !whole.test(item))) return `the value given for parameter ${name} does not match its AllowedPattern ${pattern}`;
  }
  const minLength = numberOf(own(declaration, 'MinLength'));
  const maxLength = numberOf(own(declaration, 'MaxLength'));
  if (minLength !== undefined && value.length < minLength) return `the value given for parameter ${name} is shorter than its MinLength ${minLength}`;
  if (maxLength !== undefined && value.length > maxLength) return `the value given for parameter ${name} is longer than its MaxLength ${maxLength}`;
  return undefined;
}

/** Parameter types whose text is a comma-separated list (SSM ones included, for a given value). */
export function isListType(typeName: string): boolean {
  const inner = /^AWS::SSM::Parameter::Value<(.*)>$/.exec(typeName)?.[1] ?? typeName;
  return inner === 'CommaDelimitedList' || inner.startsWith('List<');
}

/** How CloudFormation splits a list parameter's text. */
export function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim());
}

function numberOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** AllowedPattern must match the whole value (Java regex; the common subset is JavaScript's). */
function compilePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined; // a pattern JavaScript can't compile is left to CloudFormation
  }
}
