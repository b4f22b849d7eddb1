/** The agent kinds by name: what an entry's `kind` may say. */
import type { Agent, KindDeps, Options } from '../kind.js';
import { commandAgent } from './command.js';
import { echoAgent } from './echo.js';
import { httpAgent } from './http.js';
import { templateAgent } from './template.js';
import { timeAgent } from './time.js';

export const KINDS: Readonly<Record<string, (options: Options, deps: KindDeps) => Agent>> = {
  echo: echoAgent,
  template: templateAgent,
  time: timeAgent,
  command: commandAgent,
  http: httpAgent,
};
