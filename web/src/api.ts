/** The JSON API as the UI uses it (shapes as in /api/v1/openapi.json). */

import type { Address, ApiMessage as Message, ApiSummary as Summary, ApiTranscript as Transcript, AttachmentInfo as Attachment } from '../../src/http/api-types.js';
import type { TranscriptLine } from '../../src/mail/model.js';

export type { Address, Attachment, Message, Summary, Transcript, TranscriptLine };

/** GET /api/v1/policy, as src/http/handlers/policy.ts answers it. */
export interface PolicyView {
  enabled: boolean;
  trustedNetworks: string[];
  settings: Record<string, unknown>;
  disk: { state: 'ok' | 'full'; freeBytes: number; reusableBytes: number; minFreeBytes: number; evictedTotal: number } | null;
  bans: Array<{ id: number; kind: string; value: string; reason: string; sinceMs: number; untilMs: number }>;
  hottest: Array<{ kind: string; key: string; count: number; resetAtMs: number }>;
  refused: Array<{ atMs: number; remoteAddress: string; helo: string; reason: string; transcript: Transcript }>;
}

/** GET /api/v1/webhooks/deliveries, as src/http/handlers/webhooks.ts answers it. */
export interface DeliveriesView {
  counts: Record<'pending' | 'delivered' | 'failed', number>;
  deliveries: Array<{
    id: number; webhookId: string; url: string; event: string; messageId: number; inbox: string; state: string; attempts: number;
    nextAttemptAt: string | null; createdAt: string | null; lastAttemptAt: string | null; lastStatus: number | null; lastError: string | null; lastLatencyMs: number | null;
  }>;
}

/** GET /api/v1/rules, as src/http/handlers/rules.ts answers it. */
export interface RulesView {
  rules: Array<{ name: string; enabled: boolean; priority: number; match: string; source: 'file' | 'api'; conditions: Array<{ field: string; op: string; value: string }>; actions: Array<Record<string, unknown>> }>;
  problems: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function request(path: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(path, init);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      // not JSON
    }
    throw new ApiError(response.status, message);
  }
  return response;
}

const enc = encodeURIComponent;

export const api = {
  list: async (inbox: string): Promise<{ inbox: string; total: number; messages: Summary[] }> =>
    (await request(`/api/v1/inboxes/${enc(inbox)}/messages?limit=100`)).json(),
  search: async (text: string, inbox?: string): Promise<{ query: string; inbox: string | null; messages: Summary[] }> =>
    (await request(`/api/v1/search?q=${enc(text)}${inbox ? `&inbox=${enc(inbox)}` : ''}&limit=50`)).json(),
  message: async (id: number): Promise<Message> => (await request(`/api/v1/messages/${id}`)).json(),
  transcript: async (id: number): Promise<Transcript> => (await request(`/api/v1/messages/${id}/smtp`)).json(),
  raw: async (id: number): Promise<string> => (await request(`/api/v1/messages/${id}/raw`)).text(),
  deleteMessage: async (id: number): Promise<void> => void (await request(`/api/v1/messages/${id}`, { method: 'DELETE' })),
  deleteInbox: async (inbox: string): Promise<void> => void (await request(`/api/v1/inboxes/${enc(inbox)}`, { method: 'DELETE' })),
  policy: async (): Promise<PolicyView> => (await request('/api/v1/policy?refused=100')).json(),
  liftBan: async (id: number, token: string): Promise<void> =>
    void (await request(`/api/v1/policy/bans/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })),
  deliveries: async (): Promise<DeliveriesView> => (await request('/api/v1/webhooks/deliveries?limit=200')).json(),
  rules: async (): Promise<RulesView> => (await request('/api/v1/rules')).json(),
  putRule: async (name: string, json: string, token: string): Promise<void> =>
    void (await request(`/api/v1/rules/${enc(name)}`, { method: 'PUT', body: json, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })),
  deleteRule: async (name: string, token: string): Promise<void> =>
    void (await request(`/api/v1/rules/${enc(name)}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })),
  eventsUrl: (inbox: string): string => `/api/v1/events?inbox=${enc(inbox)}`,
  htmlUrl: (id: number, remote: boolean): string => `/api/v1/messages/${id}/html${remote ? '?remote=1' : ''}`,
  rawUrl: (id: number): string => `/api/v1/messages/${id}/raw`,
  attachmentUrl: (id: number, index: number): string => `/api/v1/messages/${id}/attachments/${index}`,
};

/** The domain addresses are shown with, written into the page by the server. */
export function mailDomain(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="tidemail-domain"]')?.content || location.hostname;
}
