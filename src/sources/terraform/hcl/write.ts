// Writing HCL values: shared by the fixer (edits in place) and remediate's Terraform output.

/**
 * A quoted HCL string: `\` and `"` escaped, `${` and `%{` kept literal, every other control
 * character (and U+2028/U+2029) as `\uNNNN`, so no value can end the string or the line.
 */
export function hclString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    // A function, not '$${': in a replacement string `$$` means one `$`, which left `${` live.
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, '%%{');
  return `"${escaped}"`;
}
