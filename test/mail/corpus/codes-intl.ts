/**
 * Verification mails in German, French, Spanish and Japanese, as the local arms of big senders and
 * local banks, shops and services write them: their own words for "code" (Bestätigungscode,
 * code de vérification, código, 確認コード, 認証番号, ワンタイムパスワード …), their number formats
 * (1 249,00 €, 14.05.2026, 2026年5月14日, 〒150-0001) and their ways of setting a code apart (【4829】).
 */
import { button, codeBlock, footer, layout } from './layout.js';
import type { MailCase } from './types.js';

export const germanCodeMails: MailCase[] = [
  {
    name: 'Google Bestätigungscode (HTML only)',
    lang: 'de',
    subject: 'Google-Bestätigungscode',
    text: '',
    html: layout({
      brand: 'Google',
      lang: 'de',
      assets: 'www.gstatic.com/images/branding',
      body: `<div style="font-size:24px;">E-Mail-Adresse bestätigen</div>
<div>Google hat eine Anfrage erhalten, <a>max.mustermann@example.de</a> als Wiederherstellungs-E-Mail-Adresse für das Google-Konto <a>max.mustermann1985@gmail.com</a> zu verwenden.</div>
<div>Verwenden Sie diesen Code, um die Einrichtung der Wiederherstellungs-E-Mail-Adresse abzuschließen:</div>
<div style="font-size:36px;text-align:center;">392018</div>
<div>Der Code läuft in 24&nbsp;Stunden ab.</div>`,
      footer: '<div>© 2026 Google LLC, 1600 Amphitheatre Parkway, Mountain View, CA 94043, USA</div>',
    }),
    expectedCode: '392018',
    expectedActionLink: null,
  },
  {
    name: 'Sparkasse Sicherheitscode in two groups of four, with an amount and IBAN (plain)',
    lang: 'de',
    subject: 'Ihr Sicherheitscode für die Freigabe',
    text: `Sehr geehrte Frau Schmidt,

für die Freigabe Ihrer Überweisung über 1.249,00 EUR an IBAN DE89 3704 0044 0532 0130 00 lautet Ihr Sicherheitscode:

8391 2047

Der Code ist 5 Minuten gültig. Geben Sie ihn niemals telefonisch weiter.

Mit freundlichen Grüßen
Ihre Sparkasse KölnBonn
Hahnenstraße 57, 50667 Köln · Telefon 0221 226-0`,
    html: '',
    expectedCode: '8391 2047',
    expectedActionLink: null,
  },
  {
    name: 'Amazon.de Einmalpasswort (HTML + text)',
    lang: 'de',
    subject: 'Amazon.de: Anmeldeversuch',
    text: `Amazon.de

Anmeldeversuch

Jemand versucht, sich am 12.05.2026 um 22:42 Uhr von Berlin aus bei Ihrem Konto anzumelden.

Um fortzufahren, geben Sie das folgende Einmalpasswort (OTP) ein:

482019

Geben Sie dieses Einmalpasswort an niemanden weiter.

Amazon EU S.à r.l., 38 avenue John F. Kennedy, L-1855 Luxemburg`,
    html: layout({
      brand: 'Amazon.de',
      lang: 'de',
      assets: 'm.media-amazon.com/images',
      body: `<h2>Anmeldeversuch</h2>
<p>Jemand versucht, sich am 12.05.2026 um 22:42 Uhr von Berlin aus bei Ihrem Konto anzumelden.</p>
<p>Um fortzufahren, geben Sie das folgende Einmalpasswort (OTP) ein:</p>
<p style="font-size:24px;font-weight:bold;">482019</p>
<p>Geben Sie dieses Einmalpasswort an niemanden weiter.</p>`,
      footer: '<p>Amazon EU S.à r.l., 38 avenue John F. Kennedy, L-1855 Luxemburg</p>',
    }),
    expectedCode: '482019',
    expectedActionLink: null,
  },
  {
    name: 'DHL Bestätigungscode, 4 digits, with a postcode (plain)',
    lang: 'de',
    subject: 'Ihr Bestätigungscode für DHL',
    text: `Hallo,

Ihr Bestätigungscode lautet: 5821

Bitte geben Sie den Code innerhalb von 10 Minuten in der Post & DHL App ein.

Deutsche Post AG · Charles-de-Gaulle-Straße 20 · 53113 Bonn`,
    html: '',
    expectedCode: '5821',
    expectedActionLink: null,
  },
  {
    name: 'Zalando Anmeldecode mit Leerzeichen (HTML only)',
    lang: 'de',
    subject: 'Dein Code für die Anmeldung',
    text: '',
    html: layout({
      brand: 'Zalando',
      lang: 'de',
      assets: 'img01.ztat.net/newsletter',
      body: `<p>Hallo Lena,</p>
<p>hier ist dein Code für die Anmeldung bei Zalando:</p>
${codeBlock('382 910')}
<p>Der Code ist 15 Minuten gültig. Kostenloser Versand ab 29,90&nbsp;€ — 100 Tage Rückgabe.</p>`,
      footer: footer({ unsubscribe: 'https://www.zalando.de/newsletter/abmelden?e=8f2a', privacy: 'https://www.zalando.de/zalando-datenschutz/', help: 'https://www.zalando.de/faq/', address: 'Zalando SE, Valeska-Gert-Straße 5, 10243 Berlin' }, { unsubscribe: 'Abmelden', privacy: 'Datenschutz', help: 'Hilfe' }),
    }),
    expectedCode: '382 910',
    expectedActionLink: null,
  },
  {
    name: 'N26 Bestätigungscode im Satz, mit Link zum Bestätigen (HTML + text)',
    lang: 'de',
    subject: 'Bestätige deine E-Mail-Adresse',
    text: `Hallo Jonas,

bitte bestätige deine E-Mail-Adresse, damit du dein N26 Konto nutzen kannst:
https://n26.com/de-de/email-bestaetigen?token=Zk29fLq83Ma0

Alternativ lautet dein Bestätigungscode 738291.

Dein N26 Team
N26 Bank SE, Voltairestraße 8, 10179 Berlin · HRB 170602 B`,
    html: layout({
      brand: 'N26',
      lang: 'de',
      assets: 'cdn.n26.com/email',
      body: `<p>Hallo Jonas,</p>
<p>bitte bestätige deine E-Mail-Adresse, damit du dein N26 Konto nutzen kannst.</p>
${button('https://n26.com/de-de/email-bestaetigen?token=Zk29fLq83Ma0', 'E-Mail-Adresse bestätigen')}
<p>Alternativ lautet dein Bestätigungscode <strong>738291</strong>.</p>`,
      footer: footer({ privacy: 'https://n26.com/de-de/datenschutz', help: 'https://support.n26.com', address: 'N26 Bank SE, Voltairestraße 8, 10179 Berlin · HRB 170602 B' }, { unsubscribe: '', privacy: 'Datenschutz', help: 'Hilfe' }),
    }),
    expectedCode: '738291',
    expectedActionLink: 'https://n26.com/de-de/email-bestaetigen?token=Zk29fLq83Ma0',
  },
  {
    name: 'Microsoft-Konto Sicherheitscode (plain)',
    lang: 'de',
    subject: 'Sicherheitscode für das Microsoft-Konto',
    text: `Microsoft-Konto

Sicherheitscode

Verwenden Sie den folgenden Sicherheitscode für das Microsoft-Konto ma*****@example.de.

Sicherheitscode: 4829103

Wenn Sie das Microsoft-Konto ma*****@example.de nicht kennen, können Sie Ihre E-Mail-Adresse aus diesem Konto entfernen.

Vielen Dank!
Ihr Microsoft-Kontoteam`,
    html: '',
    expectedCode: '4829103',
    expectedActionLink: null,
  },
];

