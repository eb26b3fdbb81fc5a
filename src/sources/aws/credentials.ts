import { join } from 'node:path';
import { getHomeDir, getSSOTokenFromFile, loadSharedConfigFiles } from '@smithy/core/config';
import { printable } from '../../reporters/printable';
import type { AwsCredentials, CallLimiter } from './clients';
import { describeAwsError } from './errors';

/**
 * The caller's credentials could not be loaded: nothing can be audited. Its message says what to
 * do in one or two lines, and names secrets only by their variable or setting name.
 */
export class AwsCredentialsError extends Error {
  override name = 'AwsCredentialsError';
}

/**
 * Loads the caller's credentials once, before any call, so that a missing profile, an expired SSO
 * login or an empty environment ends the audit with what to do (AwsCredentialsError) rather than
 * with an error entry per call saying "Could not load credentials from any providers". The chain
 * is memoized: the clients reuse what it loaded.
 */
export async function loadCallerCredentials(credentials: AwsCredentials, profile: string | undefined, call: CallLimiter): Promise<void> {
  if (typeof credentials !== 'function') return;
  try {
    await call(() => credentials());
  } catch (e) {
    throw new AwsCredentialsError(await explainCredentialFailure(profile, e));
  }
}

/** What the shared files say about profiles: sections by name, from ~/.aws/config and ~/.aws/credentials. */
type Sections = Record<string, Record<string, string | undefined> | undefined>;

const CREDENTIAL_SETTINGS = ['aws_access_key_id', 'role_arn', 'sso_session', 'sso_start_url', 'credential_process', 'web_identity_token_file', 'credential_source', 'login_session'];

/**
 * Why the SDK's credential chain found nothing, from what it reads: the profile named (`--profile`
 * or AWS_PROFILE) and whether the shared files define it, the profile's SSO login in the token
 * cache, the environment variables. Profile names and paths come from the user or a file they
 * control; they are escaped and cut. No value of a setting is ever quoted.
 */
