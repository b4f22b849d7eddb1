/**
 * Mails with no one-time code but plenty of numbers a careless extractor would take for one: order,
 * invoice, tracking and booking numbers, prices, dates, times, phone numbers, postcodes, account
 * endings, meeting IDs, years, promo codes. Several carry an action link (reset, magic sign-in,
 * verify by link) so the link ranking is measured on mails without a code too.
 */
import { button, footer, layout } from './layout.js';
import type { MailCase } from './types.js';

export const mailsWithoutCodes: MailCase[] = [
  {
    name: 'Amazon order confirmation',
    lang: 'en',
    subject: 'Your Amazon.com order #112-4829103-5820173',
    text: `Hello Jane,

Thank you for shopping with us. We'll send a confirmation when your items ship.

Arriving Thursday, May 14
Order #112-4829103-5820173
Ship to: Jane Doe, 410 Terry Ave N, Seattle, WA 98109

Echo Dot (5th Gen, 2026 release) Qty: 1 $49.99
Order Total: $54.41

View or manage order: https://www.amazon.com/gp/css/order-details?orderID=112-4829103-5820173

Amazon.com, 410 Terry Avenue N., Seattle, WA 98109-5210`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'UPS shipping notification with tracking number',
    lang: 'en',
    subject: 'UPS Update: Package Scheduled for Delivery Tuesday, 05/19/2026',
    text: '',
    html: layout({
      brand: 'UPS',
      assets: 'www.ups.com/assets/resources/images/email',
      body: `<h2>Your package is on the way</h2>
<table><tr><td>Scheduled Delivery:</td><td>Tuesday, 05/19/2026</td></tr>
<tr><td>Estimated Time:</td><td>Between 10:30 AM and 2:30 PM</td></tr>
<tr><td>Tracking Number:</td><td>1Z999AA10123456784</td></tr>
<tr><td>Ship To:</td><td>Portland, OR 97204 US</td></tr>
<tr><td>Number of Packages:</td><td>1</td></tr>
<tr><td>Weight:</td><td>4.2 LBS</td></tr></table>
${button('https://www.ups.com/track?tracknum=1Z999AA10123456784&amp;loc=en_US', 'Track Package')}`,
      footer: footer({ privacy: 'https://www.ups.com/us/en/support/shipping-support/legal-terms-conditions/privacy-notice.page', help: 'https://www.ups.com/us/en/support/contact-us.page', address: '© 2026 United Parcel Service of America, Inc. 55 Glenlake Parkway, NE Atlanta, GA 30328' }),
    }),
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Stripe receipt with receipt and invoice numbers',
    lang: 'en',
    subject: 'Your receipt from Rocket Rides #1829-3920',
    text: `Receipt from Rocket Rides
Receipt #1829-3920

Amount paid: $49.00
Date paid: May 12, 2026
Payment method: Visa – 4242

Invoice number: 7A2B91C3-0042
Summary: Pro plan (May 12 – Jun 12, 2026) 1 × $49.00

If you have any questions, contact us at support@rocketrides.example or call +1 415-555-0123.

Download invoice: https://pay.stripe.com/invoice/acct_1M2x3Y/live_YWNjdF8x/pdf?s=em`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Credit card statement notice',
    lang: 'en',
    subject: 'Your statement is ready',
    text: `Your May 2026 statement for the card ending in 4821 is ready.

Statement balance: $2,394.12
Minimum payment due: $35.00
Payment due date: 06/01/2026

View statement: https://secure.bank.example/statements?acct=4821
Questions? Call 1-800-432-1000, 24 hours a day.`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Lufthansa booking confirmation with booking reference',
    lang: 'en',
    subject: 'Your booking confirmation – Frankfurt to New York, 14 June 2026',
    text: `Dear Mr Smith,

Thank you for your booking.

Booking reference: K7XQ2P
Ticket number: 220-2418934210

LH 400  Frankfurt (FRA) 10:55 → New York (JFK) 13:40  Sun, 14 Jun 2026
Seat 14C, Economy Light, 1 × 23 kg baggage

Total price: EUR 649.87

Check in online 23 hours before departure: https://www.lufthansa.com/checkin?pnr=K7XQ2P
Deutsche Lufthansa AG, Venloer Straße 151-153, 50672 Köln`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'GitHub password reset link',
    lang: 'en',
    subject: '[GitHub] Please reset your password',
    text: `We heard that you lost your GitHub password. Sorry about that!

But don’t worry! You can use the following button to reset your password:

https://github.com/password_reset/3kR9x2LmQ0aZ81pT4vW7

If you don’t use this link within 3 hours, it will expire. To get a new password reset link, visit: https://github.com/password_reset

Thanks,
The GitHub Team`,
    html: layout({
      brand: 'GitHub',
      assets: 'github.githubassets.com/images/email',
      body: `<p>We heard that you lost your GitHub password. Sorry about that!</p>
<p>But don’t worry! You can use the following button to reset your password:</p>
${button('https://github.com/password_reset/3kR9x2LmQ0aZ81pT4vW7', 'Reset your password')}
<p>If you don’t use this link within 3 hours, it will expire. To get a new password reset link, visit <a href="https://github.com/password_reset">https://github.com/password_reset</a>.</p>`,
      footer: footer({ privacy: 'https://docs.github.com/site-policy/privacy-policies/github-privacy-statement', help: 'https://support.github.com', address: 'GitHub, Inc. ・88 Colin P Kelly Jr Street ・San Francisco, CA 94107' }),
    }),
    expectedCode: null,
    expectedActionLink: 'https://github.com/password_reset/3kR9x2LmQ0aZ81pT4vW7',
  },
  {
    name: 'Slack magic sign-in link through a click tracker',
    lang: 'en',
    subject: 'Slack sign-in link for Initech',
    text: '',
    html: layout({
      brand: 'Slack',
      assets: 'a.slack-edge.com/email',
      body: `<h1>Sign in to Initech</h1>
<p>Click the button below to sign in. This link will expire in 24 hours and can only be used once.</p>
${button('https://email.slackhq.com/c/eJxMzc1O3DAUhfGn8exG9rXvBC9mwUcyVSWQ?u=Ks83&amp;t=z-app-4829103-9102836-1b3c', 'Sign in to Slack')}
<p>Not you? Just ignore this email.</p>
<p>Workspace URL: <a href="https://initech.slack.com">initech.slack.com</a></p>`,
      footer: footer({ privacy: 'https://slack.com/legal', help: 'https://slack.com/help', social: ['https://twitter.com/SlackHQ', 'https://www.youtube.com/slack'] }, { unsubscribe: '', privacy: 'Policies', help: 'Help Center' }),
    }),
    expectedCode: null,
    expectedActionLink: 'https://email.slackhq.com/c/eJxMzc1O3DAUhfGn8exG9rXvBC9mwUcyVSWQ?u=Ks83&t=z-app-4829103-9102836-1b3c',
  },
  {
    name: 'Newsletter full of years, counts and prices',
    lang: 'en',
    subject: 'The 2026 State of QA report is here',
    text: `Since 1998 we have surveyed 10,000 engineers across 42 countries.

Highlights of the 2026 edition:
- 73% of teams now run end-to-end tests on every commit (2024: 58%)
- Median suite time dropped from 1420 seconds to 980 seconds
- Tickets for the QA Summit 2026 (Berlin, 14–16 October) start at $399

Read the report: https://qa-weekly.example/reports/2026?utm_source=newsletter&utm_campaign=2026-05
Unsubscribe: https://qa-weekly.example/unsubscribe?u=48201
QA Weekly, 1200 Pine Street, Suite 300, Seattle, WA 98101`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Zoom meeting invitation with meeting ID and dial-in numbers',
    lang: 'en',
    subject: 'Invitation: Sprint review @ Thu May 14, 2026 3pm – 4pm (CEST)',
    text: `Priya Patel is inviting you to a scheduled Zoom meeting.

Topic: Sprint review 2026-19
Time: May 14, 2026 03:00 PM Amsterdam, Berlin, Rome

Join Zoom Meeting
https://us02web.zoom.us/j/84529104829?pwd=aGk3c2xQZz09

Meeting ID: 845 2910 4829

One tap mobile
+16465588656,,84529104829# US (New York)
+13017158592,,84529104829# US (Washington DC)

Dial by your location
+1 646 558 8656 US (New York)
+49 69 7104 9922 Germany`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Zalando Bestellbestätigung',
    lang: 'de',
    subject: 'Danke für deine Bestellung 10203948571',
    text: `Hallo Lena,

vielen Dank für deine Bestellung bei Zalando!

Bestellnummer: 10203948571
Bestelldatum: 12.05.2026
Voraussichtliche Lieferung: 14.05.2026 – 16.05.2026

1 × Sneaker, Größe 39, 89,95 €
Versand: 0,00 €
Gesamtsumme: 89,95 € (inkl. 14,36 € MwSt.)

Lieferadresse: Lena Berger, Torstraße 1, 10115 Berlin

Bestellung ansehen: https://www.zalando.de/myaccount/orders/10203948571
Zalando SE, Valeska-Gert-Straße 5, 10243 Berlin`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'DHL Sendungsverfolgung',
    lang: 'de',
    subject: 'Ihre DHL Sendung kommt heute',
    text: '',
    html: layout({
      brand: 'DHL',
      lang: 'de',
      assets: 'www.dhl.de/content/dam/images/email',
      body: `<p>Guten Tag,</p>
<p>Ihre Sendung <b>00340434161234567890</b> wird heute zugestellt.</p>
<p>Voraussichtliches Zeitfenster: Mittwoch, 13.05.2026, 10:00 – 14:00 Uhr</p>
<p>Empfänger: M. Mustermann, Hauptstr. 12, 53113 Bonn</p>
${button('https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=00340434161234567890', 'Sendung verfolgen')}`,
      footer: footer({ privacy: 'https://www.dhl.de/de/toolbar/footer/datenschutz.html', help: 'https://www.dhl.de/de/privatkunden/hilfe-kundenservice.html', address: 'Deutsche Post AG · Charles-de-Gaulle-Straße 20 · 53113 Bonn' }, { unsubscribe: '', privacy: 'Datenschutz', help: 'Hilfe' }),
    }),
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Telekom Rechnung mit Kundennummer',
    lang: 'de',
    subject: 'Ihre Telekom Rechnung für Mai 2026',
    text: `Guten Tag Herr Mustermann,

Ihre Rechnung für Mai 2026 ist da.

Rechnungsnummer: 2026 0512 4829
Kundennummer: 482910374
Rechnungsbetrag: 39,95 €
Abbuchung am 20.05.2026 von Ihrem Konto DE89 **** **** **** 3000

Rechnung ansehen: https://www.telekom.de/rechnung-online?rn=202605124829
Hotline: 0800 330 1000 (kostenlos)

Telekom Deutschland GmbH, Landgrabenweg 151, 53227 Bonn`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Gutscheincode im Newsletter',
    lang: 'de',
    subject: 'Nur heute: 20 % auf alles',
    text: '',
    html: layout({
      brand: 'Otto',
      lang: 'de',
      assets: 'i.otto.de/newsletter',
      body: `<h1>Sommer-Sale 2026</h1>
<p>Nur bis 31.05.2026: Mit dem Gutscheincode <b>SOMMER20</b> sparst du 20 % auf Mode ab 50 € Bestellwert.</p>
${button('https://www.otto.de/sale?cid=NL_2026_05_12', 'Jetzt shoppen')}
<p>Kundenservice: 040 3603 3603</p>`,
      footer: footer({ unsubscribe: 'https://www.otto.de/newsletter/abmelden?u=4829', privacy: 'https://www.otto.de/shoppages/service/datenschutz', address: 'Otto (GmbH & Co KG), Werner-Otto-Straße 1–7, 22179 Hamburg' }, { unsubscribe: 'Newsletter abmelden', privacy: 'Datenschutz', help: '' }),
    }),
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'E-Mail-Adresse per Link bestätigen (kein Code)',
    lang: 'de',
    subject: 'Bitte bestätige deine E-Mail-Adresse',
    text: `Hallo,

danke für deine Registrierung bei Kleinanzeigen! Bitte bestätige deine E-Mail-Adresse innerhalb von 48 Stunden:

https://www.kleinanzeigen.de/m-email-bestaetigen.html?uuid=5f2e9a10-3c4d-4b8e-9f21-0d7a6b5c4e3f

Kleinanzeigen GmbH · Albert-Einstein-Ring 2–6 · 14532 Kleinmachnow
Datenschutz: https://www.kleinanzeigen.de/datenschutzerklaerung.html`,
    html: '',
    expectedCode: null,
    expectedActionLink: 'https://www.kleinanzeigen.de/m-email-bestaetigen.html?uuid=5f2e9a10-3c4d-4b8e-9f21-0d7a6b5c4e3f',
  },
  {
    name: 'Fnac confirmation de commande',
    lang: 'fr',
    subject: 'Confirmation de votre commande n° 4829103',
    text: `Bonjour Claire,

Nous avons bien reçu votre commande n° 4829103 du 12/05/2026.

MacBook Air 13" M4 2026 – 1 249,00 €
Livraison : gratuite
Total TTC : 1 249,00 €

Livraison prévue le 14/05/2026 au 8 rue de Rivoli, 75004 Paris.
Service client : 0 892 35 04 05 (0,80 €/min)

Suivre ma commande : https://secure.fnac.com/order/4829103`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'SNCF e-billet avec référence de dossier',
    lang: 'fr',
    subject: 'Votre e-billet Paris → Lyon du 14 juin 2026',
    text: '',
    html: layout({
      brand: 'SNCF Connect',
      lang: 'fr',
      assets: 'www.sncf-connect.com/assets/email',
      body: `<p>Bonjour Claire,</p>
<p>Référence de dossier : <b>QXKP2B</b></p>
<p>TGV INOUI n° 6611 – départ Paris Gare de Lyon 08h46, arrivée Lyon Part-Dieu 10h42<br>Voiture 14, place 82 – 2de classe</p>
<p>Prix total : 59,00 €</p>
${button('https://www.sncf-connect.com/app/trips/QXKP2B', 'Voir mon billet')}`,
      footer: footer({ unsubscribe: 'https://www.sncf-connect.com/app/account/preferences', privacy: 'https://www.sncf-connect.com/app/legal/privacy' }, { unsubscribe: 'Se désabonner', privacy: 'Confidentialité', help: '' }),
    }),
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'La Poste colis avec numéro de suivi',
    lang: 'fr',
    subject: 'Votre colis 6A12345678901 arrive demain',
    text: `Bonjour,

Votre colis n° 6A12345678901 sera livré le 14/05/2026 entre 9h00 et 13h00 au 12 avenue Foch, 69006 Lyon.

Poids : 1,2 kg
Suivre mon colis : https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901

La Poste – 9 rue du Colonel Pierre Avia, 75015 Paris`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Réinitialisation du mot de passe (lien seulement)',
    lang: 'fr',
    subject: 'Réinitialisation de votre mot de passe',
    text: '',
    html: layout({
      brand: 'Deezer',
      lang: 'fr',
      assets: 'e-cdns-files.dzcdn.net/img/email',
      body: `<p>Bonjour,</p>
<p>Vous avez demandé la réinitialisation de votre mot de passe le 12/05/2026 à 22h42. Ce lien est valable 24 heures.</p>
${button('https://www.deezer.com/fr/reset-password?token=9f2Kd81LzQ0xP', 'Réinitialiser mon mot de passe')}
<p>Besoin d'aide ? <a href="https://support.deezer.com/hc/fr">Centre d'aide</a></p>`,
      footer: footer({ unsubscribe: 'https://www.deezer.com/fr/account/notifications', privacy: 'https://www.deezer.com/legal/personal-datas', social: ['https://www.facebook.com/Deezer', 'https://www.instagram.com/deezer'] }, { unsubscribe: 'Se désinscrire', privacy: 'Données personnelles', help: '' }),
    }),
    expectedCode: null,
    expectedActionLink: 'https://www.deezer.com/fr/reset-password?token=9f2Kd81LzQ0xP',
  },
  {
    name: 'El Corte Inglés confirmación de pedido',
    lang: 'es',
    subject: 'Confirmación de tu pedido 4829103',
    text: `Hola, Lucía:

Hemos recibido tu pedido.

Número de pedido: 4829103
Fecha: 12/05/2026
Total: 129,90 € (IVA incluido)

Dirección de entrega: Calle de Serrano 47, C.P. 28001 Madrid
Entrega estimada: entre el 14 y el 16 de mayo de 2026

Atención al cliente: 901 122 122
Consulta tu pedido: https://www.elcorteingles.es/micuenta/pedidos/4829103`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Movistar factura con periodo e importe',
    lang: 'es',
    subject: 'Tu factura de Movistar de abril 2026',
    text: '',
    html: layout({
      brand: 'Movistar',
      lang: 'es',
      assets: 'www.movistar.es/estaticos/email',
      body: `<p>Hola,</p>
<p>Ya tienes disponible tu factura n.º TA-2026-048291.</p>
<table><tr><td>Periodo:</td><td>01/04/2026 - 30/04/2026</td></tr>
<tr><td>Importe:</td><td>45,37 €</td></tr>
<tr><td>Cargo en cuenta:</td><td>ES91 **** **** **** 1332</td></tr>
<tr><td>Línea:</td><td>612 345 678</td></tr></table>
${button('https://www.movistar.es/mimovistar-cliente/facturas?f=TA2026048291', 'Ver factura')}`,
      footer: footer({ unsubscribe: 'https://www.movistar.es/baja-comunicaciones?u=88213', privacy: 'https://www.movistar.es/privacidad' }, { unsubscribe: 'Darse de baja', privacy: 'Privacidad', help: '' }),
    }),
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Cabify recibo de viaje',
    lang: 'es',
    subject: 'Tu viaje del 12 de mayo',
    text: `Gracias por viajar con Cabify.

Fecha: 12/05/2026, 22:42
Origen: Calle de Alcalá 45, 28014 Madrid
Destino: Aeropuerto Adolfo Suárez Madrid-Barajas T4
Distancia: 14,8 km · Duración: 23 min
Total: 27,50 €
Matrícula: 4829 KTP

Ayuda: https://help.cabify.com`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Iniciar sesión con enlace mágico (sin código)',
    lang: 'es',
    subject: 'Tu enlace para iniciar sesión en Platzi',
    text: `Hola,

Haz clic en el siguiente enlace para iniciar sesión. Caduca en 15 minutos.

Iniciar sesión: https://platzi.com/login/magic/?token=Lq82kz0Pm3aX9

Si no lo solicitaste, ignora este correo.

Platzi, 2026 – Bogotá, Colombia · Cancelar suscripción: https://platzi.com/unsubscribe`,
    html: '',
    expectedCode: null,
    expectedActionLink: 'https://platzi.com/login/magic/?token=Lq82kz0Pm3aX9',
  },
  {
    name: '楽天市場 注文確認',
    lang: 'ja',
    subject: '【楽天市場】注文内容ご確認（自動配信メール）',
    text: `この度は楽天市場でのお買い物ありがとうございます。

[受注番号] 123456-20260512-0012345678
[日時] 2026-05-12 22:42:09
[お届け先] 〒150-0001 東京都渋谷区神宮前1-2-3
[お届け予定日] 2026年5月14日

商品：ワイヤレスイヤホン 2026年モデル
価格 3,980円 × 1個 = 3,980円
送料 0円
合計金額 3,980円

ショップ電話番号：03-1234-5678`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'ヤマト運輸 お届け予定',
    lang: 'ja',
    subject: '【ヤマト運輸】お届け予定のお知らせ',
    text: '',
    html: layout({
      brand: 'ヤマト運輸',
      lang: 'ja',
      assets: 'www.kuronekoyamato.co.jp/images/email',
      body: `<p>お荷物のお届け予定をお知らせします。</p>
<p>伝票番号：4829-1038-2910<br>お届け予定日時：5月14日 14時～16時<br>お問い合わせ：0120-01-9625</p>
${button('https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=482910382910', 'お届け予定を確認する')}`,
      footer: footer({ privacy: 'https://www.yamato-hd.co.jp/privacy/' }, { unsubscribe: '', privacy: '個人情報保護方針', help: '' }),
    }),
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: '請求書のお知らせ',
    lang: 'ja',
    subject: '請求書発行のお知らせ（2026年4月分）',
    text: `株式会社サンプル 御中

2026年4月分の請求書を発行しました。

請求書番号：INV-20260512
ご請求金額：¥12,800（税込）
お支払期限：2026年5月31日
振込先：みずほ銀行 渋谷支店 普通 1234567

請求書を確認する：https://invoice.example.jp/view/INV-20260512`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'クーポンコード入りのメルマガ',
    lang: 'ja',
    subject: '【期間限定】クーポンコードで500円OFF',
    text: `いつもご利用ありがとうございます。

5,000円以上のお買い物で使える500円OFFクーポンコード：SALE2026
有効期限：2026年5月31日 23:59

ショップはこちら https://shop.example.jp/?utm_source=mail&utm_campaign=202605
配信停止：https://shop.example.jp/mail/stop?u=4829`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Google security alert without a code',
    lang: 'en',
    subject: 'Security alert',
    text: '',
    html: layout({
      brand: 'Google',
      assets: 'www.gstatic.com/images/branding',
      body: `<div style="font-size:24px;">New sign-in on Windows</div>
<div>jane.doe.2026@gmail.com</div>
<div>We noticed a new sign-in to your Google Account on a Windows device on May 12, 2026 at 10:42 PM (GMT+2), from IP 203.0.113.42. If this was you, you don’t need to do anything. If not, we’ll help you secure your account.</div>
${button('https://accounts.google.com/AccountChooser?Email=jane.doe.2026@gmail.com&amp;continue=https://myaccount.google.com/alert/nt/1715546520000', 'Check activity')}`,
      footer: '<div>© 2026 Google LLC, 1600 Amphitheatre Parkway, Mountain View, CA 94043, USA</div>',
    }),
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'AWS billing alert with account ID',
    lang: 'en',
    subject: 'AWS Notification - Your bill for April 2026',
    text: `Greetings from Amazon Web Services,

Your AWS bill for April 2026 is now available. Total: $23.41 (USD).
Account ID: 1234-5678-9012
Billing period: April 1 - April 30, 2026

View your bill: https://console.aws.amazon.com/billing/home#/bills?year=2026&month=4

Amazon Web Services, Inc., 410 Terry Ave. North, Seattle, WA 98109`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Discord verify email by link (no code)',
    lang: 'en',
    subject: 'Verify Email Address for Discord',
    text: '',
    html: layout({
      brand: 'Discord',
      assets: 'cdn.discordapp.com/email_assets',
      body: `<h2>Hey qa_bot_2026,</h2>
<p>Thanks for registering for an account on Discord! Before we get started, we just need to confirm that this is you. Click below to verify your email address:</p>
${button('https://click.discord.com/ls/click?upn=u001.qpi1g7hK2-2FyZ9xLm3R8a&amp;token=eyJhbGciOiJIUzI1NiJ9', 'Verify Email')}
<p>Need help? <a href="https://dis.gd/contact">Contact our support team</a> or hit us up on Twitter <a href="https://twitter.com/discord">@discord</a>.</p>`,
      footer: footer({ unsubscribe: 'https://discord.com/settings/notifications', social: ['https://twitter.com/discord', 'https://www.instagram.com/discord'], address: 'Sent by Discord • 444 De Haro Street, Suite 200, San Francisco, CA 94107' }),
    }),
    expectedCode: null,
    expectedActionLink: 'https://click.discord.com/ls/click?upn=u001.qpi1g7hK2-2FyZ9xLm3R8a&token=eyJhbGciOiJIUzI1NiJ9',
  },
  {
    name: 'Dentist appointment reminder',
    lang: 'en',
    subject: 'Reminder: appointment on 05/14/2026 at 9:30 AM',
    text: `Hi Sam,

This is a reminder of your appointment with Dr. Lee on Thursday, 05/14/2026 at 9:30 AM.

Bright Smiles Dental, Suite 204, 1450 Broadway, New York, NY 10018
To reschedule, call (212) 555-0147 at least 24 hours in advance.

Patient ID: 48291`,
    html: '',
    expectedCode: null,
    expectedActionLink: null,
  },
  {
    name: 'Spotify promo code newsletter',
    lang: 'en',
    subject: 'Get 3 months of Premium for $0',
    text: '',
    html: layout({
      brand: 'Spotify',
      assets: 'message-editor.scdn.co/email',
      body: `<h1>3 months of Premium for $0</h1>
<p>Individual plan only. $11.99/month after. Offer ends June 30, 2026.</p>
<p>Redeem promo code <b>PREM3FREE</b> or use code <b>SPRING25</b> at checkout for 25% off merch.</p>
${button('https://www.spotify.com/us/premium/?ref=email_2026_05', 'Get 3 months for $0')}`,
      footer: footer({ unsubscribe: 'https://www.spotify.com/account/notifications/unsubscribe?u=48291', privacy: 'https://www.spotify.com/legal/privacy-policy/', social: ['https://www.facebook.com/Spotify', 'https://twitter.com/Spotify', 'https://www.instagram.com/spotify'] }),
    }),
    expectedCode: null,
    expectedActionLink: null,
  },
];
