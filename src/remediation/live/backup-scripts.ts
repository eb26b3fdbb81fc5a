// Lifecycle configuration scripts that carry a notebook's files across its re-creation in a VPC:
// `backupScript` (OnStart of the old notebook) copies /home/ec2-user/SageMaker to S3, and
// `restoreScript` (OnCreate of the new one) copies them back. AWS runs them as root with bash and
// gives each 5 minutes, so the copies run in the background; markers in S3 tell the caller when a
// copy is done (or why it failed).
//
// Layout under s3://bucket/prefix/<notebook>/:
//   files/...                 the notebook's files (aws s3 sync)
//   empty-directories         the empty directories, NUL-separated (S3 has no directories)
//   backup-started.json       written before the copy starts (proves the bucket is writable)
//   backup-complete.json      the manifest, written only after a successful sync: the caller waits for it
//   backup-failed.json        written instead when the copy fails, with the reason
//   restore-complete.json / restore-failed.json   the same for the restore
//
// When the bucket itself can't be reached, no marker can be written there: the script then fails
// in the foreground, which makes SageMaker's start (or create) of the notebook fail with a
// FailureReason naming the lifecycle configuration, so the caller sees a `Failed` notebook instead
// of waiting; the reason is also in the local status file ($CC_STATE_DIR/<step>.status) and on
// standard error (CloudWatch Logs, /aws/sagemaker/NotebookInstances).

export interface S3Location {
  bucket: string;
  /** Without leading or trailing '/'; '' for the bucket's root. */
  prefix: string;
}

/**
 * The most bytes a generated script may have: AWS limits a lifecycle hook's base64 `Content` to
 * 16,384 characters, and base64 makes 3 bytes into 4 characters.
 */
export const LIFECYCLE_SCRIPT_MAX_BYTES = (16384 / 4) * 3;

// General purpose bucket naming rules (Amazon S3 User Guide, "Bucket naming rules").
const BUCKET_CHARS = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
// Bash strings can't hold NUL; other control characters in keys would only confuse people.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Checks a bucket name against S3's rules; returns what is wrong, or undefined. */
function bucketNameProblem(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return 'must be 3 to 63 characters long';
  if (!BUCKET_CHARS.test(bucket)) return 'may hold only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit';
  if (bucket.includes('..')) return 'must not contain two adjacent dots';
  if (IP_ADDRESS.test(bucket)) return 'must not look like an IP address';
  const prefix = RESERVED_BUCKET_PREFIXES.find((p) => bucket.startsWith(p));
  if (prefix) return `must not begin with '${prefix}' (reserved by S3)`;
  const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => bucket.endsWith(s));
  if (suffix) return `must not end with '${suffix}' (reserved by S3)`;
  return undefined;
}

/**
 * Parses `s3://bucket[/prefix]` (the form `aws s3` takes). The prefix loses its leading and
 * trailing slashes; an empty path segment (`a//b`) is refused, as is any control character.
 */
export function parseS3Uri(uri: string): S3Location {
  const show = JSON.stringify(uri);
  if (uri.trim() === '') throw new Error('S3 location is empty: expected s3://bucket/prefix');
  if (!uri.startsWith('s3://')) {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(uri)?.[1];
    throw new Error(
      scheme
        ? `S3 location ${show}: scheme '${scheme}://' is not supported: expected s3://bucket/prefix`
        : `S3 location ${show}: expected s3://bucket/prefix`,
    );
  }
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (bucket === '') throw new Error(`S3 location ${show}: no bucket name: expected s3://bucket/prefix`);
  const problem = bucketNameProblem(bucket);
  if (problem) throw new Error(`S3 location ${show}: bucket name '${bucket}' ${problem}`);
  const prefix = (slash === -1 ? '' : rest.slice(slash + 1)).replace(/^\/+|\/+$/g, '');
  checkPrefix(prefix, `S3 location ${show}`);
  return { bucket, prefix };
}

function checkPrefix(prefix: string, what: string): void {
  if (CONTROL_CHARS.test(prefix)) throw new Error(`${what}: the prefix contains a control character`);
  // After parseS3Uri trims the ends, an empty segment is a '//' inside; in a given S3Location, a
  // leading or trailing '/' too.
  if (prefix !== '' && prefix.split('/').includes('')) throw new Error(`${what}: the prefix has an empty path segment, or begins or ends with '/'`);
}

