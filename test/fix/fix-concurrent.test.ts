// Two `cloudconform fix` processes on one tree at once, each making a different edit to the same
// files (one fixes the notebooks, the other the Studio domains), many times over: an edit may be
// refused (the file changed, or the other run holds it), but never lost while both say "written".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runCli } from '../aws/audit-helpers';

const TEMPLATE = `Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      DirectInternetAccess: Enabled
      SubnetId: subnet-0abc1234
      SecurityGroupIds: [sg-0abc1234]
  Studio:
    Type: AWS::SageMaker::Domain
    Properties:
      DomainName: studio
      AuthMode: IAM
      VpcId: vpc-0abc1234
      SubnetIds: [subnet-0abc1234]
      AppNetworkAccessType: PublicInternetOnly
      DefaultUserSettings:
        ExecutionRole: arn:aws:iam::111122223333:role/studio
        SecurityGroups: [sg-0abc1234]
`;
const NOTEBOOK_EDIT = 'DirectInternetAccess: Disabled';
const DOMAIN_EDIT = 'AppNetworkAccessType: VpcOnly';
const ROUNDS = 12;
const FILES = 8;

interface Outcome {
  written: string[];
  errors: { file: string; message: string }[];
}

test(`two fix runs at once never both claim a file while one edit is lost (${ROUNDS} rounds, ${FILES} files each)`, { timeout: 600_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'cc-fix-concurrent-'));
  let bothWritten = 0;
  let refused = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = join(work, `round-${round}`);
      const files = Array.from({ length: FILES }, (_, i) => join(dir, `t${i}.yaml`));
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      for (const f of files) writeFileSync(f, TEMPLATE);
      const [a, b] = await Promise.all([
        runCli(['fix', '--format', 'json', '--rules', 'SageMaker-004', dir], { cwd: work, timeoutMs: 120_000 }),
        runCli(['fix', '--format', 'json', '--rules', 'SageMaker-005', dir], { cwd: work, timeoutMs: 120_000 }),
      ]);
      const outA = JSON.parse(a.stdout) as Outcome;
      const outB = JSON.parse(b.stdout) as Outcome;
      for (const f of files) {
        const text = readFileSync(f, 'utf8');
        // The CLI prints paths relative to its working directory.
        const named = (p: string) => p === f || p === relative(work, f);
        const wroteA = outA.written.some(named);
        const wroteB = outB.written.some(named);
        const failedA = outA.errors.some((e) => named(e.file));
        const failedB = outB.errors.some((e) => named(e.file));
        assert.ok(wroteA !== failedA, `run A either wrote ${f} or reported it failed: ${JSON.stringify(outA.errors)}`);
        assert.ok(wroteB !== failedB, `run B either wrote ${f} or reported it failed: ${JSON.stringify(outB.errors)}`);
        if (wroteA) assert.ok(text.includes(NOTEBOOK_EDIT), `run A says it wrote ${f}, but its edit is not there:\n${text}`);
        if (wroteB) assert.ok(text.includes(DOMAIN_EDIT), `run B says it wrote ${f}, but its edit is not there:\n${text}`);
        if (!wroteA) assert.ok(!text.includes(NOTEBOOK_EDIT), `run A reported ${f} failed, yet its edit is there`);
        if (!wroteB) assert.ok(!text.includes(DOMAIN_EDIT), `run B reported ${f} failed, yet its edit is there`);
        if (wroteA && wroteB) bothWritten++;
        else refused++;
      }
      assert.deepEqual(readdirSync(dir).sort(), files.map((f) => f.slice(dir.length + 1)).sort(), 'no temporary or lock file left behind');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  // The figures, for the record: how often the runs overlapped on a file.
  console.log(`# files both runs wrote: ${bothWritten}, files one run refused: ${refused}`);
});
