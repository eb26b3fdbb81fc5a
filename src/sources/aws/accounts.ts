import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { liveLocator } from '../../model/location';
import type { ScanError } from '../source';
import { AUDIT_ACTIONS, type AuditAction } from './actions';
import type { AwsClientFactory, AwsCredentials, CallLimiter } from './clients';
import { AuditOptionsError, describeAwsError } from './errors';
import { listPages } from './paging';
import { partitionOfArn, partitionOfRegion } from './regions';

/** Which accounts to audit, as given on the command line. */
export interface AccountSelection {
  profile?: string;
  /** One account, through this role. */
  roleArn?: string;
  /** These accounts, each through `roleName`. */
  accounts?: string[];
  roleName?: string;
  /** Every active account of the caller's AWS Organization, each through `roleName`. */
  organization?: boolean;
  externalId?: string;
}

/** An account ready to audit: its credentials are known to work. */
export interface AuditAccount {
  id: string;
  partition: string;
  credentials: AwsCredentials;
}

export interface AccountPlan {
  accounts: AuditAccount[];
  errors: ScanError[];
}

export const ROLE_SESSION_NAME = 'cloudconform-audit';
/** Who made an account-wide call that failed before any account was known. */
const CALLER = 'caller';
const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:[a-z-]+:iam::(\d{12}):role\/[\w+=,.@/-]+$/;
// Refresh an assumed role's credentials this long before they expire.
const REFRESH_MARGIN_MS = 5 * 60_000;

/** Rejects contradictory or incomplete selections before any call is made. */
export function validateAccountSelection(s: AccountSelection): void {
  const modes = [s.roleArn && '--role-arn', s.accounts && '--accounts', s.organization && '--organization'].filter(Boolean);
  if (modes.length > 1) throw new AuditOptionsError(`${modes.join(' and ')} can't be combined: choose one way to name the accounts`);
  if (s.roleArn && !ROLE_ARN.test(s.roleArn)) {
    throw new AuditOptionsError(`--role-arn '${s.roleArn}' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)`);
  }
  if (s.accounts) {
    if (s.accounts.length === 0) throw new AuditOptionsError('--accounts: give at least one account id');
    const bad = s.accounts.find((id) => !ACCOUNT_ID.test(id));
    if (bad !== undefined) throw new AuditOptionsError(`--accounts: '${bad}' is not a 12-digit AWS account id`);
  }
  if ((s.accounts || s.organization) && !s.roleName) {
    throw new AuditOptionsError(`${s.accounts ? '--accounts' : '--organization'} needs --role-name: the role to assume in each account`);
  }
  if (s.roleName && !s.accounts && !s.organization) {
    throw new AuditOptionsError('--role-name is used with --accounts or --organization (for one role, use --role-arn)');
  }
  if (s.externalId !== undefined && !s.roleArn && !s.roleName) {
    throw new AuditOptionsError('--external-id is used when assuming a role (--role-arn, --accounts or --organization)');
  }
}

/** The caller's credentials: the SDK's default chain, or the shared config `profile`. */
export function callerCredentialChain(profile: string | undefined): AwsCredentials {
  return fromNodeProviderChain(profile ? { profile } : {});
}

/** Whether the selection audits the caller's own account only, with its own credentials. */
export function auditsCallerOnly(selection: AccountSelection): boolean {
  return !selection.roleArn && !selection.accounts && !selection.organization;
}

/**
 * Resolves a selection (checked by `validateAccountSelection`) to accounts with working
 * credentials. The caller's identity comes from `callerCredentials` (`callerCredentialChain`);
 * roles are assumed through the regional STS endpoint of `homeRegion`. An account whose role
 * can't be assumed is an error entry; the others go on.
 */
