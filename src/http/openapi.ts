/**
 * The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`. Schemas are
 * closed (`additionalProperties: false`) so the API tests, which validate real responses
 * against them, catch a field added here but not there, or there but not here.
 */
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './handlers/inboxes.js';
import { DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS } from './wait.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const closed = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});
const integer = { type: 'integer', minimum: 0 };
const string = { type: 'string' };
const nullableString = { type: ['string', 'null'] };
const isoDate = { type: 'string', format: 'date-time' };
const nonEmpty = { type: 'string', minLength: 1, maxLength: 500 };

const FLAG = { type: 'string', enum: ['seen', 'answered', 'flagged', 'deleted', 'draft'] };

const summaryProperties = {
  id: { type: 'integer', minimum: 1, description: 'Unique, strictly ascending in arrival order: a cursor for wait' },
  inbox: string,
  from: { oneOf: [ref('Address'), { type: 'null' }], description: 'null when the message has no parseable From header' },
  to: { type: 'array', items: ref('Address') },
  subject: string,
  date: { type: ['string', 'null'], format: 'date-time', description: 'The Date header; null if absent or unparseable' },
  receivedAt: isoDate,
  size: { ...integer, description: 'Size of the raw message in bytes' },
  preview: { ...string, description: 'Start of the text body; may be empty for a moment after arrival' },
  codes: { type: 'array', items: string, description: 'One-time codes found in the subject and body, most likely first' },
  seen: { type: 'boolean' },
  flags: { type: 'array', items: FLAG },
  tags: { type: 'array', items: string, description: 'Labels given by routing rules (tag actions), in rule order' },
};

const schemas: Record<string, Schema> = {
  Address: closed({ name: string, address: string }),
  Summary: closed({
    ...summaryProperties,
    attachments: { ...integer, description: 'Number of attachments; may be 0 for a moment after arrival' },
    links: { type: 'array', items: string, maxItems: 10, description: 'At most 10 links, the likely action link first' },
  }),
  Attachment: closed({ index: integer, filename: nullableString, contentType: string, size: integer, contentId: nullableString, disposition: { type: 'string', enum: ['attachment', 'inline'] } }),
  Envelope: closed({ mailFrom: string, rcptTo: { type: 'array', items: string }, remoteAddress: string, helo: string, tls: { type: 'boolean' } }),
  Message: closed({
    ...summaryProperties,
    attachments: { type: 'array', items: ref('Attachment') },
    headers: { type: 'array', items: closed({ name: string, value: string }) },
    text: string,
    html: { ...string, description: 'The HTML part as sent (unsanitised); render it only through /html' },
    links: { type: 'array', items: string, description: 'Every link, the likely action link first' },
    envelope: ref('Envelope'),
  }),
  Transcript: closed({
    remoteAddress: string,
    helo: string,
    tls: { oneOf: [closed({ version: string, cipher: string }), { type: 'null' }], description: 'null for a plaintext session' },
    connectedAtMs: { ...integer, description: 'When the client connected, ms since the epoch' },
    lines: {
      type: 'array',
      items: closed({
        atMs: { ...integer, description: 'ms after the client connected' },
        from: { type: 'string', enum: ['client', 'server'] },
        text: string,
      }),
    },
    truncated: { type: 'boolean', description: 'Lines were left out in the middle to keep the transcript within 16 KiB' },
  }),
  MessagePage: closed({ inbox: string, total: integer, messages: { type: 'array', items: ref('Summary') } }),
  SearchResult: closed({ query: string, inbox: nullableString, messages: { type: 'array', items: ref('Summary') } }),
  Error: closed({ error: closed({ code: string, message: string }) }),
  Health: closed({ status: { type: 'string', enum: ['ok'] }, messages: integer }),
};

const json = (schemaName: string, description: string): Schema => ({ description, content: { 'application/json': { schema: ref(schemaName) } } });
const error = (description: string): Schema => json('Error', description);
const pathParam = (name: string, description: string, schema: Schema = string): Schema => ({ name, in: 'path', required: true, description, schema });
const queryParam = (name: string, description: string, schema: Schema): Schema => ({ name, in: 'query', required: false, description, schema });

const inbox = pathParam('inbox', 'An inbox name or a full address (joe, Joe+tag@example.com → joe)');
const id = pathParam('id', 'A message id', { type: 'integer', minimum: 1 });
const limit = queryParam('limit', `Page size (default ${DEFAULT_PAGE_SIZE})`, { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE });
const bad = error('Malformed inbox name or parameter');
const missing = error('No such message');

