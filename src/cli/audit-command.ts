import { audit, AuditOptionsError, AwsCredentialsError, type AuditOptions, type AuditProgress } from '../engine/audit';
import { redactSecrets } from '../sources/aws/errors';
import { LIVE_KINDS } from '../sources/aws/registry';
import { runReportCommand, type ReportCommandOptions, type ReportSettings } from './report-command';
import { writeError } from './terminal';

export interface AuditCommandOptions extends ReportCommandOptions {
  profile?: string;
  regions?: string[];
  roleArn?: string;
  accounts?: string[];
  roleName?: string;
  organization?: boolean;
  externalId?: string;
  endpointUrl?: string;
  concurrency?: number;
  regionConcurrency?: number;
  maxAttempts?: number;
  /** `--timeout`, `--call-timeout`: milliseconds. */
  timeout?: number;
  callTimeout?: number;
}

/** Runs `cloudconform audit` and returns the exit code: 0 nothing failed, 1 failures, 2 incomplete or bad usage. */
export async function runAuditCommand(opts: AuditCommandOptions): Promise<number> {
  // The SDK warns on every run that its future releases will need a newer Node: news for whoever
  // upgrades the dependency, not for someone running this command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    return await runReportCommand(
      opts,
      (settings) => audit({ ...auditOptions(opts, settings), onProgress: (p) => settings.progress.update(progressText(p)) }),
      // Bad options, or credentials that can't be loaded: nothing can be audited, so no report.
      [AuditOptionsError, AwsCredentialsError],
    );
  } catch (e) {
    // Not a report: an internal failure, whose message may quote an SDK error, so redacted like a report.
    writeError(redactSecrets((e as Error)?.message ?? String(e)));
    return 2;
  }
}

/** The command line's options as `audit` takes them (validated there, before any call). */
export function auditOptions(opts: AuditCommandOptions, settings: Pick<ReportSettings, 'config' | 'failOn' | 'ruleIds'>): AuditOptions {
  const { profile, regions, roleArn, accounts, roleName, organization, externalId, endpointUrl, concurrency, regionConcurrency, maxAttempts } = opts;
  const given = {
    profile,
    regions,
    roleArn,
    accounts,
    roleName,
    organization,
    externalId,
    endpointUrl,
    concurrency,
    regionConcurrency,
    maxAttempts,
    timeoutMs: opts.timeout,
    callTimeoutMs: opts.callTimeout,
  };
  return {
    config: settings.config,
    failOn: settings.failOn,
    ...(settings.ruleIds ? { ruleIds: settings.ruleIds } : {}),
    ...(opts.verbose ? { noteUnusedExceptions: true } : {}),
    ...(opts.notifyTag?.length ? { keepTags: true } : {}),
    ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
  };
}

/** `Auditing: 12/34 regions in 2 accounts, 130 notebooks, 3 domains` */
export function progressText(p: AuditProgress): string {
  const accounts = `${p.accountsTotal} account${p.accountsTotal === 1 ? '' : 's'}`;
  const seen = LIVE_KINDS.map((kind) => `${p.seen[kind.type] ?? 0} ${kind.progressLabel}`);
  return `Auditing: ${p.regionsDone}/${p.regionsTotal} regions in ${accounts}, ${seen.join(', ')}`;
}