function checkLocation(loc: S3Location): void {
  const problem = bucketNameProblem(loc.bucket);
  if (problem) throw new Error(`bucket name '${loc.bucket}' ${problem}`);
  checkPrefix(loc.prefix, `prefix ${JSON.stringify(loc.prefix)}`);
}

function checkNotebookName(name: string): void {
  if (name === '') throw new Error('notebook name is empty');
  // A slash would move the notebook's objects into another notebook's folder.
  if (name.includes('/')) throw new Error(`notebook name ${JSON.stringify(name)} contains '/'`);
  if (name.includes('\u0000')) throw new Error(`notebook name ${JSON.stringify(name)} contains a NUL character`);
}

/** The key prefix of everything stored for one notebook, without a trailing '/'. */
export function notebookKeyPrefix(loc: S3Location, notebookName: string): string {
  checkLocation(loc);
  checkNotebookName(notebookName);
  return loc.prefix === '' ? notebookName : `${loc.prefix}/${notebookName}`;
}

/** Written when the backup is complete: a JSON manifest (`files`, `bytes`, `emptyDirectories`, `completedAt`). */
export function backupMarkerKey(loc: S3Location, notebookName: string): string {
  return `${notebookKeyPrefix(loc, notebookName)}/backup-complete.json`;
}

/** Written instead of the marker when the backup fails: JSON with `reason` and `failedAt`. */
export function backupFailureKey(loc: S3Location, notebookName: string): string {
  return `${notebookKeyPrefix(loc, notebookName)}/backup-failed.json`;
}

/** Where the notebook's files are copied to (ends with '/'). */
export function backupFilesPrefix(loc: S3Location, notebookName: string): string {
  return `${notebookKeyPrefix(loc, notebookName)}/files/`;
}

/** Written by the restore script when the files are back (keyed by the source notebook's name). */
export function restoreMarkerKey(loc: S3Location, sourceNotebookName: string): string {
  return `${notebookKeyPrefix(loc, sourceNotebookName)}/restore-complete.json`;
}

/** Written instead when the restore fails: JSON with `reason` and `failedAt`. */
export function restoreFailureKey(loc: S3Location, sourceNotebookName: string): string {
  return `${notebookKeyPrefix(loc, sourceNotebookName)}/restore-failed.json`;
}

/** A single-quoted bash word that stands for exactly `value` (bash can't hold NUL). */
export function shellQuote(value: string): string {
  if (value.includes('\u0000')) throw new Error('a shell word cannot contain a NUL character');
  // Control characters (a newline, an ESC sequence for a terminal) are written as bash's $'\xHH'
  // escapes, so each word stays on its line and a script shown on a terminal shows what it runs.
  if (/[\u0001-\u001f\u007f]/.test(value)) {
    return `$'${value.replace(/[\\']|[\u0001-\u001f\u007f]/g, (c) => (c === '\\' || c === "'" ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))}'`;
  }
  return singleQuoted(value);
}

