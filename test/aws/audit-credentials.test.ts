// `cloudconform audit` when the caller's credentials can't be loaded, through the built CLI as a
// user meets it: a temporary HOME with its own ~/.aws (config, credentials, SSO token cache), no
// instance metadata. Each case is exit 2 with one or two lines on standard error saying what to
// do, no report, no API call (a local endpoint counts requests), and no credential value printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './audit-helpers';

const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SSO_TOKEN = 'aoaAAAAAGcxSSOTOKENVALUEnotToBePrintedEVER0123456789';

let home: string;
let server: Server;
let endpoint: string;
let requests = 0;

const CONFIG = `[default]
region = us-east-1

[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile region-only]
region = eu-west-1

[profile half-key]
aws_access_key_id = ${ACCESS_KEY_ID}
`;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'cloudconform-creds-'));
  mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true });
  writeFileSync(join(home, '.aws', 'config'), CONFIG);
  writeFileSync(join(home, '.aws', 'credentials'), '[ci]\naws_access_key_id = ' + ACCESS_KEY_ID + '\naws_secret_access_key = ' + SECRET + '\n');
  // The SSO token cache is keyed by the SHA-1 of the sso-session's name; this login expired in 2020.
  const cacheFile = join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update('corp').digest('hex')}.json`);
  writeFileSync(cacheFile, JSON.stringify({ accessToken: SSO_TOKEN, expiresAt: '2020-01-01T00:00:00Z', region: 'us-east-1', startUrl: 'https://corp.awsapps.com/start' }));
  server = createServer((req, res) => {
    requests++;
    req.resume();
    res.statusCode = 500;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

after(() => {
  server.close();
  rmSync(home, { recursive: true, force: true });
});

/** The built CLI with HOME at the temporary home, only the AWS variables given, no instance metadata. */
async function audit(args: string[], aws: Record<string, string> = {}) {
  requests = 0;
  const result = await runCli(['audit', '--endpoint-url', endpoint, '--regions', 'eu-west-1', ...args], {
    awsEnv: { AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...aws },
    env: { HOME: home, USERPROFILE: home },
    timeoutMs: 30_000,
  });
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(result.code, 2, `exit 2: ${result.stdout}${result.stderr}`);
  assert.equal(result.stdout, '', 'no report: nothing could be audited');
  assert.ok(lines.length >= 1 && lines.length <= 2, `one or two lines:\n${result.stderr}`);
  assert.equal(requests, 0, 'no API call');
  for (const secret of [ACCESS_KEY_ID, SECRET, SSO_TOKEN]) assert.ok(!result.stderr.includes(secret), `no credential printed:\n${result.stderr}`);
  return result.stderr;
}

test('credentials: --profile naming a profile that does not exist: its name, the files looked in, the profiles there', async () => {
  const stderr = await audit(['--profile', 'prod-typo']);
  assert.match(stderr, /profile 'prod-typo' \(--profile\) was not found/);
  assert.ok(stderr.includes(join(home, '.aws', 'config')) && stderr.includes(join(home, '.aws', 'credentials')), stderr);
  assert.match(stderr, /AWS_CONFIG_FILE/);
  assert.match(stderr, /AWS_SHARED_CREDENTIALS_FILE/);
  assert.match(stderr, /ci, default, half-key, region-only, sso-dev/);
});

test('credentials: AWS_PROFILE naming a profile that does not exist says it came from AWS_PROFILE; AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are the files named', async () => {
  const stderr = await audit([], { AWS_PROFILE: 'staging' });
  assert.match(stderr, /profile 'staging' \(AWS_PROFILE\) was not found/);
  const elsewhere = await audit([], { AWS_PROFILE: 'staging', AWS_CONFIG_FILE: join(home, 'cfg'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'creds') });
  assert.ok(elsewhere.includes(join(home, 'cfg')) && elsewhere.includes(join(home, 'creds')), elsewhere);
  assert.match(elsewhere, /AWS_CONFIG_FILE/);
  assert.match(elsewhere, /no profiles/);
});

test('credentials: an SSO profile whose cached login has expired: `aws sso login --profile NAME`, never the token', async () => {
  const stderr = await audit(['--profile', 'sso-dev']);
  assert.match(stderr, /SSO/);
  assert.match(stderr, /expired/);
  assert.match(stderr, /aws sso login --profile sso-dev/);
});

test('credentials: an SSO profile never logged in (no cached token): `aws sso login --profile NAME`', async () => {
  writeFileSync(join(home, 'never-config'), '[profile fresh]\nsso_session = other\nsso_account_id = 111122223333\nsso_role_name = R\n[sso-session other]\nsso_start_url = https://o.awsapps.com/start\nsso_region = eu-west-1\n');
  const stderr = await audit(['--profile', 'fresh'], { AWS_CONFIG_FILE: join(home, 'never-config') });
  assert.match(stderr, /aws sso login --profile fresh/);
});

test('credentials: none at all: names the environment variables, files and metadata sources looked at', async () => {
  const stderr = await audit([], { AWS_CONFIG_FILE: join(home, 'absent-config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'absent-credentials') });
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS', 'instance metadata']) {
    assert.ok(stderr.includes(name), `${name} named:\n${stderr}`);
  }
  assert.match(stderr, /AWS_EC2_METADATA_DISABLED/, 'says instance metadata was turned off');
  assert.match(stderr, /--profile/);
});

test('credentials: AWS_ACCESS_KEY_ID without AWS_SECRET_ACCESS_KEY is named as such, without the key id', async () => {
  const stderr = await audit([], { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_CONFIG_FILE: join(home, 'absent-config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'absent-credentials') });
  assert.match(stderr, /AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not/);
});

test('credentials: a profile without credentials, or with half a key pair: says which, without the values', async () => {
  const regionOnly = await audit(['--profile', 'region-only']);
  assert.match(regionOnly, /profile 'region-only' .*has no credentials/);
  assert.match(regionOnly, /aws_access_key_id|sso_session|role_arn|credential_process/);
  const half = await audit(['--profile', 'half-key']);
  assert.match(half, /profile 'half-key' .*aws_access_key_id but no aws_secret_access_key/);
});

test('credentials: a hostile profile name (control characters, 10,000 characters) is shown escaped and cut', async () => {
  const stderr = await audit(['--profile', `evil\u001b]0;pwned\u0007${'x'.repeat(10_000)}`]);
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(stderr), 'no control character reaches the terminal');
  assert.ok(stderr.length < 2000, `${stderr.length} characters`);
});

test('credentials: a web identity token file that is missing: says what failed, and where else the SDK looked', async () => {
  const stderr = await audit([], {
    AWS_WEB_IDENTITY_TOKEN_FILE: join(home, 'no-such-token'),
    AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/ci',
    AWS_CONFIG_FILE: join(home, 'absent-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'absent-credentials'),
  });
  assert.match(stderr, /^cloudconform: Could not load AWS credentials: ENOENT: .*no-such-token/);
  assert.match(stderr, /AWS_WEB_IDENTITY_TOKEN_FILE/);
});
