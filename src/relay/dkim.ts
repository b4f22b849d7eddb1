/**
 * DKIM signing of relayed mail (RFC 6376) with mailauth 4, the library made for it: the
 * signature header is computed over the message as it will be sent and prepended. The signing
 * domain is `--dkim-domain` if given, else the domain of the From header's address (the
 * alignment DMARC checks, RFC 7489 §3.1); a message whose From we cannot read goes unsigned
 * rather than signed for a domain it does not claim. Bounces (From: MAILER-DAEMON@ our host)
 * are signed the same way when the From domain is ours to sign.
 */
import { readFileSync } from 'node:fs';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { headerValue, unfoldHeaders } from '../mail/header-block.js';
import { parseAddressList } from '../mail/headers.js';

export interface DkimSettings {
  keyPath: string;
  selector: string;
  /** Fixed signing domain, or '' for the From header's domain. */
  domain: string;
}

export class DkimSigner {
  private readonly privateKey: string;

  constructor(private readonly settings: DkimSettings) {
    this.privateKey = readFileSync(settings.keyPath, 'utf8');
  }

  /** The message with a DKIM-Signature prepended, or unchanged when there is no domain to sign for. */
  async sign(raw: Buffer): Promise<Buffer> {
    const domain = this.settings.domain || fromDomain(raw);
    if (!domain) return raw;
    // mailauth signs with the entries of `signatureData` (top-level key fields alone sign nothing).
    const result = await dkimSign(raw, {
      signingDomain: domain,
      selector: this.settings.selector,
      privateKey: this.privateKey,
      signatureData: [{ signingDomain: domain, selector: this.settings.selector, privateKey: this.privateKey, canonicalization: 'relaxed/relaxed' }],
    });
    if (result.errors?.length || !result.signatures.trim()) return raw;
    return Buffer.concat([Buffer.from(result.signatures), raw]);
  }
}

function fromDomain(raw: Buffer): string | null {
  const from = headerValue(unfoldHeaders(raw, 0, undefined, new Set(['from'])), 'from');
  const address = from ? parseAddressList(from)[0]?.address : undefined;
  const at = address?.lastIndexOf('@') ?? -1;
  return address && at > 0 ? address.slice(at + 1).toLowerCase() : null;
}
