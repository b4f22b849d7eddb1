/**
 * SASL PLAIN for POP3 AUTH (RFC 5034, mechanism RFC 4616): the client's response is base64 of
 * `authzid NUL authcid NUL passwd`. We log in as authcid; an authorization identity, if given,
 * must be the same user (acting as someone else is not offered). Pure; no I/O.
 */

export type PlainResult = { ok: true; user: string; password: string } | { ok: false; reason: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RFC 4616 §2: each of the three fields is at most 255 octets. */
const MAX_FIELD_BYTES = 255;

export function decodePlain(response: string): PlainResult {
  // RFC 5034 §4: "=" is an empty initial response.
  if (response === '=' || response === '') return { ok: false, reason: 'empty response' };
  if (!BASE64.test(response)) return { ok: false, reason: 'not base64' };
  const decoded = Buffer.from(response, 'base64');
  const fields: Buffer[] = [];
  let start = 0;
  for (let nul = decoded.indexOf(0); nul !== -1 && fields.length < 2; nul = decoded.indexOf(0, start)) {
    fields.push(decoded.subarray(start, nul));
    start = nul + 1;
  }
  fields.push(decoded.subarray(start));
  if (fields.length !== 3 || fields[2]!.includes(0)) return { ok: false, reason: 'expected authzid NUL authcid NUL password' };
  if (fields.some((f) => f.length > MAX_FIELD_BYTES)) return { ok: false, reason: 'field longer than 255 octets' };
  const [authzid, authcid, password] = fields.map((f) => f.toString('utf8')) as [string, string, string];
  if (authcid === '') return { ok: false, reason: 'empty authentication identity' };
  if (authzid !== '' && authzid !== authcid) return { ok: false, reason: 'authorization identity must be empty or equal the user' };
  return { ok: true, user: authcid, password };
}