export async function explainCredentialFailure(profile: string | undefined, error: unknown, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const named = profile ? { name: profile, from: '--profile' } : env.AWS_PROFILE ? { name: env.AWS_PROFILE, from: 'AWS_PROFILE' } : undefined;
  const configPath = sharedFilePath(env.AWS_CONFIG_FILE, 'config');
  const credentialsPath = sharedFilePath(env.AWS_SHARED_CREDENTIALS_FILE, 'credentials');
  const files = await loadSharedConfigFiles({ filepath: credentialsPath, configFilepath: configPath, ignoreCache: true }).catch(() => ({ configFile: {}, credentialsFile: {} }));
  const config = files.configFile as Sections;
  const credentialsFile = files.credentialsFile as Sections;
  const profiles = [...new Set([...Object.keys(config).filter((k) => !/^(sso-session|services)\./.test(k)), ...Object.keys(credentialsFile)])].sort();
  const shownPaths = [shown(configPath), shown(credentialsPath)] as const;
  const where = `${shownPaths[0]} or ${shownPaths[1]}`;
  const sdkSays = describeAwsError(error).replace(/^CredentialsProviderError: /, '').replace(/^(\w+): \1: /, '$1: ');

  const profileName = named?.name ?? 'default';
  const settings = { ...config[profileName], ...credentialsFile[profileName] };
  // With no profile named, the default one is worth a word only when it holds credentials of its own.
  if (!named && !CREDENTIAL_SETTINGS.some((key) => settings[key])) return noCredentials(env, `${shownPaths[0]} and ${shownPaths[1]}`, sdkSays);
  const label = `AWS profile '${shown(profileName)}'${named ? ` (${named.from})` : ''}`;
  if (!profiles.includes(profileName)) {
    return (
      `${label} was not found in ${where} (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name other files).\n` +
      (profiles.length > 0 ? `Profiles there: ${shown(profiles.slice(0, 20).join(', '), 300)}${profiles.length > 20 ? ', …' : ''}; or create it: aws configure --profile ${shellWord(profileName)}` : `There are no profiles there; create one: aws configure --profile ${shellWord(profileName)} (or aws configure sso)`)
    );
  }
  const login = `aws sso login --profile ${shellWord(profileName)}`;
  if (settings.sso_session || settings.sso_start_url) {
    const session = settings.sso_session ? config[`sso-session.${settings.sso_session}`] : undefined;
    const tokenKey = settings.sso_session ?? settings.sso_start_url!;
    const token = await getSSOTokenFromFile(tokenKey).catch(() => undefined);
    const expires = typeof token?.expiresAt === 'string' ? new Date(token.expiresAt) : undefined;
    const sessionName = settings.sso_session ? `, sso-session '${shown(settings.sso_session)}'${session ? '' : ` (not defined in ${shown(configPath)})`}` : '';
    const who = `AWS profile '${shown(profileName)}' (${named?.from ?? 'default'}${sessionName})`;
    const state = !token
      ? `${who} has no SSO login: none is cached in ${shown(join(getHomeDir(), '.aws', 'sso', 'cache'))}`
      : expires && !Number.isNaN(expires.getTime()) && expires.getTime() <= Date.now()
        ? `The SSO login of ${who} expired on ${expires.toISOString().slice(0, 16).replace('T', ' ')} UTC`
        : `The SSO login of ${who} could not be used: ${shown(sdkSays, 200)}`;
    return `${state}.\nRun: ${login}`;
  }
  if (settings.aws_access_key_id && !settings.aws_secret_access_key) {
    return `${label} has aws_access_key_id but no aws_secret_access_key (in ${where}).\nAdd the secret key, or run: aws configure --profile ${shellWord(profileName)}`;
  }
  if (!CREDENTIAL_SETTINGS.some((key) => settings[key])) {
    return (
      `${label} has no credentials in ${where}: it needs aws_access_key_id and aws_secret_access_key, role_arn with source_profile, sso_session, or credential_process.\n` +
      `Run: aws configure --profile ${shellWord(profileName)} (or aws configure sso)`
    );
  }
  return `Could not load the credentials of ${label}: ${shown(sdkSays, 300)}`;
}

/** No profile named and no default profile: where the SDK's chain looked, by name. */
function noCredentials(env: NodeJS.ProcessEnv, where: string, sdkSays: string): string {
  const partial = env.AWS_ACCESS_KEY_ID && !env.AWS_SECRET_ACCESS_KEY ? 'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not. ' : !env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY ? 'AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not. ' : '';
  const metadataOff = env.AWS_EC2_METADATA_DISABLED && env.AWS_EC2_METADATA_DISABLED !== 'false';
  // The chain's last word is generic when nothing was configured; anything else is what failed (a web identity token, a timeout).
  const found = /Could not load credentials from any providers/.test(sdkSays) ? 'No AWS credentials found' : `Could not load AWS credentials: ${shown(sdkSays, 200)}`;
  return (
    `${found}. ${partial}Looked at: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_WEB_IDENTITY_TOKEN_FILE, ` +
    `profile 'default' in ${where}, container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI), instance metadata${metadataOff ? ' (off: AWS_EC2_METADATA_DISABLED)' : ''}.\n` +
    `Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with --profile or AWS_PROFILE (aws configure, aws configure sso).`
  );
}

/** AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/NAME, with `~/` expanded as the SDK does. */
function sharedFilePath(fromEnv: string | undefined, name: string): string {
  const path = fromEnv || join(getHomeDir(), '.aws', name);
  return path.startsWith('~/') ? join(getHomeDir(), path.slice(2)) : path;
}

/** A name or path from the user or their files, as a message quotes it: control characters escaped, cut when long. */
function shown(text: string, max = 80): string {
  return text.length > max ? `${printable(text.slice(0, max))}…` : printable(text);
}

/** A profile name as a command to paste: quoted when it has anything but the usual characters. */
function shellWord(name: string): string {
  const text = shown(name);
  return /^[\w.@+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
