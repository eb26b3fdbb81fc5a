// The registry's describe by ARN when the caller's account is not known beforehand (remediation
// plans of the caller's own notebook or domain: `where` has the region only): an ARN naming
// another account must not describe the caller's resource of the same id and label it with the
// other account's ARN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describeLive, DOMAINS, LiveIdError, NOTEBOOK_INSTANCES } from '../src/sources/aws/registry';

const OWN = '111122223333';
const OTHER = '999988887777';
const REGION = 'eu-west-1';

/** A SageMaker client of account OWN: every describe answers that account's resource. */
function ownAccountClient(calls: string[]): SageMakerClient {
  return {
    send: async (command: { constructor: { name: string }; input: Record<string, string> }) => {
      calls.push(command.constructor.name);
      if (command.constructor.name === 'DescribeNotebookInstanceCommand') {
        const name = command.input.NotebookInstanceName!;
        return {
          NotebookInstanceName: name,
          NotebookInstanceArn: `arn:aws:sagemaker:${REGION}:${OWN}:notebook-instance/${name.toLowerCase()}`,
          NotebookInstanceStatus: 'InService',
          DirectInternetAccess: 'Enabled',
          CreationTime: new Date('2026-01-01T00:00:00Z'),
        };
      }
      if (command.constructor.name === 'DescribeDomainCommand') {
        const id = command.input.DomainId!;
        return { DomainId: id, DomainName: 'studio', DomainArn: `arn:aws:sagemaker:${REGION}:${OWN}:domain/${id}`, Status: 'InService', AppNetworkAccessType: 'PublicInternetOnly' };
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    },
  } as unknown as SageMakerClient;
}

test("an ARN of another account, with the caller's account unknown beforehand: refused, never the caller's resource of that id under the other account's ARN", async () => {
  for (const [kind, arn] of [
    [NOTEBOOK_INSTANCES, `arn:aws:sagemaker:${REGION}:${OTHER}:notebook-instance/shared-name`],
    [DOMAINS, `arn:aws:sagemaker:${REGION}:${OTHER}:domain/d-abc123def456`],
  ] as const) {
    const calls: string[] = [];
    const out = await describeLive(kind, ownAccountClient(calls), arn, { region: REGION }).catch((e: unknown) => e);
    assert.ok(out instanceof LiveIdError, `${arn}: not refused: ${JSON.stringify(out)}`);
    assert.match(out.message, new RegExp(`account ${OTHER}.*account ${OWN}`));
  }
});

test('an ARN of the own account, with the account unknown beforehand, is described as before', async () => {
  const calls: string[] = [];
  const out = await describeLive(NOTEBOOK_INSTANCES, ownAccountClient(calls), `arn:aws:sagemaker:${REGION}:${OWN}:notebook-instance/mine`, { region: REGION });
  assert.equal(out.state, 'found');
  assert.equal(out.state === 'found' && out.resource.live?.account, OWN);
});
