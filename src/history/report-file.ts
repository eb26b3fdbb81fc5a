// A JSON report given as a file (`diff a.json b.json`, `report --standard … report.json`, exports):
// read within a size bound, recognised (another tool's JSON, a newer version, a truncated file each
// get their own message naming the file) and validated against the version 1 contract, so every
// reader downstream can trust the shape: strings are strings, risks and verdicts are known values,
// unknown fields are dropped, and no object carries a `__proto__` key.
import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ScanReport } from '../model/report';
import { RISK_ORDER } from '../rules/rule';

/**
 * The largest report file read: 256 MiB. A report of 50,000 live findings (the issue's largest
 * history) is 43 MB and parses in 0.35 s; 256 MiB is about 300,000 findings, parsed in about 1.5 s
 * with under 1 GB of heap. V8's longest string (about 512 MiB) would refuse more with a less
 * helpful error anyway.
 */
export const MAX_REPORT_FILE_BYTES = 256 * 1024 * 1024;

/** A report file that can't be used: the message names the file and says why. Commands exit 2. */
export class ReportFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ReportFileError';
  }
}

/** Reads and validates a JSON report file (see the file header); throws ReportFileError. */
export function readReportFile(path: string, maxBytes = MAX_REPORT_FILE_BYTES): ScanReport {
  return parseReport(readBounded(path, maxBytes), path);
}

