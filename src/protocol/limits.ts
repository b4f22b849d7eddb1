/**
 * How many errors a session may make before it is closed, per protocol, in one table. An error
 * is a reply that refuses a command (SMTP 5xx, POP3 -ERR, IMAP BAD and failed logins) or a
 * framing error. Postfix's smtpd disconnects after 20 errors (smtpd_hard_error_limit) and
 * slows down after 10; we close SMTP and POP3 at 10, where a real client has long given up.
 * IMAP clients probe extensions and send more commands per session, so they get 20.
 */
export const MAX_ERRORS_PER_SESSION = {
  smtp: 10,
  pop3: 10,
  imap: 20,
} as const;
