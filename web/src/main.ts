/** The web UI's entry: one page per path (`/`, `/inbox/{name}`, `/message/{id}`), each a plain page load. */
import { renderHome } from './home.js';
import { renderInbox } from './inbox.js';
import { renderMessage } from './message.js';
import { h, replaceChildren } from './dom.js';
import { installListKeys } from './keys.js';

function route(): void {
  const main = document.getElementById('main')!;
  const path = location.pathname;
  const inbox = /^\/inbox\/([^/]+)\/?$/.exec(path);
  const message = /^\/message\/([1-9][0-9]*)\/?$/.exec(path);
  if (inbox) renderInbox(main, decodeURIComponent(inbox[1]!));
  else if (message) void renderMessage(main, Number(message[1]));
  else if (path === '/') renderHome(main);
  else replaceChildren(main, h('p', {}, 'Page not found. ', h('a', { href: '/' }, 'Go home')));
}

installListKeys();
route();
