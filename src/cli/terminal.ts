import { printable } from '../reporters/printable';
/** Colour when writing to a terminal, unless NO_COLOR is set (https://no-color.org); FORCE_COLOR forces it. */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/**
 * An error message for standard error, written as `cloudconform: MESSAGE`. Messages quote
 * configuration, parameter files and templates, which a hostile repository writes: control
 * characters are shown escaped (its own line breaks are kept), never sent to the terminal.
 */
export function writeError(message: string): void {
  process.stderr.write(`cloudconform: ${message.split('\n').map(printable).join('\n')}\n`);
}

/**
 * `cloudconform scan … | head -1`: when the reader closes the pipe, the rest of the output has
 * nowhere to go. End quietly (Node threw an unhandled EPIPE with a stack trace, exit 1); files
 * written with --output are still written, and the exit code stays the command's.
 */
export function endQuietlyOnClosedStdout(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stream.write = (() => true) as typeof stream.write;
  });
}
