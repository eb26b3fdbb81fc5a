// Placeholder while issue 12 is built (replaced by its implementation in this session).
import { writeError } from './terminal';

export async function runExportSecurityHubCommand(_report: string | undefined, _opts: Record<string, unknown>): Promise<number> {
  writeError('not built yet');
  return 2;
}