export const frenchCodeMails: MailCase[] = [
  {
    name: 'Google code de validation (HTML only)',
    lang: 'fr',
    subject: 'Code de validation Google',
    text: '',
    html: layout({
      brand: 'Google',
      lang: 'fr',
      assets: 'www.gstatic.com/images/branding',
      body: `<div style="font-size:24px;">Validez votre adresse e-mail</div>
<div>Google a reçu une demande d'utilisation de <a>claire.martin@example.fr</a> comme adresse e-mail de récupération.</div>
<div>Utilisez ce code pour terminer la configuration de cette adresse e-mail de récupération&nbsp;:</div>
<div style="font-size:36px;text-align:center;">583021</div>
<div>Ce code expirera dans 24&nbsp;heures.</div>`,
      footer: '<div>© 2026 Google LLC, 1600 Amphitheatre Parkway, Mountain View, CA 94043, USA</div>',
    }),
    expectedCode: '583021',
    expectedActionLink: null,
  },
  {
    name: 'SNCF Connect code de vérification groupé (HTML + text)',
    lang: 'fr',
    subject: 'Votre code de vérification SNCF Connect',
    text: `Bonjour Claire,

Votre code de vérification : 482 910

Il est valable 15 minutes. Ne le communiquez à personne.

SNCF Connect – 2 place de la Défense, 92053 Paris La Défense
Service client : 3635 (service gratuit + prix d'un appel)`,
    html: layout({
      brand: 'SNCF Connect',
      lang: 'fr',
      assets: 'www.sncf-connect.com/assets/email',
      body: `<p>Bonjour Claire,</p>
<p>Votre code de vérification&nbsp;:</p>
${codeBlock('482&nbsp;910')}
<p>Il est valable 15 minutes. Ne le communiquez à personne.</p>`,
      footer: footer({ privacy: 'https://www.sncf-connect.com/app/legal/privacy', help: 'https://www.sncf-connect.com/aide', address: "SNCF Connect – 2 place de la Défense, 92053 Paris La Défense · Service client : 3635 (service gratuit + prix d'un appel)" }, { unsubscribe: '', privacy: 'Confidentialité', help: 'Aide' }),
    }),
    expectedCode: '482 910',
    expectedActionLink: null,
  },
  {
    name: 'Banque code de sécurité 8 chiffres avec montant (plain)',
    lang: 'fr',
    subject: 'Validation de votre opération',
    text: `Madame, Monsieur,

Pour valider le paiement de 1 249,00 € chez FNAC DARTY le 14/05/2026 avec votre carte se terminant par 4417, saisissez votre code de sécurité : 83920174

Ce code est valable 5 minutes. Votre conseiller ne vous le demandera jamais.

Crédit Agricole – 12 place des États-Unis, 92127 Montrouge Cedex – Tél. 09 69 39 92 91`,
    html: '',
    expectedCode: '83920174',
    expectedActionLink: null,
  },
  {
    name: 'Leboncoin code de confirmation 4 chiffres (HTML only)',
    lang: 'fr',
    subject: 'Voici votre code de confirmation',
    text: '',
    html: layout({
      brand: 'leboncoin',
      lang: 'fr',
      assets: 'static.leboncoin.fr/email',
      body: `<p>Bonjour,</p>
<p>Voici votre code de confirmation&nbsp;: <b>4829</b></p>
<p>Saisissez-le dans l'application pour sécuriser votre compte. Plus de 28 millions d'annonces vous attendent.</p>`,
      footer: footer({ unsubscribe: 'https://www.leboncoin.fr/compte/notifications', privacy: 'https://www.leboncoin.fr/dc/cookies', address: 'LBC France, 24 rue des Jeûneurs, 75002 Paris' }, { unsubscribe: 'Se désinscrire', privacy: 'Confidentialité', help: '' }),
    }),
    expectedCode: '4829',
    expectedActionLink: null,
  },
  {
    name: 'Doctolib code avec lien de confirmation (HTML + text)',
    lang: 'fr',
    subject: 'Confirmez votre adresse e-mail',
    text: `Bonjour,

Pour finaliser la création de votre compte Doctolib, confirmez votre adresse e-mail :
https://www.doctolib.fr/account/confirmation?confirmation_token=qZ82kfLx0P3m

Vous pouvez aussi saisir ce code : 381920

Doctolib – 54 quai Charles Pasqua, 92300 Levallois-Perret`,
    html: layout({
      brand: 'Doctolib',
      lang: 'fr',
      assets: 'assets.doctolib.fr/email',
      body: `<p>Bonjour,</p>
<p>Pour finaliser la création de votre compte Doctolib, confirmez votre adresse e-mail.</p>
${button('https://www.doctolib.fr/account/confirmation?confirmation_token=qZ82kfLx0P3m', 'Confirmer mon adresse e-mail')}
<p>Vous pouvez aussi saisir ce code&nbsp;: <strong>381920</strong></p>`,
      footer: footer({ privacy: 'https://www.doctolib.fr/privacy', help: 'https://aide.doctolib.fr' }, { unsubscribe: '', privacy: 'Confidentialité', help: 'Aide' }),
    }),
    expectedCode: '381920',
    expectedActionLink: 'https://www.doctolib.fr/account/confirmation?confirmation_token=qZ82kfLx0P3m',
  },
];