function readBounded(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new ReportFileError(path, `can't read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new ReportFileError(path, 'is a directory, not a JSON report');
    const tooLarge = () => new ReportFileError(path, `is larger than ${MAX_LABEL(maxBytes)}, the most a report file may be`);
    if (stat.isFile() && stat.size > maxBytes) throw tooLarge();
    // Read to the end, never past the bound: a pipe or a device has no size to check first.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooLarge();
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof ReportFileError) throw e;
    throw new ReportFileError(path, `can't read: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

const MAX_LABEL = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${bytes} bytes`);

/** Parses and validates a report's bytes; `name` is the file the messages name. */
export function parseReport(bytes: Buffer, name: string): ScanReport {
  if (bytes.length === 0) throw new ReportFileError(name, 'is empty, not a JSON report');
  // A BOM is allowed (some editors write one); any byte that is not UTF-8 refuses the file.
  if (!isUtf8(bytes)) throw new ReportFileError(name, 'is not UTF-8 text, so not a JSON report');
  // Memory grows with the number of JSON values, not bytes: 252 MiB of `{}` took 7 GB and ended
  // in V8's out-of-memory abort (red team). Counted before parsing, without building anything.
  const values = jsonValueCount(bytes);
  if (values > MAX_REPORT_VALUES) {
    throw new ReportFileError(name, `holds more than ${MAX_REPORT_VALUES.toLocaleString('en-US')} JSON values, more than a report of 100,000 findings: refused`);
  }
  const text = bytes.toString('utf8', bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const truncated = /end of (JSON )?input|Unterminated/i.test((e as Error).message);
    throw new ReportFileError(name, `is not valid JSON${truncated ? ' (cut short?)' : ''}: ${(e as Error).message}`);
  }
  const hostile = prototypeKey(data);
  if (hostile !== undefined) throw new ReportFileError(name, `has a "__proto__" key at ${hostile}: refused`);
  const other = otherKind(data);
  if (other) throw new ReportFileError(name, other);
  const validate = validator();
  if (!validate(data)) throw new ReportFileError(name, `is not a valid cloudconform report: ${describe(validate.errors ?? [])}`);
  return data as unknown as ScanReport;
}

/**
 * The most JSON values (objects, arrays and the items and members in them) a report file may hold:
 * a report of 50,000 findings holds about 1.3 million.
 */
export const MAX_REPORT_VALUES = 4_000_000;

/** How many values a JSON text holds, about: containers and separators outside strings, plus one. */
function jsonValueCount(bytes: Buffer): number {
  let n = 1;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c) i++; // a backslash escapes the next byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x2c || b === 0x7b || b === 0x5b) n++;
  }
  return n;
}

/** The path of the first `__proto__` key anywhere in a parsed value (iterative: nesting depth is the file's). */
function prototypeKey(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length) {
    const [value, at] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      // Only objects and arrays are looked into: a path for every string of a long list cost 1.7 GB.
      for (let i = value.length - 1; i >= 0; i--) if (typeof value[i] === 'object' && value[i] !== null) stack.push([value[i], `${at}/${i}`]);
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return at || '/';
    for (const [k, v] of Object.entries(value)) if (typeof v === 'object' && v !== null) stack.push([v, `${at}/${k}`]);
  }
  return undefined;
}

/** Another tool's JSON, or another kind of cloudconform file, said as such. */
function otherKind(data: unknown): string | undefined {
  const looksLikeCheckov = (v: unknown) => isObject(v) && 'check_type' in v && isObject(v.results);
  if (Array.isArray(data)) {
    if (data.length > 0 && data.every(looksLikeCheckov)) return "is Checkov's JSON output, not a cloudconform JSON report (write one with 'cloudconform scan --format json')";
    return 'is a JSON array, not a cloudconform JSON report (an object with version, tool, findings)';
  }
  if (!isObject(data)) return 'is not a cloudconform JSON report (an object with version, tool, findings)';
  if ((typeof data.$schema === 'string' && /sarif/i.test(data.$schema)) || (typeof data.version === 'string' && Array.isArray(data.runs))) {
    return "is a SARIF log, not a cloudconform JSON report (write one with 'cloudconform scan --format json')";
  }
  if (looksLikeCheckov(data)) return "is Checkov's JSON output, not a cloudconform JSON report (write one with 'cloudconform scan --format json')";
  if (Array.isArray(data.vulnerabilities) && isObject(data.scan)) return 'is a GitLab SAST report, not a cloudconform JSON report (use --format json)';
  if (data.kind === 'diff') return "is a cloudconform diff, not a report: give the two reports it compared";
  if (Array.isArray(data.entries) && 'created' in data) return 'is a cloudconform baseline, not a report';
  const tool = isObject(data.tool) ? data.tool.name : undefined;
  if (tool !== undefined && tool !== 'cloudconform') return `was written by ${typeof tool === 'string' ? JSON.stringify(tool.slice(0, 60)) : 'another tool'}, not cloudconform`;
  if (typeof data.version === 'number' && Number.isInteger(data.version) && data.version > 1) {
    return `is a version ${data.version} report, written by a newer cloudconform (this one reads version 1): upgrade cloudconform to read it`;
  }
  if (data.version !== 1 && !('findings' in data)) return 'is not a cloudconform JSON report (an object with version, tool, findings)';
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(errors: ErrorObject[]): string {
  const e = errors[0];
  if (!e) return 'does not match the version 1 contract';
  const where = e.instancePath || '/';
  const allowed = Array.isArray(e.params?.allowedValues) ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : '';
  return `${where} ${e.message ?? 'is invalid'}${allowed}`;
}

// The version 1 contract (src/model/report.ts). Fixed-shape objects drop fields they don't know
// (ajv's removeAdditional): a newer 0.x report's additions are ignored, and nothing unexpected
// reaches a reporter.
const str = { type: 'string' } as const;
const int = { type: 'integer', minimum: 0 } as const;
const strings = { type: 'array', items: str } as const;
const closed = (required: string[], properties: Record<string, unknown>) => ({ type: 'object', required, properties, additionalProperties: false });
const suppression = (required: string[]) =>
  closed(['reason', 'source', ...required], {
    reason: str,
    source: { type: 'string', enum: ['inline', 'checkov', 'config', 'baseline'] },
    file: str,
    line: int,
    expires: str,
  });
const risk = { type: 'string', enum: [...RISK_ORDER] };
const problem = closed(['file', 'message'], { file: str, message: str, line: int, account: str, region: str, call: str, resourceType: str });

export const REPORT_SCHEMA = closed(['version', 'tool', 'rules', 'findings', 'errors', 'summary'], {
  version: { type: 'integer', const: 1 },
  tool: closed(['name', 'version'], { name: { type: 'string', const: 'cloudconform' }, version: str }),
  rules: {
    type: 'array',
    items: closed(['id', 'title', 'risk'], {
      id: str,
      title: str,
      risk,
      standards: { ...strings, default: [] },
      resourceTypes: { ...strings, default: [] },
      rationale: { ...str, default: '' },
      remediation: { ...str, default: '' },
      references: { ...strings, default: [] },
      aliases: { type: 'array', items: closed(['tool', 'id'], { tool: str, id: str }), default: [] },
    }),
  },
  findings: {
    type: 'array',
    items: closed(['ruleId', 'result', 'resource', 'location', 'message', 'risk', 'suppressed'], {
      ruleId: str,
      result: { type: 'string', enum: ['pass', 'fail', 'unknown'] },
      resource: closed(['type', 'id', 'source'], {
        type: str,
        id: str,
        source: str,
        details: { type: 'object', additionalProperties: str },
        root: str,
        live: closed(['account', 'region', 'arn'], { account: str, region: str, arn: str }),
        tags: { type: 'object', additionalProperties: str },
      }),
      location: closed(['file', 'line'], { file: str, line: int, column: int }),
      message: str,
      risk,
      suppressed: { type: 'boolean' },
      suppression: suppression([]),
      expiredSuppression: suppression(['expires']),
    }),
  },
  errors: { type: 'array', items: problem },
  warnings: { type: 'array', items: problem },
  notes: { type: 'array', items: closed(['message'], { message: str, file: str, line: int, account: str, region: str }) },
  summary: closed(['resources', 'findings', 'pass', 'fail', 'unknown', 'suppressed', 'errors', 'filesScanned', 'failing'], {
    resources: int,
    findings: int,
    pass: int,
    fail: int,
    unknown: int,
    suppressed: int,
    errors: int,
    filesScanned: int,
    failing: int,
    expiredSuppressions: int,
    warnings: int,
  }),
  run: closed(['id', 'command', 'startedAt', 'endedAt', 'scope', 'evaluated'], {
    id: str,
    command: { type: 'string', enum: ['scan', 'audit', 'event'] },
    startedAt: str,
    endedAt: str,
    scope: closed(['key', 'label'], { key: str, label: str }),
    evaluated: closed([], {
      files: strings,
      regions: { type: 'array', items: closed(['account', 'region', 'ruleIds'], { account: str, region: str, ruleIds: strings }) },
      resources: { type: 'array', items: closed(['account', 'region', 'arn', 'ruleIds'], { account: str, region: str, arn: str, ruleIds: strings }) },
    }),
  }),
});

let compiled: ValidateFunction | undefined;

/** Compiled once, on first use (about 20 ms). */
function validator(): ValidateFunction {
  compiled ??= new Ajv({ removeAdditional: true, useDefaults: true, allErrors: false, strict: true }).compile(REPORT_SCHEMA);
  return compiled;
}
