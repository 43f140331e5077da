/**
 * Resuming an application when the certifying department answers a verification it was waiting
 * for (a claim answered by procedure, 需按法定程序办理): the application's workflow is signalled as
 * if a proof had been supplied, takes the answer from the archive on its next pass, and asks the
 * applicant only for what is still missing. An application that has moved on or ended meanwhile
 * (its applicant uploaded the proof, or it lapsed) has nothing to resume.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { applicationWorkflowId, proofsSuppliedSignal } from '../../workflows/contracts/application.js';

export function applicationResumer(temporal: Client): (applicationId: string) => Promise<void> {
  return async (applicationId) => {
    try {
      await temporal.workflow.getHandle(applicationWorkflowId(applicationId)).signal(proofsSuppliedSignal);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  };
}