/** Single quotes, control characters kept as they are: for script text, which has lines. */
function singleQuoted(value: string): string {
  if (value.includes('\u0000')) throw new Error('a shell word cannot contain a NUL character');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Bash lines that run `script` (a notebook's own lifecycle script, `hook` naming it) the way
 * SageMaker runs a lifecycle script: as a file of its own, with the interpreter its `#!` line
 * names, or bash when it has none; with no input (never the wrapper's own text, whichever way the
 * wrapper is fed to bash); and its failure is the wrapper's, with the same exit status, before
 * anything else runs. The file stays in $CC_STATE_DIR for a person to look at. (AWS's API reference,
 * NotebookInstanceLifecycleHook: the hook holds "a shell script", run as root with PATH
 * /sbin:bin:/usr/sbin:/usr/bin, for at most 5 minutes; it says nothing of a script without `#!`,
 * which is run with bash here, the shell AWS's own examples name.)
 */
export function runOriginalScript(hook: 'OnCreate' | 'OnStart', script: string): string[] {
  const file = `"$CC_STATE_DIR/${hook === 'OnCreate' ? 'on-create' : 'on-start'}-original.sh"`;
  return [
    `# The notebook's own ${hook} script, unchanged, first.`,
    'CC_STATE_DIR="${CC_STATE_DIR:-/var/log/cloudconform}"',
    'mkdir -p "$CC_STATE_DIR"',
    `printf '%s' ${singleQuoted(script)} >${file}`,
    `chmod 700 ${file}`,
    'cc_original_status=0',
    `if [ "$(head -c 2 ${file})" = '#!' ]; then`,
    `  ${file} </dev/null || cc_original_status=$?`,
    'else',
    `  bash ${file} </dev/null || cc_original_status=$?`,
    'fi',
    'if [ "$cc_original_status" -ne 0 ]; then',
    `  echo "cloudconform: the notebook's own ${hook} script failed (exit status $cc_original_status)" >&2`,
    '  exit "$cc_original_status"',
    'fi',
  ];
}

/**
 * Bash source, written with `@{` where bash has `${` so that it can sit in a raw template literal
 * (no doubled backslashes). Never interpolate user data here: it goes through `shellQuote`.
 */
function bash(strings: TemplateStringsArray): string {
  return String.raw({ raw: strings.raw }).replaceAll('@{', '${');
}

/** Settings and helpers both scripts start with; `export`ed for the background worker. */
const PRELUDE = bash`set -euo pipefail
# Overridable, for tests and unusual images.
export CC_NOTEBOOK_HOME="@{CC_NOTEBOOK_HOME:-/home/ec2-user/SageMaker}"
export CC_AWS="@{CC_AWS:-aws}"
export CC_STATE_DIR="@{CC_STATE_DIR:-/var/log/cloudconform}"
export CC_SKIP_CHOWN="@{CC_SKIP_CHOWN:-0}"
mkdir -p "$CC_STATE_DIR"
cc_json() { # a JSON string for $1
  local LC_ALL=C s=$1 out='' c i
  for ((i = 0; i < @{#s}; i++)); do
    c=@{s:i:1}
    case $c in
      '"') out+='\"' ;;
      '\') out+='\\' ;;
      [[:cntrl:]]) out+=$(printf '\\u%04x' "'$c") ;;
      *) out+=$c ;;
    esac
  done
  printf '"%s"' "$out"
}
cc_now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
cc_put() { # standard input to s3://bucket/<notebook prefix>/$1
  "$CC_AWS" s3 cp - "s3://$CC_BUCKET/$CC_BASE/$1" --only-show-errors
}
cc_status() { # atomically: a reader never sees it half written
  printf '%s\n' "$1" >"$CC_STATE_DIR/$CC_STEP.status.new" && mv -f "$CC_STATE_DIR/$CC_STEP.status.new" "$CC_STATE_DIR/$CC_STEP.status"
}
cc_fail() { # records why, locally and (when the bucket is reachable) in S3, then exits
  local reason
  reason=$(printf '%s' "$1" | tail -c 2000)
  cc_status "failed: $reason"
  printf 'cloudconform: %s failed: %s\n' "$CC_STEP" "$reason" >&2
  printf '{"notebook":%s,"failedAt":"%s","reason":%s}\n' "$(cc_json "$CC_NOTEBOOK_NAME")" "$(cc_now)" "$(cc_json "$reason")" |
    cc_put "$CC_STEP-failed.json" >/dev/null 2>&1 || true
  exit 1
}
cc_s3() { # aws s3 "$@", or fail with its output and $CC_WHAT
  local out
  out=$("$CC_AWS" s3 "$@" --only-show-errors 2>&1) || cc_fail "$CC_WHAT: aws s3 $1: $out"
}
export -f cc_json cc_now cc_put cc_status cc_fail cc_s3
cc_background() { # clears this step's markers (an earlier run's would end the caller's wait too early), then runs $CC_WORKER unattended
  cc_s3 rm "s3://$CC_BUCKET/$CC_BASE/$CC_STEP-complete.json"
  cc_s3 rm "s3://$CC_BUCKET/$CC_BASE/$CC_STEP-failed.json"
  nohup bash -c "$CC_WORKER" "cloudconform-$CC_STEP" >>"$CC_STATE_DIR/$CC_STEP.log" 2>&1 </dev/null &
  echo "cloudconform: $1 in the background (log: $CC_STATE_DIR/$CC_STEP.log)"
}
`;

/** Runs in the background on the old notebook: sync, then the manifest. */
const BACKUP_WORKER = bash`set -uo pipefail
CC_WHAT="copying $CC_NOTEBOOK_HOME to s3://$CC_BUCKET/$CC_BASE/files/"
cd "$CC_NOTEBOOK_HOME" || cc_fail "$CC_WHAT: cannot enter $CC_NOTEBOOK_HOME"
counts=$(find . -path ./lost+found -prune -o -type f -printf '%s\n' | awk '{ n++; b += $1 } END { printf "%d %d", n, b }') ||
  cc_fail "$CC_WHAT: cannot list the files"
read -r files bytes <<<"$counts"
find . -mindepth 1 -path ./lost+found -prune -o -type d -empty -printf '%P\0' >"$CC_STATE_DIR/empty-directories" ||
  cc_fail "$CC_WHAT: cannot list the empty directories"
empty=$(tr -cd '\0' <"$CC_STATE_DIR/empty-directories" | wc -c)
# --delete: objects left by an earlier backup must not come back on restore.
cc_s3 sync . "s3://$CC_BUCKET/$CC_BASE/files/" --delete --exclude 'lost+found/*'
cc_put empty-directories <"$CC_STATE_DIR/empty-directories" || cc_fail "$CC_WHAT: cannot write empty-directories"
# The local status first: once the marker is there, the caller may stop this notebook.
cc_status "complete: $files files, $bytes bytes"
printf '{"notebook":%s,"source":%s,"files":%d,"bytes":%d,"emptyDirectories":%d,"completedAt":"%s"}\n' \
  "$(cc_json "$CC_NOTEBOOK_NAME")" "$(cc_json "$CC_NOTEBOOK_HOME")" "$files" "$bytes" "$empty" "$(cc_now)" |
  cc_put backup-complete.json || cc_fail "$CC_WHAT: cannot write backup-complete.json"
echo "cloudconform: backup complete: $files files, $bytes bytes"
`;

const BACKUP_LAUNCH = bash`export CC_STEP=backup
CC_WHAT="backing up to s3://$CC_BUCKET/$CC_BASE/"
cc_status running
[ -d "$CC_NOTEBOOK_HOME" ] || cc_fail "$CC_NOTEBOOK_HOME is not a directory"
# Proves the bucket is reachable and writable before anything runs unseen in the background.
out=$(printf '{"notebook":%s,"startedAt":"%s"}\n' "$(cc_json "$CC_NOTEBOOK_NAME")" "$(cc_now)" | cc_put backup-started.json 2>&1) ||
  cc_fail "cannot write s3://$CC_BUCKET/$CC_BASE/backup-started.json: $out"
cc_background "backing up $CC_NOTEBOOK_HOME to s3://$CC_BUCKET/$CC_BASE/files/"
`;

/** Runs in the background on the new notebook: files, empty directories, owner, marker. */
const RESTORE_WORKER = bash`set -uo pipefail
CC_WHAT="restoring s3://$CC_BUCKET/$CC_BASE/files/ to $CC_NOTEBOOK_HOME"
mkdir -p "$CC_NOTEBOOK_HOME" || cc_fail "$CC_WHAT: cannot create $CC_NOTEBOOK_HOME"
# cp, not sync: a file the original OnCreate script made must not win over the user's own copy.
cc_s3 cp "s3://$CC_BUCKET/$CC_BASE/files/" "$CC_NOTEBOOK_HOME/" --recursive
cc_s3 cp "s3://$CC_BUCKET/$CC_BASE/empty-directories" "$CC_STATE_DIR/empty-directories"
while IFS= read -r -d '' dir; do
  mkdir -p -- "$CC_NOTEBOOK_HOME/$dir" || cc_fail "$CC_WHAT: cannot create $dir"
done <"$CC_STATE_DIR/empty-directories"
expected=$(sed -n 's/.*"files":\([0-9][0-9]*\).*/\1/p' "$CC_STATE_DIR/backup-manifest.json")
restored=$(cd "$CC_NOTEBOOK_HOME" && find . -path ./lost+found -prune -o -type f -printf . | wc -c)
[ "$restored" -ge "@{expected:-0}" ] || cc_fail "$CC_WHAT: only $restored of $expected files are there"
if [ "$CC_SKIP_CHOWN" != 1 ]; then
  chown -R ec2-user:ec2-user "$CC_NOTEBOOK_HOME" || cc_fail "$CC_WHAT: chown ec2-user failed"
fi
cc_status "complete: $restored files"
printf '{"notebook":%s,"target":%s,"files":%d,"completedAt":"%s"}\n' \
  "$(cc_json "$CC_NOTEBOOK_NAME")" "$(cc_json "$CC_NOTEBOOK_HOME")" "$restored" "$(cc_now)" |
  cc_put restore-complete.json || cc_fail "$CC_WHAT: cannot write restore-complete.json"
echo "cloudconform: restore complete: $restored files"
`;

const RESTORE_LAUNCH = bash`export CC_STEP=restore
CC_WHAT="restoring from s3://$CC_BUCKET/$CC_BASE/"
cc_status running
# Fails the notebook's creation when there is nothing to restore: the caller sees it at once.
cc_s3 cp "s3://$CC_BUCKET/$CC_BASE/backup-complete.json" "$CC_STATE_DIR/backup-manifest.json"
cc_background "restoring s3://$CC_BUCKET/$CC_BASE/files/ to $CC_NOTEBOOK_HOME"
`;

/** `export NAME='value'`; `script` for our own multi-line worker text (kept readable, not escaped). */
function assign(name: string, value: string, script = false): string {
  return `export ${name}=${script ? singleQuoted(value) : shellQuote(value)}`;
}

function checkSize(script: string, what: string): string {
  const bytes = Buffer.byteLength(script, 'utf8');
  if (bytes > LIFECYCLE_SCRIPT_MAX_BYTES) {
    throw new Error(`${what} is ${bytes} bytes; a lifecycle configuration script may have at most ${LIFECYCLE_SCRIPT_MAX_BYTES} (16,384 characters once base64-encoded)`);
  }
  return script;
}

/**
 * The OnStart script for the OLD notebook: copies /home/ec2-user/SageMaker (hidden files
 * included, `lost+found` excluded) to `s3://bucket/prefix/<notebookName>/files/` in the
 * background with the notebook role's credentials, then writes `backupMarkerKey` (or
 * `backupFailureKey` with the reason). Exits non-zero at once when the bucket can't be written.
 */
export function backupScript(loc: S3Location, notebookName: string): string {
  const base = notebookKeyPrefix(loc, notebookName);
  const script = [
    '#!/bin/bash',
    '# cloudconform: copies this notebook\'s files to S3 before it is re-created in a VPC.',
    PRELUDE.trimEnd(),
    assign('CC_BUCKET', loc.bucket),
    assign('CC_BASE', base),
    assign('CC_NOTEBOOK_NAME', notebookName),
    assign('CC_WORKER', BACKUP_WORKER, true),
    BACKUP_LAUNCH,
  ].join('\n');
  return checkSize(script, `the backup script for notebook ${JSON.stringify(notebookName)}`);
}

/**
 * The OnCreate script for the NEW notebook: runs `originalScript` first (the old notebook's
 * OnCreate script, as text, not base64: its own file, run as before, its failure fails the
 * creation), then restores the backup of `sourceNotebookName` into /home/ec2-user/SageMaker in
 * the background, gives it to ec2-user, and writes `restoreMarkerKey` (or `restoreFailureKey`).
 * Fails at once when there is no complete backup.
 */
export function restoreScript(loc: S3Location, sourceNotebookName: string, originalScript?: string): string {
  const base = notebookKeyPrefix(loc, sourceNotebookName);
  const original = originalScript === undefined || originalScript === '' ? [] : runOriginalScript('OnCreate', originalScript);
  const script = [
    '#!/bin/bash',
    '# cloudconform: restores the files of the notebook this one replaces, from S3.',
    PRELUDE.trimEnd(),
    assign('CC_BUCKET', loc.bucket),
    assign('CC_BASE', base),
    assign('CC_NOTEBOOK_NAME', sourceNotebookName),
    assign('CC_WORKER', RESTORE_WORKER, true),
    ...original,
    RESTORE_LAUNCH,
  ].join('\n');
  return checkSize(script, `the restore script for notebook ${JSON.stringify(sourceNotebookName)} (with its original OnCreate script)`);
}
