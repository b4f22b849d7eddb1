/**
 * The contract between routing rules (src/rules/, action `agent`) and agent inboxes
 * (src/agents/): a rule may hand a stored message to a named agent from the `--agents` file, as
 * if the message had been sent to that agent's address. The agent applies its own loop-safety
 * and rate rules (RFC 3834); handing over never throws for a message the agent declines.
 */
import type { MessageId } from '../store/types.js';

export interface AgentHandOff {
  /** Whether an agent of this name is configured now (a rule naming an unknown one is reported when loaded). */
  has(agentName: string): boolean;
  /** Answer stored message `id` with agent `agentName`; resolves once the reply (if any) is committed to its outbox. */
  handle(agentName: string, id: MessageId): Promise<void>;
}
