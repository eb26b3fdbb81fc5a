/**
 * A Terraform configuration file as Terraform sees one: `.tf` or `.tf.json`, and not hidden or an
 * editor's file (configs.IsIgnoredFile), which Terraform never reads. Here, not in the engine's
 * walk, because sources don't import the engine.
 */
export function isTerraformFile(name: string): boolean {
  if (name.startsWith('.') || name.endsWith('~') || (name.startsWith('#') && name.endsWith('#'))) return false;
  return name.endsWith('.tf') || name.endsWith('.tf.json');
}
