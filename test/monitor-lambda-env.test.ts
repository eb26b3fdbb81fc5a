// The environment `monitor deploy` gives the Lambda function must be one the function runs with:
// every combination of --organization and --accounts the deploy command accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorSpec, type MonitorDeployOptions } from '../src/monitor/spec';
import { handler, resetLambda } from '../src/lambda';

/** The literal variables of the template's environment (references such as the table name left out). */
function literalEnv(options: MonitorDeployOptions): Record<string, string> {
  return Object.fromEntries(monitorSpec(options).env.filter(([, v]) => typeof v === 'string') as [string, string][]);
}

test('the function runs with the environment the template gives it: --organization, --accounts, and both', async () => {
  const saved = { ...process.env };
  try {
    for (const options of [{ organization: true }, { accounts: ['111111111111'] }, { organization: true, accounts: ['111111111111', '222222222222'] }] as MonitorDeployOptions[]) {
      await resetLambda();
      for (const k of Object.keys(process.env)) if (k.startsWith('CLOUDCONFORM_')) delete process.env[k];
      Object.assign(process.env, literalEnv(options));
      // An empty SQS batch: nothing to describe, so no AWS call; only the settings are checked.
      const out = await handler({ Records: [] }, { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 }).catch((e: unknown) => e);
      assert.deepEqual(out, { batchItemFailures: [] }, `${JSON.stringify(options)}: ${out instanceof Error ? out.message : JSON.stringify(out)}`);
    }
  } finally {
    await resetLambda();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});
