/**
 * One mail of the extraction corpus: what a real sender would send, and what a QA engineer waiting
 * for it wants back. `text` is the text/plain part ('' when the sender sends HTML only), `html` the
 * text/html part ('' for plain mails). `expectedCode` is the one-time code as the mail displays it
 * (null when the mail has none); `expectedActionLink` is the link the reader is asked to follow to
 * verify, confirm, reset or sign in (null when there is no such link).
 */
export type Language = 'en' | 'de' | 'fr' | 'es' | 'ja';

export interface MailCase {
  name: string;
  lang: Language;
  subject: string;
  text: string;
  html: string;
  expectedCode: string | null;
  expectedActionLink: string | null;
}