export async function resolveAccounts(
  factory: AwsClientFactory,
  homeRegion: string,
  callerCredentials: AwsCredentials,
  selection: AccountSelection,
  call: CallLimiter,
): Promise<AccountPlan> {
  const sts = factory.sts(homeRegion, callerCredentials);
  const errors: ScanError[] = [];
  const fail = (account: string, action: AuditAction, e: unknown) =>
    errors.push({ file: liveLocator(account), ...(account === CALLER ? {} : { account }), call: action.action, message: describeAwsError(e) });

  const assume = async (id: string, partition: string, roleArn: string): Promise<AuditAccount | undefined> => {
    try {
      return await assumeAccount(sts, id, partition, roleArn, selection.externalId, call);
    } catch (e) {
      fail(id, AUDIT_ACTIONS.assumeRole, e);
      return undefined;
    }
  };
  const found = (accounts: (AuditAccount | undefined)[]): AccountPlan => ({ accounts: accounts.filter((a) => a !== undefined), errors });

  if (selection.roleArn) {
    const id = ROLE_ARN.exec(selection.roleArn)![1]!;
    return found([await assume(id, partitionOfArn(selection.roleArn)!, selection.roleArn)]);
  }

  let caller: { id: string; partition: string };
  try {
    const identity = await call((abortSignal) => sts.send(new GetCallerIdentityCommand({}), { abortSignal }));
    if (!identity.Account) throw new Error('GetCallerIdentity returned no account');
    caller = { id: identity.Account, partition: partitionOfArn(identity.Arn ?? '') ?? partitionOfRegion(homeRegion) };
  } catch (e) {
    fail(CALLER, AUDIT_ACTIONS.getCallerIdentity, e);
    return { accounts: [], errors };
  }
  const self: AuditAccount = { ...caller, credentials: callerCredentials };
  if (auditsCallerOnly(selection)) return { accounts: [self], errors };

  let ids: string[];
  if (selection.accounts) {
    ids = [...new Set(selection.accounts)];
  } else {
    const listed = await listActiveOrganizationAccounts(factory, homeRegion, callerCredentials, call);
    ids = listed.ids;
    // The accounts listed before a failure are still audited; the error says the list is incomplete.
    if (listed.error !== undefined) fail(caller.id, AUDIT_ACTIONS.listAccounts, listed.error);
    else if (ids.length === 0) {
      fail(caller.id, AUDIT_ACTIONS.listAccounts, new Error('the organization lists no active account, not even its management account: the answer can\'t be right'));
    }
    if (listed.malformed.length > 0) {
      const shown = listed.malformed.slice(0, 3).map((id) => JSON.stringify(id.slice(0, 40)));
      fail(caller.id, AUDIT_ACTIONS.listAccounts, new Error(`${listed.malformed.length} listed account id(s) are not 12 digits and are not audited: ${shown.join(', ')}`));
    }
  }

  return found(
    await Promise.all(
      // The caller's own account is audited with its own credentials: the audit role is usually
      // deployed to member accounts only (StackSets skip the management account).
      ids.map((id) => (id === caller.id ? self : assume(id, caller.partition, `arn:${caller.partition}:iam::${id}:role/${selection.roleName}`))),
    ),
  );
}

/** The organization's active accounts, sorted; on a failure, those listed before it and the error. (Also the event handler's allow-list.) */
export async function listActiveOrganizationAccounts(
  factory: AwsClientFactory,
  homeRegion: string,
  credentials: AwsCredentials,
  call: CallLimiter,
): Promise<{ ids: string[]; malformed: string[]; error?: unknown }> {
  const organizations = factory.organizations(homeRegion, credentials);
  const ids = new Set<string>();
  // An id goes into a role ARN: anything but 12 digits is not an account, whatever the endpoint says.
  const malformed = new Set<string>();
  try {
    const pages = listPages(
      (NextToken) => call((abortSignal) => organizations.send(new ListAccountsCommand(NextToken ? { NextToken } : {}), { abortSignal })),
      (page) => page.NextToken,
    );
    for await (const page of pages) {
      for (const account of page.Accounts ?? []) {
        // `State` replaces the deprecated `Status`; either may be what an endpoint returns.
        if ((account.State ?? account.Status) !== 'ACTIVE') continue;
        if (account.Id && ACCOUNT_ID.test(account.Id)) ids.add(account.Id);
        else malformed.add(String(account.Id ?? ''));
      }
    }
    return { ids: [...ids].sort(), malformed: [...malformed] };
  } catch (error) {
    return { ids: [...ids].sort(), malformed: [...malformed], error };
  }
}

/** Assumes the role once now, so a failure is known before the account is audited. */
async function assumeAccount(
  sts: STSClient,
  id: string,
  partition: string,
  roleArn: string,
  externalId: string | undefined,
  call: CallLimiter,
): Promise<AuditAccount> {
  const credentials = assumedRoleCredentials(sts, roleArn, externalId, call);
  await credentials();
  return { id, partition, credentials };
}

/**
 * A credential provider for one role, shared by every client of the account: one AssumeRole,
 * then a new one shortly before the session expires (long multi-account audits outlive it, and a
 * warm Lambda function keeps it across invocations).
 */
export function assumedRoleCredentials(sts: STSClient, roleArn: string, externalId: string | undefined, call: CallLimiter) {
  let session: ReturnType<typeof assume> | undefined;
  let refreshAt = 0;
  const assume = async () => {
    const { Credentials: c } = await call((abortSignal) =>
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: ROLE_SESSION_NAME, ...(externalId !== undefined ? { ExternalId: externalId } : {}) }), { abortSignal }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    refreshAt = c.Expiration ? c.Expiration.getTime() - REFRESH_MARGIN_MS : Infinity;
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
  return () => {
    if (!session || Date.now() >= refreshAt) {
      refreshAt = Infinity; // one AssumeRole at a time
      const attempt = assume();
      session = attempt;
      attempt.catch(() => {
        if (session === attempt) session = undefined; // the next call tries again
      });
    }
    return session;
  };
}
