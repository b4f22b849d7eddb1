/**
 * The HTML skeleton bulk senders wrap their mails in — table layout, a <head> with a stylesheet
 * holding url()s, a hidden preheader, a tracking pixel, a footer of unsubscribe / privacy / social
 * links with icon images — so every HTML case in the corpus carries the same noise a real one does.
 */
export interface Layout {
  brand: string;
  lang?: string;
  preheader?: string;
  body: string;
  footer?: string;
  /** Host the tracking pixel and the icon images are served from. */
  assets: string;
  /** Where the logo links to (most senders link it home, through their click tracker). */
  home?: string;
  /** A "view in browser" line above the logo, as bulk senders put it. */
  webVersion?: string;
}

export function layout({ brand, lang = 'en', preheader = '', body, footer = '', assets, home, webVersion }: Layout): string {
  const homeHref = home ?? `https://${assets.split('/')[0]}/?utm_source=email&amp;utm_medium=logo`;
  const webLine = webVersion ? `<tr><td align="right" style="font-size:11px;"><a href="${webVersion}">View in browser</a></td></tr>` : '';
  return `<!DOCTYPE html>
<html lang="${lang}" xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${brand}</title>
<style type="text/css">
  @import url("https://${assets}/fonts/inter.css");
  body { margin:0; padding:0; background:#f4f4f7 url("https://${assets}/bg/2026/05/12.png"); }
  @media only screen and (max-width: 600px) { .container { width: 100% !important; } }
</style>
</head>
<body style="margin:0;padding:0;background-color:#f4f4f7;">
<div style="display:none;max-height:0;overflow:hidden;">${preheader}&zwnj;&nbsp;&zwnj;&nbsp;</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
<tr><td align="center">
<table class="container" role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="background:#ffffff;">
${webLine}<tr><td style="padding:24px 32px;"><a href="${homeHref}"><img src="https://${assets}/logo@2x.png" width="120" height="32" alt="${brand}"></a></td></tr>
<tr><td style="padding:0 32px 24px 32px;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:22px;color:#333;">
${body}
</td></tr>
<tr><td style="padding:16px 32px;font-family:Helvetica,Arial,sans-serif;font-size:12px;color:#888;">
${footer}
</td></tr>
</table>
</td></tr>
</table>
<img src="https://${assets}/open.gif?u=8f3a92c1&amp;m=20260512" width="1" height="1" alt="" style="display:block;border:0;">
</body>
</html>`;
}

/** The bulletproof button: a link in a coloured table cell, as Litmus and every ESP template draw it. */
export function button(href: string, label: string): string {
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>
<td align="center" bgcolor="#2f6fed" style="border-radius:6px;"><a href="${href}" target="_blank" style="display:inline-block;padding:12px 24px;color:#ffffff;text-decoration:none;font-weight:bold;">${label}</a></td>
</tr></table>`;
}

/** The code as big type in its own cell, the way most senders show it. */
export function codeBlock(code: string): string {
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>
<td style="background:#f0f2f5;border-radius:4px;padding:16px 24px;font-family:Menlo,Consolas,monospace;font-size:32px;letter-spacing:6px;font-weight:bold;">${code}</td>
</tr></table>`;
}

export interface FooterLinks {
  unsubscribe?: string;
  privacy?: string;
  help?: string;
  social?: string[];
  address?: string;
}

export function footer({ unsubscribe, privacy, help, social = [], address = '' }: FooterLinks, words = { unsubscribe: 'Unsubscribe', privacy: 'Privacy Policy', help: 'Help Center' }): string {
  const links: string[] = [];
  if (help) links.push(`<a href="${help}" style="color:#888;">${words.help}</a>`);
  if (privacy) links.push(`<a href="${privacy}" style="color:#888;">${words.privacy}</a>`);
  if (unsubscribe) links.push(`<a href="${unsubscribe}" style="color:#888;">${words.unsubscribe}</a>`);
  const icons = social
    .map((href) => `<a href="${href}"><img src="https://cdn.social-icons.example/${new URL(href).hostname}.png" width="24" height="24" alt="${new URL(href).hostname}"></a>`)
    .join(' ');
  return `<p>${links.join(' &middot; ')}</p><p>${icons}</p><p>${address}</p>`;
}
