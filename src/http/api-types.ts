/**
 * The JSON shapes of /api/v1 (those `openapi.ts` declares), in one place for the server that
 * produces them and the web UI that reads them. Times are ISO 8601 strings; `seen` stands next
 * to the full flag list.
 */
import type { Address, AttachmentInfo, Envelope, Flag, ParsedBody, SmtpTranscript } from '../mail/model.js';

export type { Address, AttachmentInfo };

/** `GET /api/v1/messages/{id}/smtp`: the session that delivered the message, as stored. */
export type ApiTranscript = SmtpTranscript;

export interface ApiSummary {
  id: number;
  inbox: string;
  from: Address | null;
  to: Address[];
  subject: string;
  date: string | null;
  receivedAt: string;
  size: number;
  preview: string;
  attachments: number;
  /** One-time codes, most likely first. */
  codes: string[];
  /** At most 10 links, the likely action link first (the message itself has them all). */
  links: string[];
  seen: boolean;
  flags: Flag[];
  /** Labels given by routing rules (`tag` actions), in rule order; [] when none. */
  tags: readonly string[];
}

/** A whole message: its summary, the full MIME parse (less the preview) and the envelope. */
export interface ApiMessage extends Omit<ApiSummary, 'attachments'>, Omit<ParsedBody, 'preview'> {
  envelope: Envelope;
}
