/**
 * The storage corpus (issue 18): mail as a public disposable-mail site receives it, generated
 * from a seed so every run and machine sees the same bytes.
 *
 * 80 % transactional: 50 senders, each with its own look (colours, logo, footer, legal text,
 * mailer, DKIM domain) and five templates — sign-up, code, password reset, receipt (an invoice
 * PDF that differs per order plus the sender's terms PDF that never changes), newsletter (one
 * issue a week, sent to everyone) — as multipart/alternative plain + HTML (quoted-printable for
 * most senders, base64 for every fourth, as real senders differ), 2–60 KiB, with the names,
 * codes, links, dates, tracking ids, Received lines and DKIM signatures varying per message.
 * 20 % personal-style mail: plain text of random words, little repetition between messages.
 */
import { Random } from './random.js';

export type CorpusKind = 'signup' | 'code' | 'reset' | 'receipt' | 'newsletter' | 'personal';

export interface CorpusMessage {
  kind: CorpusKind;
  sender: number;
  raw: Buffer;
}

const FIRST = ['Anna', 'Ben', 'Chloé', 'Dmitri', 'Elif', 'Farah', 'Gustav', 'Hana', 'Ivan', 'Jules', 'Kenji', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Xenia', 'Yusuf', 'Zoe'];
const LAST = ['Schmidt', 'García', 'Nakamura', 'Okafor', 'Dubois', 'Kowalski', 'Larsen', 'Rossi', 'Singh', 'Novak', 'Haddad', 'Silva', 'Berg', 'Moreau', 'Tanaka'];
const WORDS = (
  'time year people way day man thing woman life child world school state family student group country problem hand part place case week company system program question work government number night point home water room mother area money story fact month lot right study book eye job word business issue side kind head house service friend father power hour game line end member law car city community name president team minute idea kid body information back parent face others level office door health person art war history party result change morning reason research girl guy moment air teacher force education foot boy age policy music market sense nation plan college interest death experience effect use class control care field development role effort rate heart drug show leader light voice wife police mind price report decision son view relationship town road arm difference value building action model season society tax director position player record paper space ground form event official matter center couple site project activity star table need court oil situation cost industry figure street image phone data picture practice piece land product doctor wall patient worker news test movie north love support technology step baby computer type attention film tree source organization hair window evidence population truth song trouble garden river mountain coffee letter holiday weekend train kitchen bicycle camera'
).split(' ');

interface Sender {
  index: number;
  brand: string;
  domain: string;
  colour: string;
  accent: string;
  base64Html: boolean;
  footer: string;
  mailer: string;
  terms: Buffer;
  products: string[];
}

function makeSender(index: number, random: Random): Sender {
  const brand = `${random.pick(['Nova', 'Blue', 'Quick', 'Bright', 'Urban', 'Green', 'Metro', 'Pixel', 'Cloud', 'Peak'])}${random.pick(['Shop', 'Pay', 'Hub', 'Mail', 'Books', 'Travel', 'Bank', 'Fit', 'Games', 'Labs'])}${index}`;
  const domain = `${brand.toLowerCase()}.example`;
  const legal = Array.from({ length: random.int(6, 12) }, () => sentence(random, 12, 24)).join(' ');
  return {
    index,
    brand,
    domain,
    colour: `#${random.hex(6)}`,
    accent: `#${random.hex(6)}`,
    base64Html: index % 4 === 0,
    footer: `${brand} Inc., ${random.int(1, 999)} ${random.pick(WORDS)} Street, ${random.pick(['Berlin', 'Lyon', 'Austin', 'Osaka', 'Madrid'])}. ${legal}`,
    mailer: random.pick(['Amazon SES', 'SendGrid', 'Mailgun', 'Postmark', 'SparkPost']),
    terms: pdf(random, `${brand} terms of service`, random.int(14_000, 22_000), random.next()),
    products: Array.from({ length: 20 }, () => `${capital(random.pick(WORDS))} ${random.pick(WORDS)} ${random.pick(['Pro', 'Mini', 'Max', 'Plus', 'Lite'])}`),
  };
}

function capital(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

function sentence(random: Random, min: number, max: number): string {
  const words = Array.from({ length: random.int(min, max) }, () => random.pick(WORDS));
  return `${capital(words.join(' '))}.`;
}

/** A PDF-shaped blob: a text page and a deflate-like binary stream (incompressible), `size` bytes. */
function pdf(random: Random, title: string, size: number, seed: number): Buffer {
  const own = new Random(Math.floor(seed * 2 ** 32));
  const head = `%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n3 0 obj << /Title (${title}) /Producer (ReportLab) >> endobj\n4 0 obj << /Length ${size} /Filter /FlateDecode >> stream\n`;
  const tail = `\nendstream endobj\nxref\n0 5\n0000000000 65535 f \ntrailer << /Size 5 /Root 1 0 R >>\nstartxref\n${random.int(1000, 99999)}\n%%EOF\n`;
  return Buffer.concat([Buffer.from(head), own.bytes(size), Buffer.from(tail)]);
}

function qp(text: string): string {
  // Quoted-printable as senders emit it: '=' escaped, lines soft-wrapped at 76 (RFC 2045 §6.7).
  const escaped = text.replace(/=/g, '=3D');
  const lines: string[] = [];
  for (const line of escaped.split('\n')) {
    let rest = line;
    while (rest.length > 75) {
      let cut = 75;
      if (rest[cut - 1] === '=' ) cut -= 1;
      else if (rest[cut - 2] === '=') cut -= 2;
      lines.push(`${rest.slice(0, cut)}=`);
      rest = rest.slice(cut);
    }
    lines.push(rest);
  }
  return lines.join('\r\n');
}

function base64Lines(data: Buffer): string {
  return data.toString('base64').replace(/.{76}/g, '$&\r\n');
}

interface Content {
  subject: string;
  text: string;
  html: string;
  attachments: Array<{ name: string; data: Buffer }>;
}

function htmlPage(s: Sender, random: Random, heading: string, blocks: string[], track: string): string {
  const td = (inner: string): string => `<tr><td style="padding:12px 24px;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:22px;color:#333333;">${inner}</td></tr>`;
  return [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<style>body{margin:0;padding:0;background:#f4f4f4}a{color:${s.colour}}.btn{background:${s.colour};color:#ffffff;border-radius:4px;padding:12px 20px;text-decoration:none;display:inline-block}@media (max-width:600px){.wrap{width:100%!important}}</style></head>`,
    `<body><table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f4"><tr><td align="center">`,
    `<table class="wrap" role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;border-top:4px solid ${s.accent}">`,
    td(`<img src="https://cdn.${s.domain}/logo.png" width="140" height="40" alt="${s.brand}" style="display:block;border:0">`),
    td(`<h1 style="margin:0;font-size:22px;color:${s.colour}">${heading}</h1>`),
    ...blocks.map(td),
    td(`<p style="font-size:12px;color:#999999">${s.footer}</p><p style="font-size:12px"><a href="https://${s.domain}/unsubscribe?u=${track}">Unsubscribe</a> · <a href="https://${s.domain}/privacy">Privacy</a></p>`),
    `</table></td></tr></table><img src="https://t.${s.domain}/o/${track}/${random.hex(16)}.gif" width="1" height="1" alt=""></body></html>`,
  ].join('\n');
}

function transactional(kind: Exclude<CorpusKind, 'personal'>, s: Sender, random: Random, name: string, week: number): Content {
  const track = random.token(24);
  const link = (path: string): string => `https://${s.domain}/${path}?token=${random.token(32)}&utm_source=email&utm_campaign=${kind}`;
  const button = (href: string, label: string): string => `<a class="btn" href="${href}" style="background:${s.colour};color:#ffffff;padding:12px 20px;text-decoration:none">${label}</a>`;
  const hi = `Hi ${name},`;
  switch (kind) {
    case 'signup': {
      const url = link('verify');
      const intro = sentence(random, 10, 20);
      return {
        subject: `Welcome to ${s.brand}, please confirm your email`,
        text: `${hi}\n\nThanks for signing up for ${s.brand}. ${intro}\n\nConfirm your address: ${url}\n\n${s.footer}`,
        html: htmlPage(s, random, `Welcome to ${s.brand}!`, [`<p>${hi}</p><p>Thanks for signing up for ${s.brand}. ${intro}</p>`, button(url, 'Confirm my email'), `<p>Or paste this link: ${url}</p>`], track),
        attachments: [],
      };
    }
    case 'code': {
      const code = String(random.int(100000, 999999));
      return {
        subject: `${code} is your ${s.brand} verification code`,
        text: `${hi}\n\nYour verification code is ${code}. It expires in 10 minutes.\nIf you did not ask for it, ignore this mail.\n\n${s.footer}`,
        html: htmlPage(s, random, 'Your verification code', [`<p>${hi}</p><p>Your verification code is:</p><p style="font-size:32px;letter-spacing:6px;font-weight:bold">${code}</p><p>It expires in 10 minutes. If you did not ask for it, ignore this mail.</p>`], track),
        attachments: [],
      };
    }
    case 'reset': {
      const url = link('reset-password');
      return {
        subject: `Reset your ${s.brand} password`,
        text: `${hi}\n\nSomeone asked to reset the password of your ${s.brand} account from ${random.int(1, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}.\nReset it here: ${url}\n\n${s.footer}`,
        html: htmlPage(s, random, 'Reset your password', [`<p>${hi}</p><p>Someone asked to reset the password of your account.</p>`, button(url, 'Reset password'), '<p>The link works for one hour.</p>'], track),
        attachments: [],
      };
    }
    case 'receipt': {
      const order = `${random.int(100, 999)}-${random.int(1000000, 9999999)}`;
      const lines = Array.from({ length: random.int(1, 6) }, () => ({ item: random.pick(s.products), qty: random.int(1, 3), price: (random.int(199, 19999) / 100).toFixed(2) }));
      const rows = lines.map((l) => `<tr><td>${l.item}</td><td>${l.qty}</td><td style="text-align:right">€${l.price}</td></tr>`).join('');
      return {
        subject: `Your ${s.brand} receipt for order ${order}`,
        text: `${hi}\n\nThanks for your order ${order}.\n${lines.map((l) => `${l.qty} × ${l.item}  €${l.price}`).join('\n')}\n\nYour invoice and our terms are attached.\n\n${s.footer}`,
        html: htmlPage(s, random, `Receipt for order ${order}`, [`<p>${hi}</p><p>Thanks for your order.</p>`, `<table width="100%" style="border-collapse:collapse">${rows}</table>`, button(link(`orders/${order}`), 'View your order')], track),
        attachments: [
          { name: `invoice-${order}.pdf`, data: pdf(random, `Invoice ${order}`, random.int(2_000, 5_000), random.next()) },
          { name: 'terms.pdf', data: s.terms },
        ],
      };
    }
    case 'newsletter': {
      // One issue a week, the same for every subscriber: the articles come from a seed of (sender, week).
      const issue = new Random(s.index * 1000 + week);
      const articles = Array.from({ length: issue.int(6, 14) }, () => ({
        title: sentence(issue, 4, 9).slice(0, -1),
        body: Array.from({ length: issue.int(3, 7) }, () => sentence(issue, 12, 28)).join(' '),
        slug: issue.token(10),
      }));
      return {
        subject: `${s.brand} weekly #${week}: ${articles[0]!.title}`,
        text: `${hi}\n\n${articles.map((a) => `${a.title}\n${a.body}\nRead more: https://${s.domain}/blog/${a.slug}?r=${track}`).join('\n\n')}\n\n${s.footer}`,
        html: htmlPage(
          s,
          random,
          `${s.brand} weekly #${week}`,
          articles.map((a) => `<h2 style="font-size:18px">${a.title}</h2><img src="https://cdn.${s.domain}/blog/${a.slug}.jpg" width="552" alt=""><p>${a.body}</p><p><a href="https://${s.domain}/blog/${a.slug}?r=${track}">Read more</a></p>`),
          track,
        ),
        attachments: [],
      };
    }
  }
}

function personal(random: Random): Content {
  const paragraphs = Array.from({ length: random.int(3, 30) }, () => Array.from({ length: random.int(2, 6) }, () => sentence(random, 6, 22)).join(' '));
  const text = `${random.pick(['Hi', 'Hello', 'Hey', 'Dear'])} ${random.pick(FIRST)},\n\n${paragraphs.join('\n\n')}\n\n${random.pick(FIRST)}`;
  return { subject: sentence(random, 3, 8).slice(0, -1), text, html: '', attachments: [] };
}

function wrapText(text: string): string {
  return text.replace(/(.{1,76})(?: |$)/gm, '$1\n').replace(/\n+$/,'').replace(/\n/g, '\r\n');
}

function headerBlock(random: Random, from: string, to: string, subject: string, dateMs: number, dkimDomain: string | null, extra: string[]): string {
  const date = new Date(dateMs).toUTCString().replace('GMT', '+0000');
  const relays = Array.from({ length: random.int(1, 3) }, (_v, i) => `Received: from mta${random.int(1, 99)}.relay${i}.example (mta.relay${i}.example [${random.int(1, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}])\r\n\tby mx${i}.example with ESMTPS id ${random.token(12)}\r\n\tfor <${to}>; ${date}`);
  const dkim = dkimDomain
    ? [`DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${dkimDomain}; s=s1; t=${Math.floor(dateMs / 1000)};\r\n\th=from:to:subject:date:message-id:mime-version;\r\n\tbh=${random.chars(44, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')};\r\n\tb=${base64Lines(random.bytes(256)).replace(/\r\n/g, '\r\n\t')}`]
    : [];
  return [...relays, ...dkim, `From: ${from}`, `To: ${to}`, `Subject: ${subject}`, `Date: ${date}`, `Message-ID: <${random.token(20)}@${dkimDomain ?? 'mail.example'}>`, 'MIME-Version: 1.0', ...extra].join('\r\n');
}

function render(content: Content, s: Sender | null, random: Random, to: string, dateMs: number): Buffer {
  const boundary = `=_${random.token(20)}`;
  if (!s) {
    const from = `${random.pick(FIRST)} ${random.pick(LAST)} <${random.pick(FIRST).toLowerCase()}.${random.hex(4)}@home.example>`;
    const head = headerBlock(random, from, to, content.subject, dateMs, null, ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit']);
    return Buffer.from(`${head}\r\n\r\n${wrapText(content.text)}\r\n`);
  }
  const from = `${s.brand} <no-reply@${s.domain}>`;
  const htmlPart = s.base64Html
    ? `Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.from(content.html))}`
    : `Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp(content.html)}`;
  const alternative = `--${boundary}a\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp(content.text)}\r\n--${boundary}a\r\n${htmlPart}\r\n--${boundary}a--\r\n`;
  const extra = [`List-Unsubscribe: <https://${s.domain}/unsubscribe?u=${random.token(24)}>`, `X-Mailer: ${s.mailer}`, `Feedback-ID: ${random.hex(8)}:${s.domain}`];
  if (content.attachments.length === 0) {
    const head = headerBlock(random, from, to, content.subject, dateMs, s.domain, [...extra, `Content-Type: multipart/alternative; boundary="${boundary}a"`]);
    return Buffer.from(`${head}\r\n\r\n${alternative}`);
  }
  const parts = content.attachments.map((a) => `--${boundary}m\r\nContent-Type: application/pdf; name="${a.name}"\r\nContent-Disposition: attachment; filename="${a.name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(a.data)}\r\n`);
  const head = headerBlock(random, from, to, content.subject, dateMs, s.domain, [...extra, `Content-Type: multipart/mixed; boundary="${boundary}m"`]);
  return Buffer.from(`${head}\r\n\r\n--${boundary}m\r\nContent-Type: multipart/alternative; boundary="${boundary}a"\r\n\r\n${alternative}${parts.join('')}--${boundary}m--\r\n`);
}

const KINDS: ReadonlyArray<Exclude<CorpusKind, 'personal'>> = ['signup', 'code', 'reset', 'receipt', 'newsletter'];
const START_MS = Date.UTC(2026, 10, 1);

/** The corpus, message by message: `count` messages from `seed`, in arrival order. */
export function* corpus(count: number, seed = 18): Generator<CorpusMessage> {
  const random = new Random(seed);
  const senders = Array.from({ length: 50 }, (_v, i) => makeSender(i, random));
  for (let n = 0; n < count; n++) {
    const dateMs = START_MS + n * 6_000 + random.int(0, 5_000);
    const to = `${random.pick(FIRST).toLowerCase()}${random.int(1, 99999)}@tidemail.test`;
    if (random.chance(0.2)) {
      yield { kind: 'personal', sender: -1, raw: render(personal(random), null, random, to, dateMs) };
      continue;
    }
    const sender = random.pick(senders);
    const kind = random.pick(KINDS);
    const name = `${random.pick(FIRST)} ${random.pick(LAST)}`;
    const week = Math.floor((dateMs - START_MS) / (7 * 86_400_000)) + 1;
    yield { kind, sender: sender.index, raw: render(transactional(kind, sender, random, name, week), sender, random, to, dateMs) };
  }
}