const paths: Record<string, Schema> = {
  '/api/v1/inboxes/{inbox}/messages': {
    get: {
      summary: 'List an inbox, newest first',
      parameters: [inbox, limit, queryParam('offset', 'Messages to skip', integer)],
      responses: { 200: json('MessagePage', 'A page of summaries'), 400: bad },
    },
  },
  '/api/v1/inboxes/{inbox}': {
    delete: { summary: 'Delete every message of an inbox', parameters: [inbox], responses: { 204: { description: 'Deleted (or already empty)' }, 400: bad } },
  },
  '/api/v1/inboxes/{inbox}/wait': {
    get: {
      summary: 'Wait for the oldest message newer than `after` (or, without it, the first to arrive after the call) that meets every matcher given',
      parameters: [
        inbox,
        queryParam('after', 'The id last seen; the answer is the oldest matching message newer than it', integer),
        queryParam('timeout', `Seconds to wait (default ${DEFAULT_WAIT_SECONDS}); 0 checks the messages already there`, { type: 'integer', minimum: 0, maximum: MAX_WAIT_SECONDS }),
        queryParam('from', 'Part of the From name or address (case-insensitive)', nonEmpty),
        queryParam('to', 'Part of a To name or address (case-insensitive)', nonEmpty),
        queryParam('subject', 'Part of the subject (case-insensitive)', nonEmpty),
        queryParam('contains', 'Words the body text must hold, matched as search matches them (every word, as a prefix)', nonEmpty),
        queryParam('code', '1: only a message with a one-time code', { type: 'integer', enum: [1] }),
      ],
      responses: {
        200: json('Summary', 'The message'),
        204: { description: 'Nothing matching arrived in time' },
        400: error('Malformed inbox name, a bad value, or a parameter wait does not take'),
      },
    },
  },
  '/api/v1/messages/{id}': {
    get: {
      summary: 'A message with its full parse; marks it seen',
      description: 'The response carries an ETag that changes with the flags and tags only; If-None-Match with it answers 304 while they are unchanged.',
      parameters: [id],
      responses: { 200: json('Message', 'The message'), 304: { description: 'Not modified: the ETag given in If-None-Match is current' }, 400: bad, 404: missing },
    },
    delete: { summary: 'Delete a message', parameters: [id], responses: { 204: { description: 'Deleted' }, 400: bad, 404: missing } },
  },
  '/api/v1/messages/{id}/raw': {
    get: {
      summary: 'The message source, byte for byte as stored',
      parameters: [id],
      responses: { 200: { description: 'RFC 5322 message', content: { 'message/rfc822': { schema: { type: 'string' } } } }, 400: bad, 404: missing },
    },
  },
  '/api/v1/messages/{id}/html': {
    get: {
      summary: 'The HTML part as a sanitised document under a strict CSP, for a sandboxed iframe',
      parameters: [id, queryParam('remote', '1 to allow remote images, CSS and fonts', { type: 'integer', enum: [0, 1] })],
      responses: { 200: { description: 'HTML document', content: { 'text/html': { schema: { type: 'string' } } } }, 400: bad, 404: missing },
    },
  },
  '/api/v1/messages/{id}/smtp': {
    get: {
      summary: 'The SMTP session that delivered the message: connection, TLS, every command and reply up to its 250',
      parameters: [id],
      responses: {
        200: json('Transcript', 'The transcript'),
        400: bad,
        404: error('No such message, or one stored before transcripts were kept (the message says which)'),
      },
    },
  },
  '/api/v1/messages/{id}/attachments/{index}': {
    get: {
      summary: 'An attachment, always as a download',
      parameters: [id, pathParam('index', 'Attachment index', integer)],
      responses: { 200: { description: 'The attachment bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, 400: bad, 404: error('No such message or attachment') },
    },
  },
  '/api/v1/search': {
    get: {
      summary: 'Full-text search over subject, addresses and body text (every word must match)',
      parameters: [{ name: 'q', in: 'query', required: true, schema: string }, queryParam('inbox', 'Limit to one inbox', string), limit],
      responses: { 200: json('SearchResult', 'Matching summaries, newest first'), 400: bad },
    },
  },
  '/api/v1/events': {
    get: {
      summary: 'Server-sent events: message, deleted, flags, ready, reset; ids resume with Last-Event-ID',
      parameters: [queryParam('inbox', 'Only events of this inbox', string), { name: 'Last-Event-ID', in: 'header', required: false, schema: string }],
      responses: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 400: bad },
    },
  },
  '/api/v1/policy': {
    get: {
      summary: 'The SMTP policy now: settings, trusted networks, the disk guard, bans in force, the hottest counters, the last refused sessions with their transcripts, and the greylist (null without --greylist) (public)',
      parameters: [
        queryParam('refused', 'How many refused sessions, newest first (0–1000, default 1000)', integer),
        // §1 Greylisting (issue 15)
        queryParam('greylist', 'How many greylist entries (grey, white and client), most recently seen first (0–1000, default 100)', integer),
      ],
      responses: { 200: { description: 'The policy', content: { 'application/json': { schema: { type: 'object' } } } }, 400: bad, 404: error('No SMTP listener, so no policy') },
    },
  },
  '/api/v1/policy/bans/{id}': {
    delete: {
      summary: 'Lift a ban; needs `Authorization: Bearer <--admin-token>`',
      parameters: [pathParam('id', 'Ban id (from GET /api/v1/policy)', integer)],
      responses: {
        204: { description: 'Lifted' },
        400: bad,
        401: error('No bearer token sent'),
        403: error('Wrong token, or no --admin-token configured on the server'),
        404: error('No such ban in force'),
      },
    },
  },
  // --- outbound copies (issue 16, part "submit") ---
  '/api/v1/inboxes/{inbox}/outbound': {
    get: {
      summary: 'The ids of the outbound copies in an inbox (--capture-outbound: relayed mail kept in its sender\'s inbox), newest first',
      parameters: [inbox],
      responses: {
        200: {
          description: 'The outbound copies; ids is empty without --capture-outbound',
          content: { 'application/json': { schema: closed({ inbox: string, capture: { type: 'boolean' }, ids: { type: 'array', items: { type: 'integer', minimum: 1 } } }) } },
        },
        400: error('Malformed inbox name'),
      },
    },
  },
  // --- end outbound ---
  // Mail that acts (issue 17): webhooks and routing rules.
  '/api/v1/webhooks/deliveries': {
    get: {
      summary: 'The webhook queue, newest first: each delivery\'s event, message, state, attempts, next attempt, last status, error and latency; counts by state (public)',
      parameters: [queryParam('state', 'Only deliveries in this state', { type: 'string', enum: ['pending', 'delivered', 'failed'] }), queryParam('limit', 'How many (1–1000, default 100)', integer)],
      responses: { 200: { description: 'Deliveries', content: { 'application/json': { schema: { type: 'object' } } } }, 400: bad },
    },
  },
  '/api/v1/rules': {
    get: { summary: 'Every routing rule (file and API) in the order they apply, and the problems of the last load (public)', responses: { 200: { description: 'Rules', content: { 'application/json': { schema: { type: 'object' } } } } } },
    post: {
      summary: 'Create a rule; needs `Authorization: Bearer <--admin-token>`',
      responses: { 201: { description: 'Created' }, 400: error('Malformed rule (the message says what)'), 401: error('No bearer token sent'), 403: error('Wrong token, or no --admin-token configured'), 409: error('A rule of that name exists') },
    },
  },
  '/api/v1/rules/{name}': {
    get: { summary: 'One rule', parameters: [pathParam('name', 'Rule name')], responses: { 200: { description: 'The rule' }, 404: error('No such rule') } },
    put: {
      summary: 'Create (201) or replace (200) an API rule; needs the admin token',
      parameters: [pathParam('name', 'Rule name')],
      responses: { 200: { description: 'Replaced' }, 201: { description: 'Created' }, 400: error('Malformed rule'), 401: error('No bearer token sent'), 403: error('Wrong or no admin token'), 409: error('The rule belongs to the --rules file') },
    },
    delete: {
      summary: 'Delete an API rule; needs the admin token',
      parameters: [pathParam('name', 'Rule name')],
      responses: { 204: { description: 'Deleted' }, 401: error('No bearer token sent'), 403: error('Wrong or no admin token'), 404: error('No such rule'), 409: error('The rule belongs to the --rules file') },
    },
  },
  '/healthz': { get: { summary: 'Liveness and store health', responses: { 200: json('Health', 'Healthy'), 503: error('Store unavailable') } } },
  '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'Text exposition format', content: { 'text/plain': { schema: string } } } } } },
};

// --- relay queue and release (issue 16, relay part) ---
const queueRecipient = {
  address: string,
  state: { type: 'string', enum: ['pending', 'delivering', 'deferred', 'delivered', 'bounced'] },
  attempts: { ...integer, description: 'Attempts made so far' },
  nextAttemptAt: { type: ['string', 'null'], format: 'date-time', description: 'When it is tried next; null once delivered or bounced' },
  lastReply: { ...string, description: 'The last reply (or what went wrong before one: refused, timed out, DNS)' },
};
const queueMessage = {
  id: { type: 'integer', minimum: 1 },
  mailFrom: { ...string, description: "The envelope sender; '' is the null sender (bounces)" },
  origin: { type: 'string', enum: ['submission', 'relay-network', 'release', 'alias', 'agent', 'rule', 'bounce'] },
  sourceId: { type: ['integer', 'null'], description: 'The stored message it came from (release, captured copy)' },
  size: integer,
  createdAt: isoDate,
};
Object.assign(schemas, {
  QueuedMessage: closed({ ...queueMessage, recipients: { type: 'array', items: closed(queueRecipient) } }),
  QueuedMessageDetail: closed({
    ...queueMessage,
    recipients: {
      type: 'array',
      items: closed({
        ...queueRecipient,
        attemptLog: { type: 'array', items: closed({ at: isoDate, host: { ...string, description: "MX name[address]:port; '' when no host was reached" }, reply: string, outcome: { type: 'string', enum: ['delivered', 'deferred', 'bounced'] } }) },
      }),
    },
  }),
  QueuePage: closed({ total: integer, messages: { type: 'array', items: ref('QueuedMessage') } }),
  Released: closed({ queueId: { type: 'integer', minimum: 1 }, to: { type: 'array', items: string } }),
  QueueAccepted: closed({ id: { type: 'integer', minimum: 1 } }),
});
const queueId = pathParam('id', 'A queued message id', { type: 'integer', minimum: 1 });
const adminErrors = { 401: error('No bearer token sent'), 403: error('Wrong token, or no --admin-token configured on the server') };
Object.assign(paths, {
  '/api/v1/queue': {
    get: {
      summary: 'The relay queue, newest first: each message with its recipients, their states and next retries (public)',
      parameters: [queryParam('limit', 'Page size (1–500, default 50)', { type: 'integer', minimum: 1, maximum: 500 }), queryParam('offset', 'Messages to skip', integer)],
      responses: { 200: json('QueuePage', 'A page of queued messages'), 400: bad, 404: error('No relay queue') },
    },
  },
  '/api/v1/queue/{id}': {
    get: { summary: 'A queued message with every attempt per recipient (time, host, reply)', parameters: [queueId], responses: { 200: json('QueuedMessageDetail', 'The message'), 400: bad, 404: error('No such queued message') } },
    delete: { summary: 'Drop a message from the queue, undelivered recipients included; needs the admin token', parameters: [queueId], responses: { 204: { description: 'Deleted' }, 400: bad, ...adminErrors, 404: error('No such queued message') } },
  },
  '/api/v1/queue/{id}/retry': {
    post: { summary: 'Make the waiting recipients of a queued message due now; needs the admin token', parameters: [queueId], responses: { 202: json('QueueAccepted', 'Due now'), 400: bad, ...adminErrors, 404: error('No such queued message') } },
  },
  '/api/v1/messages/{id}/release': {
    post: {
      summary: "Relay a stored message's raw bytes through the queue to the addresses given (Mailpit's release); needs the admin token",
      parameters: [id],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: closed({ to: { type: 'array', minItems: 1, maxItems: 100, items: string }, from: { ...string, description: "Envelope sender; default the stored message's; '' for the null sender" } }, ['to']) } },
      },
      responses: { 202: json('Released', 'Queued'), 400: error('Malformed body or address'), ...adminErrors, 404: error('No such stored message, or no relay queue') },
    },
  },
});
// --- end relay queue ---

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'Tidemail API', version: '1', description: 'Read any disposable inbox: list, wait, search, live events. Errors are `{ error: { code, message } }`.' },
  paths,
  components: { schemas },
};

export const OPENAPI_JSON = JSON.stringify(OPENAPI_DOCUMENT);