export const spanishCodeMails: MailCase[] = [
  {
    name: 'Google código de verificación (HTML only)',
    lang: 'es',
    subject: 'Código de verificación de Google',
    text: '',
    html: layout({
      brand: 'Google',
      lang: 'es',
      assets: 'www.gstatic.com/images/branding',
      body: `<div style="font-size:24px;">Verifica tu correo electrónico</div>
<div>Google ha recibido una solicitud para usar <a>lucia.garcia@example.es</a> como correo de recuperación.</div>
<div>Usa este código para terminar de configurar el correo de recuperación:</div>
<div style="font-size:36px;text-align:center;">482019</div>
<div>El código caducará en 24 horas.</div>`,
      footer: '<div>© 2026 Google LLC, 1600 Amphitheatre Parkway, Mountain View, CA 94043, USA</div>',
    }),
    expectedCode: '482019',
    expectedActionLink: null,
  },
  {
    name: 'BBVA código de seguridad con importe (plain)',
    lang: 'es',
    subject: 'BBVA: código de seguridad',
    text: `Hola, Lucía:

Tu código de seguridad es 483920. No lo compartas con nadie.

Lo necesitas para confirmar la compra por importe de 129,90 € en ZARA.COM el 14/05/2026 con la tarjeta terminada en 8812.

Si no has sido tú, llámanos al 91 224 94 26.

BBVA, S.A. · Plaza de San Nicolás, 4 · 48005 Bilbao`,
    html: '',
    expectedCode: '483920',
    expectedActionLink: null,
  },
  {
    name: 'Mercado Libre código con guion (HTML + text)',
    lang: 'es',
    subject: 'Tu código de verificación',
    text: `¡Hola, Martín!

Tu código de verificación es:

4829-1038

Vence en 10 minutos. Si no lo pediste, ignora este e-mail.

Mercado Libre S.R.L., Av. Caseros 3039, Piso 2, CP 1264, Buenos Aires, Argentina`,
    html: layout({
      brand: 'Mercado Libre',
      lang: 'es',
      assets: 'http2.mlstatic.com/frontend-assets/email',
      body: `<p>¡Hola, Martín!</p>
<p>Tu código de verificación es:</p>
${codeBlock('4829-1038')}
<p>Vence en 10 minutos. Si no lo pediste, ignora este e-mail.</p>`,
      footer: footer({ help: 'https://www.mercadolibre.com.ar/ayuda', privacy: 'https://www.mercadolibre.com.ar/privacidad', address: 'Mercado Libre S.R.L., Av. Caseros 3039, Piso 2, CP 1264, Buenos Aires, Argentina' }, { unsubscribe: '', privacy: 'Privacidad', help: 'Ayuda' }),
    }),
    expectedCode: '4829-1038',
    expectedActionLink: null,
  },
  {
    name: 'Glovo código de acceso 4 dígitos (plain)',
    lang: 'es',
    subject: 'Tu código de acceso a Glovo',
    text: `Hola,

Tu código de acceso: 3829

Caduca en 5 minutos. Pedido mínimo 10 €, envío gratis en tu primer pedido.

Glovoapp23, S.A. · C/ Llull 108, 08005 Barcelona`,
    html: '',
    expectedCode: '3829',
    expectedActionLink: null,
  },
  {
    name: 'Movistar código de confirmación alfanumérico (HTML only)',
    lang: 'es',
    subject: 'Confirma tu cuenta Mi Movistar',
    text: '',
    html: layout({
      brand: 'Movistar',
      lang: 'es',
      assets: 'www.movistar.es/estaticos/email',
      body: `<p>Hola,</p>
<p>Introduce este código de confirmación para activar tu cuenta Mi Movistar:</p>
${codeBlock('K7P-29X')}
<p>También puedes activarla desde este enlace:</p>
${button('https://www.movistar.es/mimovistar-cliente/activar?codigo=K7P29X&amp;uid=88213', 'Activar mi cuenta')}
<p>Atención al cliente: 1004. Fibra 1Gb + móvil desde 45,37 €/mes.</p>`,
      footer: footer({ unsubscribe: 'https://www.movistar.es/baja-comunicaciones?u=88213', privacy: 'https://www.movistar.es/privacidad', address: 'Telefónica de España, S.A.U. · Ronda de la Comunicación s/n · 28050 Madrid' }, { unsubscribe: 'Darse de baja', privacy: 'Privacidad', help: '' }),
    }),
    expectedCode: 'K7P-29X',
    expectedActionLink: 'https://www.movistar.es/mimovistar-cliente/activar?codigo=K7P29X&uid=88213',
  },
];

