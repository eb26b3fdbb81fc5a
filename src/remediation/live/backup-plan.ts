// `--backup-to s3://bucket/prefix`: the lifecycle configurations that copy the source's files to
// S3 and restore them on the replacement. The scripts themselves come from backup-scripts.ts.
import { backupFailureKey, backupMarkerKey, backupScript, LIFECYCLE_SCRIPT_MAX_BYTES, parseS3Uri, restoreScript, runOriginalScript } from './backup-scripts';

/** The source notebook's own lifecycle scripts (plain text), when it has a configuration. */
export interface SourceLifecycleScripts {
  name?: string;
  onCreate?: string;
  onStart?: string;
}

export interface BackupPlan {
  uri: string;
  bucket: string;
  prefix: string;
  /** Written by the backup script when the copy is complete. */
  markerKey: string;
  /** Written by the backup script instead, when the copy fails (with the reason). */
  failureKey: string;
  timeoutMinutes: number;
  backupLifecycleConfigName: string;
  restoreLifecycleConfigName: string;
  /** The source's own configuration, given back when the source is kept. */
  originalLifecycleConfigName?: string;
  /** Script texts (base64-encoded when sent). */
  backupOnStart: string;
  restoreOnCreate: string;
  /** The source's OnStart, so the replacement starts as the source did. */
  restoreOnStart?: string;
}

const MAX_NAME = 63;

function lifecycleConfigName(notebookName: string, suffix: string): string {
  return `${notebookName.slice(0, MAX_NAME - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/**
 * The source's own OnStart script runs first, as it always did (its own file and interpreter, no
 * input, its failure fails the start with its exit status), then the backup.
 */
export function composeOnStart(original: string | undefined, backup: string): string {
  if (original === undefined || original.trim() === '') return backup;
  return ['#!/bin/bash', 'set -euo pipefail', ...runOriginalScript('OnStart', original), '# cloudconform remediate --backup-to', backup].join('\n');
}

export function planBackup(input: {
  uri: string;
  sourceName: string;
  replacementName: string;
  scripts: SourceLifecycleScripts;
  timeoutMinutes: number;
}): BackupPlan {
  const location = parseS3Uri(input.uri);
  const backupOnStart = composeOnStart(input.scripts.onStart, backupScript(location, input.sourceName));
  const restoreOnCreate = restoreScript(location, input.sourceName, input.scripts.onCreate);
  for (const [what, text] of [
    ['the backup OnStart script', backupOnStart],
    ['the restore OnCreate script', restoreOnCreate],
  ] as const) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > LIFECYCLE_SCRIPT_MAX_BYTES) throw new Error(`${what} would have ${bytes} bytes; AWS allows ${LIFECYCLE_SCRIPT_MAX_BYTES} (16,384 base64 characters)`);
  }
  if (!Number.isFinite(input.timeoutMinutes) || input.timeoutMinutes <= 0) throw new Error('the backup timeout must be a positive number of minutes');
  return {
    uri: input.uri,
    bucket: location.bucket,
    prefix: location.prefix,
    markerKey: backupMarkerKey(location, input.sourceName),
    failureKey: backupFailureKey(location, input.sourceName),
    timeoutMinutes: input.timeoutMinutes,
    backupLifecycleConfigName: lifecycleConfigName(input.sourceName, '-cc-backup'),
    restoreLifecycleConfigName: lifecycleConfigName(input.replacementName, '-cc-restore'),
    ...(input.scripts.name ? { originalLifecycleConfigName: input.scripts.name } : {}),
    backupOnStart,
    restoreOnCreate,
    ...(input.scripts.onStart ? { restoreOnStart: input.scripts.onStart } : {}),
  };
}
