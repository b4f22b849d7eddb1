/** The web UI's entry: one page per path (`/`, `/inbox/{name}`, `/message/{id}`, `/policy`), each a plain page load. */
import { renderHome } from './home.js';
import { renderInbox } from './inbox.js';
import { renderMessage } from './message.js';
import { renderPolicy } from './policy.js';
import { renderRules } from './rules.js';
import { renderWebhooks } from './webhooks.js';
import { renderQueue, renderQueuedMessage } from './queue.js';
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
  else if (path === '/policy' || path === '/policy/') renderPolicy(main);
  else if (path === '/webhooks' || path === '/webhooks/') renderWebhooks(main);
  else if (path === '/rules' || path === '/rules/') renderRules(main);
  else if (path === '/queue' || path === '/queue/') renderQueue(main); // relay queue (issue 16)
  else if (/^\/queue\/[1-9][0-9]*\/?$/.test(path)) renderQueuedMessage(main, Number(path.split('/')[2])); // relay queue (issue 16)
  else replaceChildren(main, h('p', {}, 'Page not found. ', h('a', { href: '/' }, 'Go home')));
}

installListKeys();
route();
