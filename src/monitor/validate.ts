// What `monitor deploy` writes into templates from its options: each value is checked against
// what AWS accepts, so a name, account id, notification target or schedule can't carry YAML or
// HCL (a line break, a quote, `${…}`) into the emitted code. The emitters escape every string as
// well; this is the first of the two walls, and the clearer error.
import { NotifyTargetError, parseNotifyTarget, parseNotifyTargets } from '../notify/targets';

export class MonitorUsageError extends Error {}

const UNIT_SINGULAR = { minute: 'minute', minutes: 'minute', hour: 'hour', hours: 'hour', day: 'day', days: 'day' } as const;

/**
 * EventBridge's schedule expressions: `rate(N unit)` (N ≥ 1, `minute`/`hour`/`day` for 1, the
 * plural otherwise) or `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, with the fields,
 * ranges and wildcards AWS documents ("Schedule types on EventBridge Scheduler", "Creating an
 * Amazon EventBridge rule that runs on a schedule"). Anything else is refused with the reason.
 */
export function validateSchedule(expression: string): string {
  const fail = (why: string): never => {
    throw new MonitorUsageError(`--schedule ${JSON.stringify(expression)}: ${why}`);
  };
  const rate = /^rate\((\S+) (\S+)\)$/.exec(expression);
  if (rate) {
    const [, value, unit] = rate as unknown as [string, string, string];
    if (!/^[1-9]\d{0,8}$/.test(value)) fail('the rate is a whole number of at least 1, such as rate(1 day) or rate(12 hours)');
    const singular = UNIT_SINGULAR[unit as keyof typeof UNIT_SINGULAR];
    if (!singular) fail('the unit is minute(s), hour(s) or day(s)');
    const n = Number(value);
    const want = n === 1 ? singular : `${singular}s`;
    if (unit !== want) fail(`write rate(${value} ${want}): AWS takes the singular for 1 and the plural otherwise`);
    return expression;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) {
    const fields = cron[1]!.split(' ');
    if (fields.length !== 6 || fields.some((f) => f === '')) {
      fail('a cron expression has six fields separated by single spaces: Minutes Hours Day-of-month Month Day-of-week Year, such as cron(0 3 * * ? *)');
    }
    CRON_FIELDS.forEach((spec, i) => {
      const why = cronFieldError(fields[i]!, spec);
      if (why) fail(`${spec.name} field ${JSON.stringify(fields[i])}: ${why}`);
    });
    const [dom, dow] = [fields[2], fields[4]];
    if ((dom === '?') === (dow === '?')) fail('exactly one of Day-of-month and Day-of-week must be ? (AWS does not take both, nor neither)');
    return expression;
  }
  return fail('expected rate(N minute|minutes|hour|hours|day|days) or cron(Minutes Hours Day-of-month Month Day-of-week Year), such as rate(1 day)');
}

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** `/` increments */
  step: boolean;
  question?: boolean;
  /** Day-of-month: `L`, `NW`. Day-of-week: `L`, `NL`, `N#K`. */
  special?: 'dom' | 'dow';
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const CRON_FIELDS: readonly CronField[] = [
  { name: 'Minutes', min: 0, max: 59, step: true },
  { name: 'Hours', min: 0, max: 23, step: true },
  { name: 'Day-of-month', min: 1, max: 31, step: true, question: true, special: 'dom' },
  { name: 'Month', min: 1, max: 12, names: MONTHS, step: true },
  { name: 'Day-of-week', min: 1, max: 7, names: DAYS, step: false, question: true, special: 'dow' },
  { name: 'Year', min: 1970, max: 2199, step: true },
];

function cronValue(text: string, spec: CronField): number | undefined {
  if (/^\d{1,4}$/.test(text)) {
    const n = Number(text);
    return n >= spec.min && n <= spec.max ? n : undefined;
  }
  const i = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  return i >= 0 ? i + 1 : undefined;
}

