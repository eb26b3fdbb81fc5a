// A variable file Terraform would read but we can't (garbage, a FIFO, too large) may set any
// variable: a notebook whose variable defaults pass is unknown, never a pass next to an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { scan } from '../src/engine/scan';
import { emptyConfig } from '../src/engine/config';
import { makeTree } from './helpers/fixtures';

const MAIN = `variable "dia" {
  default = "Disabled"
}
resource "aws_sagemaker_notebook_instance" "nb" {
  direct_internet_access = var.dia
  subnet_id              = "subnet-0123456789abcdef0"
}
`;

test('attack: an unreadable or malformed terraform.tfvars makes what it may set unknown (was: pass beside the error)', async () => {
  const cases: Record<string, (root: string) => Record<string, string>> = {
    garbage: () => ({ 'terraform.tfvars': 'dia = = "Enabled"\n' }),
    badJson: () => ({ 'terraform.tfvars.json': '{"dia": "Enabled",,}' }),
    fifo: () => ({}),
    tooLarge: () => ({ 'big.auto.tfvars': `# ${'x'.repeat(9 * 1024 * 1024)}\ndia = "Enabled"\n` }),
  };
  for (const [name, files] of Object.entries(cases)) {
    const t = makeTree({ 'main.tf': MAIN, ...files('') });
    try {
      if (name === 'fifo') execFileSync('mkfifo', [join(t.root, 'terraform.tfvars')]);
      const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
      assert.ok(report.errors.length > 0, `${name}: an error entry`);
      const nb = report.findings.find((f) => f.resource.id === 'aws_sagemaker_notebook_instance.nb');
      assert.equal(nb?.result, 'unknown', `${name}: ${JSON.stringify(nb)}`);
    } finally {
      t.cleanup();
    }
  }
});

test('a later file or --var still decides a variable an unreadable file may have set', async () => {
  const t = makeTree({ 'main.tf': MAIN, 'terraform.tfvars': 'dia = = "x"\n', 'z.auto.tfvars': 'dia = "Disabled"\n' });
  try {
    const report = await scan([t.root], { config: emptyConfig(), jobs: 1 });
    assert.equal(report.findings.find((f) => f.resource.id === 'aws_sagemaker_notebook_instance.nb')?.result, 'pass');
  } finally {
    t.cleanup();
  }
});
