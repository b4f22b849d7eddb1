/**
 * The plain data shapes of a message, shared by the store, the protocols, the HTTP API and the
 * web UI. Nothing here depends on Node (no Buffer), so the browser build can import it too.
 */

export interface Address {
  name: string;
  address: string;
}

/** The SMTP envelope, as the client gave it. */
export interface Envelope {
  /** Reverse path; '' for the null sender `<>`. */
  mailFrom: string;
  /** Forward paths as given (full addresses, +tags kept). */
  rcptTo: string[];
  remoteAddress: string;
  helo: string;
  tls: boolean;
}

/** Flags shared by every protocol: IMAP system flags, POP3 deletion, the web UI's "seen". */
export type Flag = 'seen' | 'answered' | 'flagged' | 'deleted' | 'draft';

export interface Header {
  name: string;
  value: string;
}

export interface AttachmentInfo {
  index: number;
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  /** 'attachment' or 'inline'. */
  disposition: string;
}

/** The full MIME parse of a body. */
export interface ParsedBody {
  headers: Header[];
  text: string;
  html: string;
  attachments: AttachmentInfo[];
  links: string[];
  codes: string[];
  preview: string;
}

/** One line of an SMTP session as the server saw it, `atMs` after the client connected. */
export interface TranscriptLine {
  atMs: number;
  /** 'client' for a command (or the DATA content's summary), 'server' for a reply. */
  from: 'client' | 'server';
  text: string;
}

/**
 * The SMTP session that delivered a message, as Mailinator shows it: who connected, how, and
 * every command and reply up to the message's 250. The DATA content itself is not repeated.
 */
export interface SmtpTranscript {
  remoteAddress: string;
  helo: string;
  /** e.g. { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' }; null for plaintext. */
  tls: { version: string; cipher: string } | null;
  /** When the client connected (ms since the epoch). */
  connectedAtMs: number;
  lines: TranscriptLine[];
  /** Lines were left out in the middle to keep the transcript within its cap. */
  truncated: boolean;
}
