/**
 * Signing a pledge as a citizen does in the app, for tests that need a pledge-mode case granted
 * (since the pledge-signature patch the grant waits for the signature): waits for the written
 * notice, then sends signPledge with the notice's hash, answered once the grant is recorded.
 */
import type { Client } from '@temporalio/client';
import type { Models } from '../../store/models.js';
import { signPledgeUpdate, SIGN_PLEDGE_UPDATE_ID, type PledgeSignResult } from '../../workflows/contracts/index.js';
import { pollUntil } from './poll.js';

export async function signWhenNoticed(
  models: Pick<Models, 'Pledge'>,
  client: Client,
  pledgeKey: string,
): Promise<PledgeSignResult> {
  const pledge = await pollUntil('the written notice of the pledge', () =>
    models.Pledge.findOne({ _id: pledgeKey, status: 'awaiting-signature' }).lean(),
  );
  return client.workflow.getHandle(pledgeKey).executeUpdate(signPledgeUpdate, {
    args: [{ channel: 'app', noticeHash: pledge!.noticeHash! }],
    updateId: SIGN_PLEDGE_UPDATE_ID,
  });
}
