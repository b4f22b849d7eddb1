/**
 * The message view's SMTP tab: the session that delivered the message (GET
 * /api/v1/messages/{id}/smtp), as a mail log shows it: who connected and how, then each line
 * with its offset from the connect, `C:` for the client and `S:` for the server. Every part of
 * it came from the sending client, so it is inserted as text only.
 */
import { ApiError, api, type Transcript, type TranscriptLine } from './api.js';
import { h, replaceChildren } from './dom.js';

export function transcriptPanel(id: number): HTMLElement {
  const panel = h('div', { class: 'transcript' }, h('p', { class: 'muted' }, 'Loading…'));
  api.transcript(id).then(
    (transcript) => replaceChildren(panel, ...showTranscript(transcript)),
    (error: Error) =>
      replaceChildren(
        panel,
        h('p', { class: 'muted' }, error instanceof ApiError && error.status === 404 ? 'No SMTP transcript was kept for this message.' : `Cannot load the transcript: ${error.message}`),
      ),
  );
  return panel;
}

/** A transcript as shown on the message page and the policy page. */
export function showTranscript(t: Transcript): HTMLElement[] {
  return [
    h(
      'dl',
      { class: 'meta', id: 'smtp-session' },
      h('dt', {}, 'Client'), h('dd', {}, t.remoteAddress),
      h('dt', {}, 'HELO'), h('dd', {}, t.helo || '(none)'),
      h('dt', {}, 'TLS'), h('dd', {}, t.tls ? `${t.tls.version}, ${t.tls.cipher}` : 'none (plain text)'),
      h('dt', {}, 'Connected'), h('dd', {}, new Date(t.connectedAtMs).toLocaleString()),
    ),
    ...(t.truncated ? [h('p', { class: 'notice', role: 'note' }, 'A long session: lines in the middle were left out.')] : []),
    h('ol', { class: 'smtp-lines', 'aria-label': 'SMTP commands and replies' }, ...t.lines.map(line)),
  ];
}

function line(l: TranscriptLine): HTMLLIElement {
  const client = l.from === 'client';
  return h(
    'li',
    { class: client ? 'client' : 'server' },
    h('span', { class: 'at' }, `+${(l.atMs / 1000).toFixed(3)}s`),
    h('abbr', { class: 'who', title: client ? 'client' : 'server' }, client ? 'C:' : 'S:'),
    h('code', {}, l.text),
  );
}