function cronFieldError(field: string, spec: CronField): string | undefined {
  const range = `${spec.min}-${spec.max}${spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : ''}`;
  if (field === '?') return spec.question ? undefined : '? is only for Day-of-month and Day-of-week';
  if (spec.special === 'dom' && (field === 'L' || /^([1-9]|[12]\d|3[01])W$/.test(field))) return undefined;
  if (spec.special === 'dow' && (field === 'L' || /^[1-7]L$/.test(field) || /^[1-7]#[1-5]$/.test(field))) return undefined;
  for (const item of field.split(',')) {
    if (item === '') return 'an empty list item';
    const [base, step, extra] = item.split('/');
    if (extra !== undefined) return 'more than one /';
    if (step !== undefined) {
      if (!spec.step) return '/ increments are not allowed in this field';
      if (!/^[1-9]\d{0,3}$/.test(step) || Number(step) > spec.max) return `the increment after / is a number from 1 to ${spec.max}`;
    }
    if (base === '*') continue;
    const [from, to, more] = base!.split('-');
    if (more !== undefined) return `a range is two values, within ${range}`;
    const a = cronValue(from!, spec);
    if (a === undefined) return `values are ${range}, with , - *${spec.step ? ' /' : ''}${spec.question ? ' ?' : ''}${spec.special === 'dom' ? ' L W' : spec.special === 'dow' ? ' L #' : ''}`;
    if (to !== undefined) {
      const b = cronValue(to, spec);
      if (b === undefined) return `values are ${range}`;
      if (b < a) return 'a range goes from the lower value to the higher';
    }
  }
  return undefined;
}

/** IAM role names: 1-64 of letters, digits and `+=,.@_-` (IAM's own pattern). */
export function validateRoleName(name: string): string {
  if (!/^[\w+=,.@-]{1,64}$/.test(name)) {
    throw new MonitorUsageError(`--role-name ${JSON.stringify(name)}: an IAM role name is 1 to 64 letters, digits and + = , . @ _ - (no path)`);
  }
  return name;
}

export function validateAccountId(id: string): string {
  if (!/^\d{12}$/.test(id)) throw new MonitorUsageError(`--accounts: ${JSON.stringify(id)} is not an AWS account id (12 digits)`);
  return id;
}

/** Where findings go besides the stack's own SNS topic. */
export type MonitorNotifyTarget =
  | { kind: 'sns'; arn: string }
  /** The URL is a secret (whoever has it can post): a NoEcho parameter / sensitive variable, never written. */
  | { kind: 'slack' }
  /** The same: a token often sits in a webhook URL's path or query. */
  | { kind: 'webhook' };

/**
 * A target as the handler will read it from CLOUDCONFORM_NOTIFY (the notifier's own parser), from
 * the value itself only: `env:NAME` would name a variable of the Lambda function, not this shell.
 */
function handlerTarget(value: string, fail: (why: string) => never): void {
  if (/=\s*env:/i.test(value)) fail('env:NAME is for the command line: give the value itself');
  try {
    parseNotifyTarget(value, {});
    // One target, not two: the list splits before `,KIND=` and at spaces.
    if (parseNotifyTargets(value, {}).length !== 1) fail('the handler would read this as more than one target');
  } catch (e) {
    if (e instanceof NotifyTargetError) fail(e.message.replace(/^--notify:?\s*/, ''));
    throw e;
  }
}

/**
 * A refused value as an error may show it: an SNS ARN as given (cut), a URL only as its scheme and
 * host (`webhook=https://hooks.example.com/…`): its path, query and user info are secrets (a Slack
 * URL, a token, a password), and stderr ends up in CI logs.
 */
function shownTarget(value: string): string {
  const eq = value.indexOf('=');
  if (eq < 0) return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  const kind = value.slice(0, eq);
  const target = value.slice(eq + 1);
  const shownKind = kind.length > 40 ? `${kind.slice(0, 40)}…` : kind;
  if (kind === 'sns' && !/:\/\//.test(target)) return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  let host = '';
  try {
    const url = new URL(target);
    if (url.host && /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol)) host = `${url.protocol}//${url.host}/`;
  } catch {
    // not a URL: nothing of it is shown
  }
  return JSON.stringify(`${shownKind}=${host.length > 200 ? `${host.slice(0, 200)}…` : host}…`);
}

export function parseMonitorNotify(value: string): MonitorNotifyTarget {
  const fail = (why: string): never => {
    throw new MonitorUsageError(`--notify ${shownTarget(value)}: ${why}`);
  };
  const eq = value.indexOf('=');
  const kind = eq < 0 ? value : value.slice(0, eq);
  const target = eq < 0 ? undefined : value.slice(eq + 1);
  switch (kind) {
    case 'sns':
      if (target === undefined) fail('expected sns=arn:aws:sns:REGION:ACCOUNT:TOPIC');
      if (/[^\x21-\x7e]/.test(target!)) fail('an ARN has no spaces or control characters');
      handlerTarget(value, fail);
      return { kind: 'sns', arn: target! };
    case 'slack':
      if (target !== undefined) {
        fail(
          'a Slack webhook URL is a secret and is not written into templates: give --notify slack and pass the URL at deployment ' +
            '(CloudFormation parameter SlackWebhookUrl, NoEcho; Terraform variable slack_webhook_url, sensitive)',
        );
      }
      return { kind: 'slack' };
    case 'webhook':
      if (target !== undefined) {
        fail(
          'a webhook URL is a secret (a token often sits in its path or query) and is not written into templates: give --notify webhook ' +
            'and pass the URL at deployment (CloudFormation parameter WebhookUrl, NoEcho; Terraform variable webhook_url, sensitive)',
        );
      }
      return { kind: 'webhook' };
    default:
      return fail('expected sns=ARN, slack or webhook (the URLs are deployment parameters)');
  }
}