export const japaneseCodeMails: MailCase[] = [
  {
    name: 'Amazon.co.jp 確認コード (HTML + text)',
    lang: 'ja',
    subject: 'Amazon.co.jp: サインインを確認してください',
    text: `Amazon.co.jp

サインインの確認

お客様のアカウントへのサインインが試みられました（2026年5月12日 22:42、東京都）。

続行するには、次の確認コードを入力してください。

確認コード：482019

このコードの有効期限は10分です。このコードは誰にも教えないでください。

アマゾンジャパン合同会社 〒153-0064 東京都目黒区下目黒1-8-1`,
    html: layout({
      brand: 'Amazon.co.jp',
      lang: 'ja',
      assets: 'm.media-amazon.com/images',
      body: `<h2>サインインの確認</h2>
<p>お客様のアカウントへのサインインが試みられました（2026年5月12日 22:42、東京都）。</p>
<p>続行するには、次の確認コードを入力してください。</p>
<p style="font-size:24px;font-weight:bold;">482019</p>
<p>このコードの有効期限は10分です。このコードは誰にも教えないでください。</p>`,
      footer: '<p>アマゾンジャパン合同会社 〒153-0064 東京都目黒区下目黒1-8-1</p>',
    }),
    expectedCode: '482019',
    expectedActionLink: null,
  },
  {
    name: '楽天 認証コード、次の行に (plain)',
    lang: 'ja',
    subject: '【楽天会員】認証コードのお知らせ',
    text: `楽天会員 様

ログインのための認証コードをお送りします。

認証コード
384920

有効期限：30分
ポイント残高：12,480ポイント

楽天グループ株式会社 〒158-0094 東京都世田谷区玉川一丁目14番1号
お問い合わせ：0120-00-5678`,
    html: '',
    expectedCode: '384920',
    expectedActionLink: null,
  },
  {
    name: 'LINE 認証番号 (plain)',
    lang: 'ja',
    subject: 'LINE 認証番号',
    text: `LINEの認証番号は 4829 です。

この番号は5分間有効です。心当たりがない場合は、このメールを破棄してください。

LINEヤフー株式会社`,
    html: '',
    expectedCode: '4829',
    expectedActionLink: null,
  },
  {
    name: 'メルカリ ワンタイムパスワード (HTML only)',
    lang: 'ja',
    subject: '【メルカリ】ワンタイムパスワードのお知らせ',
    text: '',
    html: layout({
      brand: 'メルカリ',
      lang: 'ja',
      assets: 'static.mercdn.net/images/email',
      body: `<p>メルカリをご利用いただきありがとうございます。</p>
<p>ワンタイムパスワード：<strong>738201</strong></p>
<p>ワンタイムパスワードの有効期限は発行から30分です。</p>
<p>1,000円以上のお買い物で使えるクーポン配布中（2026年5月31日まで）。</p>`,
      footer: footer({ help: 'https://help.jp.mercari.com/', privacy: 'https://static.jp.mercari.com/privacy' }, { unsubscribe: '', privacy: 'プライバシーポリシー', help: 'ヘルプセンター' }),
    }),
    expectedCode: '738201',
    expectedActionLink: null,
  },
  {
    name: 'Yahoo! JAPAN 確認コード in 【】 (plain)',
    lang: 'ja',
    subject: '確認コードのお知らせ',
    text: `Yahoo! JAPAN IDの確認コードをお知らせします。

確認コード【4829】

確認コードの有効期限は発行から10分間です。

※このメールは送信専用アドレスから配信されています。
LINEヤフー株式会社 〒102-8282 東京都千代田区紀尾井町1-3`,
    html: '',
    expectedCode: '4829',
    expectedActionLink: null,
  },
  {
    name: 'ゆうちょ ワンタイムパスワード 8 digits with account numbers (plain)',
    lang: 'ja',
    subject: '【ゆうちょ銀行】ワンタイムパスワードのご案内',
    text: `いつもゆうちょ銀行をご利用いただきありがとうございます。

ご依頼のお振込（金額：35,000円、口座番号：10180-12345671）のワンタイムパスワードは以下のとおりです。

ワンタイムパスワード：83920174

有効期限：2026年5月12日 23:10まで

株式会社ゆうちょ銀行 〒100-8793 東京都千代田区大手町二丁目3番1号`,
    html: '',
    expectedCode: '83920174',
    expectedActionLink: null,
  },
  {
    name: 'Apple Account 確認コード (HTML + text)',
    lang: 'ja',
    subject: 'Apple Accountのメールアドレスを確認してください',
    text: `メールアドレスを確認してください

このメールアドレスをApple Accountとして登録するため、確認ページで次のコードを入力してください。

629148

このコードは送信後3時間で失効します。

Apple サポート
Copyright © 2026 iTunes K.K. 〒106-6140 東京都港区六本木6-10-1`,
    html: layout({
      brand: 'Apple',
      lang: 'ja',
      assets: 'www.apple.com/email/images',
      body: `<h1>メールアドレスを確認してください</h1>
<p>このメールアドレスをApple Accountとして登録するため、確認ページで次のコードを入力してください。</p>
<p style="font-size:19px;"><b>629148</b></p>
<p>このコードは送信後3時間で失効します。</p>`,
      footer: '<p>Copyright © 2026 iTunes K.K. 〒106-6140 東京都港区六本木6-10-1</p>',
    }),
    expectedCode: '629148',
    expectedActionLink: null,
  },
];
