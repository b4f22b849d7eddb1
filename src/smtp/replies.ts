/**
 * Every reply the SMTP server sends, with its basic code (RFC 5321 §4.2) and enhanced status
 * code (RFC 3463, registry RFC 5248). Kept in one table so the wording and codes stay
 * consistent and are easy to review.
 */

export interface Reply {
  code: number;
  /** Enhanced status code, e.g. "5.5.1" (RFC 2034); omitted only in the greeting. */
  enhanced?: string;
  text: string;
}

export function reply(code: number, enhanced: string, text: string): Reply {
  return { code, enhanced, text };
}

/** Wire form; a multi-line text becomes a multi-line reply (RFC 5321 §4.2.1). */
export function formatReply(r: Reply): string {
  const lines = r.text.split('\n');
  return lines
    .map((line, i) => `${r.code}${i === lines.length - 1 ? ' ' : '-'}${r.enhanced ? `${r.enhanced} ` : ''}${line}\r\n`)
    .join('');
}

export const R = {
  ok: reply(250, '2.0.0', 'OK'), // X.0.0 other/undefined success
  senderOk: reply(250, '2.1.0', 'Sender OK'), // X.1.0 other address status
  recipientOk: reply(250, '2.1.5', 'Recipient OK'), // X.1.5 destination address valid
  reset: reply(250, '2.0.0', 'Reset'),
  startData: reply(354, '', 'End data with <CR><LF>.<CR><LF>'),
  vrfy: reply(252, '2.5.0', 'Cannot VRFY user, but will accept message for any address'), // RFC 5321 §3.5.3
  help: reply(214, '2.0.0', 'Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT HELP VRFY STARTTLS'),
  bye: reply(221, '2.0.0', 'Bye'),
  startTls: reply(220, '2.0.0', 'Ready to start TLS'), // RFC 3207 §4

  // 4xx: the client may try again later.
  tooManyRecipients: reply(452, '4.5.3', 'Too many recipients'), // RFC 5321 §4.5.3.1.10; X.5.3 too many recipients
  storeFailed: reply(451, '4.3.0', 'Temporary failure storing the message; try again later'), // X.3.0 mail system status
  idleTimeout: reply(421, '4.4.2', 'Idle timeout, closing connection'), // X.4.2 bad connection
  tooManyErrors: reply(421, '4.7.0', 'Too many errors, closing connection'), // X.7.0 security/policy
  tooManyConnections: reply(421, '4.7.0', 'Too many connections, try again later'),
  tooManyConnectionsFromIp: reply(421, '4.7.0', 'Too many connections from your address, try again later'),
  tooManyConnectionsFromNetwork: reply(421, '4.7.0', 'Too many connections from your network, try again later'),
  shed: reply(421, '4.7.0', 'Too many connections: closing idle sessions to make room, try again later'),
  shuttingDown: reply(421, '4.3.2', 'Service shutting down'), // X.3.2 system not accepting messages
  banned: (why: string) => reply(421, '4.7.1', why), // X.7.1 delivery not authorized: a ban, then a hang-up
  deferredByPolicy: (why: string) => reply(450, '4.7.1', why), // a rate limit: the client may retry later
  greylisted: (seconds: number) => reply(451, '4.7.1', `Greylisted, try again in ${seconds} seconds`),
  magicDeferred: reply(451, '4.3.0', 'Recipient deferred, as its magic address asks'), // X.3.0 mail system status
  magicFull: reply(452, '4.3.1', 'Mail system full, as a magic recipient asks'), // X.3.1 mail system full (RFC 3463)
  storageFull: reply(452, '4.3.1', 'Mail system full; try again later'), // X.3.1: the disk is full and eviction cannot help

  // 5xx: permanent.
  unknownCommand: reply(500, '5.5.2', 'Command not recognized'), // X.5.2 syntax error
  lineTooLong: reply(500, '5.5.2', 'Line too long'), // RFC 5321 §4.5.3.1.4
  bareNewline: reply(500, '5.5.2', 'Bare CR or LF not allowed; end lines with CRLF'), // RFC 5321 §2.3.8
  badUtf8: reply(500, '5.5.2', 'Command is not valid UTF-8'),
  badSequence: reply(503, '5.5.1', 'Bad sequence of commands'), // X.5.1 invalid command
  noHello: reply(503, '5.5.1', 'Send EHLO or HELO first'),
  nestedMail: reply(503, '5.5.1', 'Sender already specified'),
  noRecipients: reply(503, '5.5.1', 'Need RCPT before DATA'),
  tlsActive: reply(503, '5.5.1', 'TLS already active'),
  syntax: (what: string) => reply(501, '5.5.4', what), // X.5.4 invalid command arguments
  badAddress: (why: string) => reply(501, '5.1.7', `Bad address syntax: ${why}`), // X.1.7 bad sender mailbox syntax
  badRecipient: (why: string) => reply(501, '5.1.3', `Bad recipient address syntax: ${why}`), // X.1.3 bad destination syntax
  unsupportedParameter: (name: string) => reply(555, '5.5.4', `Parameter ${name} not supported`), // RFC 5321 §4.1.1.11
  notOurDomain: reply(550, '5.7.1', 'Relaying denied: we do not accept mail for that domain'), // X.7.1 delivery not authorized
  senderRouting: reply(550, '5.7.1', 'Relaying denied: sender-specified routing (%, ! or @ in the local part) is not accepted'),
  noRelayQueue: reply(550, '5.7.1', 'Relaying denied: this server has no relay queue'),
  aliasTooDeep: reply(550, '5.4.6', 'Alias expansion too deep (a loop?)'), // X.4.6 routing loop detected
  noSuchInbox: reply(550, '5.1.3', 'That local part names no inbox we can deliver to'),
  needSmtpUtf8: reply(553, '5.6.7', 'Non-ASCII address requires the SMTPUTF8 parameter'), // RFC 6531 §3.4
  declaredTooBig: (max: number) => reply(552, '5.3.4', `Message size exceeds fixed maximum of ${max} bytes`), // X.3.4 message too big
  tooBig: (max: number) => reply(552, '5.3.4', `Message exceeds fixed maximum of ${max} bytes`),
  bareNewlineInData: reply(550, '5.5.2', 'Message refused: bare CR or LF in data; end lines with CRLF'), // RFC 5321 §2.3.8
  refusedByPolicy: (why: string) => reply(550, '5.7.1', why),
  magicNoSuchUser: reply(550, '5.1.1', 'No such user, as its magic address asks'), // X.1.1 bad destination mailbox
  magicRefused: reply(554, '5.6.0', 'Message refused, as a magic recipient asks'), // X.6.0 other media error
  pregreet: reply(554, '5.7.1', 'You talked before my greeting; goodbye'), // postscreen's pregreet test
} as const;

export function stored(id: string): Reply {
  return reply(250, '2.0.0', `OK: queued as ${id}`);
}
