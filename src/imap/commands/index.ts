/**
 * The protocol as data: every command, the states that allow it (RFC 3501 §6: "any state",
 * "not authenticated", "authenticated" — which includes Selected — and "selected"), and its
 * handler. The dispatcher in session.ts answers BAD for a command outside its states.
 */
import type { CommandSpec, ImapState } from '../command.js';
import { authenticate, loginCommand, startTls } from './auth.js';
import { capability, check, logout, noop } from './basic.js';
import { fetch } from './fetch.js';
import { idle } from './idle.js';
import { append } from './append.js';
import { copy, move } from './copy.js';
import { create, deleteCommand, rename, subscribe, unsubscribe } from './folders.js';
import { listCommand, lsub, namespace } from './list.js';
import { search } from './search.js';
import { close, examine, expunge, select, unselect } from './select.js';
import { status } from './status.js';
import { store } from './store.js';

const ANY: readonly ImapState[] = ['NotAuthenticated', 'Authenticated', 'Selected'];
const NOT_AUTHENTICATED: readonly ImapState[] = ['NotAuthenticated'];
const AUTHENTICATED: readonly ImapState[] = ['Authenticated', 'Selected'];
const SELECTED: readonly ImapState[] = ['Selected'];

export const COMMANDS: Record<string, CommandSpec> = {
  CAPABILITY: { states: ANY, handler: capability },
  NOOP: { states: ANY, handler: noop },
  LOGOUT: { states: ANY, handler: logout },

  STARTTLS: { states: NOT_AUTHENTICATED, handler: startTls },
  LOGIN: { states: NOT_AUTHENTICATED, handler: loginCommand },
  AUTHENTICATE: { states: NOT_AUTHENTICATED, handler: authenticate },

  SELECT: { states: AUTHENTICATED, handler: select },
  EXAMINE: { states: AUTHENTICATED, handler: examine },
  LIST: { states: AUTHENTICATED, handler: listCommand },
  LSUB: { states: AUTHENTICATED, handler: lsub },
  NAMESPACE: { states: AUTHENTICATED, handler: namespace },
  STATUS: { states: AUTHENTICATED, handler: status },
  SUBSCRIBE: { states: AUTHENTICATED, handler: subscribe },
  UNSUBSCRIBE: { states: AUTHENTICATED, handler: unsubscribe },
  CREATE: { states: AUTHENTICATED, handler: create },
  DELETE: { states: AUTHENTICATED, handler: deleteCommand },
  RENAME: { states: AUTHENTICATED, handler: rename },
  APPEND: { states: AUTHENTICATED, handler: append },
  IDLE: { states: AUTHENTICATED, handler: idle },

  CHECK: { states: SELECTED, handler: check },
  CLOSE: { states: SELECTED, handler: close },
  UNSELECT: { states: SELECTED, handler: unselect },
  EXPUNGE: { states: SELECTED, handler: expunge },
  FETCH: { states: SELECTED, handler: fetch, expungeAfter: false },
  STORE: { states: SELECTED, handler: store, expungeAfter: false },
  SEARCH: { states: SELECTED, handler: search, expungeAfter: false },
  COPY: { states: SELECTED, handler: copy, expungeAfter: false },
  MOVE: { states: SELECTED, handler: move },
  'UID FETCH': { states: SELECTED, handler: fetch },
  'UID STORE': { states: SELECTED, handler: store },
  'UID SEARCH': { states: SELECTED, handler: search },
  'UID COPY': { states: SELECTED, handler: copy },
  'UID MOVE': { states: SELECTED, handler: move },
  'UID EXPUNGE': { states: SELECTED, handler: expunge },
};
