// Command-line usage around commander: Terraform's single-dash spellings, one-line hints for bad
// options, and "see --help" instead of the whole help after an error.
import type { Command } from 'commander';

/** Terraform's own spellings, accepted as they are documented ("as terraform -var"). */
const TERRAFORM_SPELLINGS: Readonly<Record<string, string>> = { '-var': '--var', '-var-file': '--var-file' };

/**
 * `-var NAME=V`, `-var=NAME=V`, `-var-file F`, `-var-file=F` become their `--` forms. Without
 * this, commander read `-var` as `-v -a -r`: `-v` printed the version and the scan exited 0
 * having scanned nothing. Nothing after a `--` is touched.
 */
export function terraformSpellings(argv: readonly string[]): string[] {
  const out: string[] = [];
  let optionsEnded = false;
  for (const arg of argv) {
    if (optionsEnded || arg === '--') {
      optionsEnded = true;
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const long = TERRAFORM_SPELLINGS[name];
    out.push(long ? long + (eq === -1 ? '' : arg.slice(eq)) : arg);
  }
  return out;
}

/** Short options people type by mistake, and what they most likely meant. */
const SHORT_HINTS: Readonly<Record<string, string>> = {
  '-v': "--verbose? The version is 'cloudconform --version'",
  '-V': "--verbose? The version is 'cloudconform --version'",
};

/**
 * Commander's usage error, with a hint where it has none. `-format json` would otherwise be
 * read as `-f ormat`: a word after a single dash that is one of the command's long options is
 * refused with the right spelling (see `singleDashLongOption`).
 */
/**
 * A usage error quotes the argument it refuses, and a mistyped option may hold a webhook URL
 * (`--notfy=slack=https://hooks.slack.com/services/…`): whose path, query and user info are secrets.
 * Each URL keeps its scheme and host only. Bounded repeats: linear on any text.
 */
export function withoutUrlSecrets(text: string): string {
  return text.replace(/\b([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/)(?:[^\s/?#@'"]{0,512}@)?([^\s/?#@'"]{0,512})[^\s'"]*/g, (_m, scheme: string, host: string) => `${scheme}${host}/…`);
}

export function hintedUsageError(text: string): string {
  const unknown = /unknown option '([^']*)'/.exec(text);
  if (unknown && !/Did you mean/.test(text)) {
    const hint = SHORT_HINTS[unknown[1]!];
    if (hint) return text.replace(/\n?$/, `\n(Did you mean ${hint}.)\n`);
  }
  return text;
}

/** The program and every command below it. */
export function commandsOf(command: Command): Command[] {
  return [command, ...command.commands.flatMap(commandsOf)];
}

function fullName(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** After a usage error: one line pointing at `--help`, never the whole help (it buried the error). */
export function pointToHelp(program: Command): void {
  for (const command of commandsOf(program)) command.showHelpAfterError(`Run '${fullName(command)} --help' for the options.`);
}

/**
 * `-format json`, `-quiet`, `-rules X`: a long option written with one dash. Commander takes
 * `-format` as `-f ormat` (format "ormat") and `-rules X` as `-r ules`: errors at best, a
 * different run at worst. Returns the usage error, or undefined.
 */
export function singleDashLongOption(program: Command, argv: readonly string[]): string | undefined {
  const names = argv.filter((a) => !a.startsWith('-'));
  let command: Command = program;
  for (const name of names) {
    const sub = command.commands.find((c) => c.name() === name || c.aliases().includes(name));
    if (!sub) break;
    command = sub;
  }
  const longs = new Set(command.options.map((o) => o.long).filter((l): l is string => !!l));
  for (const arg of argv) {
    if (arg === '--') break;
    const m = /^-([a-z][a-z-]+)(?:=.*)?$/.exec(arg);
    if (m && longs.has(`--${m[1]}`)) {
      return `error: unknown option '${arg.replace(/=.*/, '')}' (did you mean --${m[1]}?)\nRun '${fullName(command)} --help' for the options.\n`;
    }
  }
  return undefined;
}
