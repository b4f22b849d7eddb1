/**
 * What every agent kind is: built once from its entry's options when the agents file is loaded
 * (a bad option throws AgentConfigError, which names the entry and skips it), then asked to
 * answer one message at a time. An agent only produces the reply's text: loop safety, rate
 * limits, the RFC 3834 headers and the sending are the worker's, the same for every kind.
 */
import { parseDuration, ConfigError } from '../config.js';
import type { Clock } from '../clock.js';
import type { SmtpTranscript, StoredMessage } from '../store/types.js';
import type { AgentReply } from './compose.js';

export class AgentConfigError extends Error {}

/** One message, as an agent sees it. */
export interface AgentContext {
  message: StoredMessage;
  /** The stored bytes (trace header included). */
  raw(): Promise<Buffer>;
  transcript(): Promise<SmtpTranscript | null>;
  /** The address the message came to: the agent's, From of the reply. */
  address: string;
  /** What the pattern's `*` stood for (`tokyo` in time-tokyo@ for `time-*@`); '' without one. */
  wildcard: string;
  agentName: string;
  now: Date;
}

export interface Agent {
  answer(context: AgentContext): Promise<AgentReply | null>;
  /** At most one reply per sender in this window (template's Sieve vacation `days`); 0: no such limit. */
  readonly oncePerSenderMs: number;
}

export interface KindDeps {
  /** --agent-program-dir; '' when none is given (command agents are then refused). */
  programDir: string;
  /** --webhook-secret: the http kind's default signing secret ('' for none). */
  webhookSecret: string;
  clock: Pick<Clock, 'now'>;
  hostname: string;
}

export type Options = Readonly<Record<string, unknown>>;

/** The options an entry may have besides `kind` and `name`: anything else is a typo worth refusing. */
export function onlyOptions(options: Options, allowed: readonly string[]): void {
  const unknown = Object.keys(options).filter((key) => key !== 'kind' && key !== 'name' && !allowed.includes(key));
  if (unknown.length > 0) throw new AgentConfigError(`unknown option ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(', ') || 'none'})`);
}

export function stringOption(options: Options, key: string, fallback?: string): string {
  const value = options[key];
  if (value === undefined) {
    if (fallback === undefined) throw new AgentConfigError(`"${key}" is required`);
    return fallback;
  }
  if (typeof value !== 'string') throw new AgentConfigError(`"${key}" must be a string`);
  return value;
}

export function stringListOption(options: Options, key: string): string[] {
  const value = options[key];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) throw new AgentConfigError(`"${key}" must be a list of strings`);
  return value;
}

export function numberOption(options: Options, key: string, fallback: number, min: number, max: number): number {
  const value = options[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw new AgentConfigError(`"${key}" must be a number from ${min} to ${max}`);
  return value;
}

/** A duration as config.ts writes them (`10s`, `2m`) or a number of milliseconds. */
export function durationOption(options: Options, key: string, fallbackMs: number): number {
  const value = options[key];
  if (value === undefined) return fallbackMs;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  if (typeof value === 'string') {
    try {
      const ms = parseDuration(value);
      if (ms > 0) return ms;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
  }
  throw new AgentConfigError(`"${key}" must be a duration such as 10s or 2m`);
}
