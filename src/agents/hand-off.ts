/**
 * AgentHandOff (agents/types.ts) for routing rules: a rule's `agent` action hands a stored
 * message to a named agent as if it had been sent to that agent's address. The hand-off is a
 * pending row like any other (so it survives a crash), and resolves once the worker has done
 * it: replied (the reply committed to the Outbox), declined by loop safety or a limit, or given
 * up. It never rejects for a message the agent declines.
 */
import type { MessageId } from '../store/types.js';
import type { AgentDirectory } from './directory.js';
import type { AgentHandOff } from './types.js';
import type { AgentWorker } from './worker.js';

export class AgentInboxHandOff implements AgentHandOff {
  constructor(
    private readonly directory: AgentDirectory,
    private readonly worker: Pick<AgentWorker, 'recordAndWait'>,
  ) {}

  has(agentName: string): boolean {
    return this.directory.byName(agentName) !== null;
  }

  async handle(agentName: string, id: MessageId): Promise<void> {
    if (!this.has(agentName)) return;
    await this.worker.recordAndWait({ messageId: id, agent: agentName, address: '' });
  }
}
