// Writing the HTML report to the file the user named (`report --html FILE`): as every report file
// is written (src/cli/write-output.ts).
import { writeOutputFile } from '../../write-file';

export function writeHtmlFile(file: string, text: string): void {
  writeOutputFile(file, text, '--html');
}
