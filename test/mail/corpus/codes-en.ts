/**
 * English verification mails in the styles of the senders QA engineers meet most: plain and HTML,
 * codes of 4–8 digits, letter-digit codes, codes grouped with spaces or dashes, and the numbers that
 * sit around them (device names, amounts, card endings, phone numbers, expiry times, years).
 */
import { button, codeBlock, footer, layout } from './layout.js';
import type { MailCase } from './types.js';

const githubFooter = 'Thanks,\nThe GitHub Team\n\nGitHub, Inc. ・88 Colin P Kelly Jr Street ・San Francisco, CA 94107';

export const englishCodeMails: MailCase[] = [
  {
    name: 'GitHub device verification (plain)',
    lang: 'en',
    subject: '[GitHub] Please verify your device',
    text: `Hey octocat!

A sign in attempt requires further verification because we did not recognize your device. To complete the sign in, enter the verification code on the unrecognized device.

Device: Chrome on macOS
Verification code: 482193

If you did not attempt to sign in to your account, your password may be compromised. Visit https://github.com/settings/security to create a new, strong password for your GitHub account.

${githubFooter}`,
    html: '',
    expectedCode: '482193',
    expectedActionLink: null,
  },
  {
    name: 'GitHub launch code (HTML + text)',
    lang: 'en',
    subject: "🚀 Your GitHub launch code",
    text: `Here's your GitHub launch code, @mona!

Continue signing up for GitHub by entering the code below:

17489253

Open GitHub: https://github.com/signup?return_to=%2F

Not able to enter the code? Paste the following link into your browser:
https://github.com/users/mona/emails/98231745/confirm_verification/17489253?via_launch_code_email=true

${githubFooter}`,
    html: layout({
      brand: 'GitHub',
      assets: 'github.githubassets.com/images/email',
      preheader: 'Continue signing up for GitHub',
      body: `<h1 style="font-size:24px;">Here's your GitHub launch code, @mona!</h1>
<p>Continue signing up for GitHub by entering the code below:</p>
<p style="font-size:32px;letter-spacing:4px;"><strong>17489253</strong></p>
${button('https://github.com/signup?return_to=%2F', 'Open GitHub')}
<p>Not able to enter the code? Paste the following link into your browser:<br>
<a href="https://github.com/users/mona/emails/98231745/confirm_verification/17489253?via_launch_code_email=true">https://github.com/users/mona/emails/98231745/confirm_verification/17489253?via_launch_code_email=true</a></p>`,
      footer: footer({ privacy: 'https://docs.github.com/site-policy/privacy-policies/github-privacy-statement', help: 'https://support.github.com', address: 'GitHub, Inc. ・88 Colin P Kelly Jr Street ・San Francisco, CA 94107' }),
    }),
    expectedCode: '17489253',
    expectedActionLink: 'https://github.com/users/mona/emails/98231745/confirm_verification/17489253?via_launch_code_email=true',
  },
  {
    name: 'Google recovery email verification (HTML only)',
    lang: 'en',
    subject: 'Google verification code',
    text: '',
    html: layout({
      brand: 'Google',
      assets: 'www.gstatic.com/images/branding',
      body: `<div style="font-size:24px;">Verify your email</div>
<div>Google received a request to use <a style="color:#1a73e8;">jane.doe@example.com</a> as a recovery email for Google Account <a>jane.doe.2026@gmail.com</a>.</div>
<div style="padding-top:16px;">Use this code to finish setting up this recovery email:</div>
<div style="font-size:36px;line-height:44px;padding-top:24px;text-align:center;">583920</div>
<div style="padding-top:16px;">This code will expire in 24 hours.</div>
<div>If you don’t recognize <a>jane.doe.2026@gmail.com</a>, you can safely ignore this email.</div>`,
      footer: `<div>You received this email to let you know about important changes to your Google Account and services.<br>© 2026 Google LLC, 1600 Amphitheatre Parkway, Mountain View, CA 94043, USA</div>`,
    }),
    expectedCode: '583920',
    expectedActionLink: null,
  },
  {
    name: 'Microsoft account security code (plain, 4 digits)',
    lang: 'en',
    subject: 'Microsoft account security code',
    text: `Microsoft account

Security code

Please use the following security code for the Microsoft account ja*****@example.com.

Security code: 7302

If you don't recognize the Microsoft account ja*****@example.com, you can click https://account.live.com/dp?ft=-Ds8Gk2Tj0&dp=1 to remove your email address from that account.

Thanks,
The Microsoft account team`,
    html: '',
    expectedCode: '7302',
    expectedActionLink: null,
  },
  {
    name: 'Microsoft verify email address (HTML + text, 7 digits)',
    lang: 'en',
    subject: 'Verify your email address',
    text: `Microsoft account
Verify your email address
To finish setting up your Microsoft account, we just need to make sure this email address is yours.
To verify your email address use this security code: 5820391
If you didn't request this code, you can safely ignore this email. Someone else might have typed your email address by mistake.
Thanks,
The Microsoft account team

Privacy Statement: https://go.microsoft.com/fwlink/?LinkId=521839
Microsoft Corporation, One Microsoft Way, Redmond, WA 98052`,
    html: layout({
      brand: 'Microsoft',
      assets: 'img-prod-cms-rt-microsoft-com.akamaized.net',
      body: `<p style="font-size:17px;color:#707070;">Microsoft account</p>
<p style="font-size:41px;color:#2672ec;">Verify your email address</p>
<p>To finish setting up your Microsoft account, we just need to make sure this email address is yours.</p>
<p>To verify your email address use this security code: <span style="font-weight:bold;">5820391</span></p>
<p>If you didn't request this code, you can safely ignore this email. Someone else might have typed your email address by mistake.</p>
<p>Thanks,<br>The Microsoft account team</p>`,
      footer: footer({ privacy: 'https://go.microsoft.com/fwlink/?LinkId=521839', address: 'Microsoft Corporation, One Microsoft Way, Redmond, WA 98052' }, { unsubscribe: '', privacy: 'Privacy Statement', help: '' }),
    }),
    expectedCode: '5820391',
    expectedActionLink: null,
  },
  {
    name: 'Apple ID verify email (HTML only)',
    lang: 'en',
    subject: 'Verify your Apple ID email address',
    text: '',
    html: layout({
      brand: 'Apple',
      assets: 'www.apple.com/email/images',
      body: `<h1 style="font-size:24px;">Verify your email address.</h1>
<p>You have selected this email address as your new Apple&nbsp;ID. To verify this email address belongs to you, enter the code below on the email verification page:</p>
<p style="font-size:19px;"><b>629104</b></p>
<p>This code will expire three hours after this email was sent.</p>
<p><b>Why you received this email.</b><br>Apple requires verification whenever an email address is selected as an Apple&nbsp;ID. Your Apple&nbsp;ID cannot be used until you verify it.</p>
<p>If you did not make this request, you can ignore this email. No Apple&nbsp;ID will be created without verification.</p>
<p>Apple Support</p>`,
      footer: `<p><a href="https://appleid.apple.com/choose-your-country">Apple&nbsp;ID</a> | <a href="https://support.apple.com/">Support</a> | <a href="https://www.apple.com/legal/privacy/">Privacy Policy</a><br>Copyright © 2026 Apple Inc. One Apple Park Way, Cupertino, CA 95014, United States. All rights reserved.</p>`,
    }),
    expectedCode: '629104',
    expectedActionLink: null,
  },
  {
    name: 'Slack confirmation code with a dash (subject and HTML)',
    lang: 'en',
    subject: 'Slack confirmation code: Q7X-4NP',
    text: `Confirm your email address

Your confirmation code is below — enter it in your open browser window and we'll help you get signed in.

Q7X-4NP

If you didn't request this email, there's nothing to worry about — you can safely ignore it.

Made by Slack Technologies, LLC · 500 Howard Street · San Francisco, CA 94105
Our Blog: https://slack.com/blog | Policies: https://slack.com/legal | Help Center: https://slack.com/help | Slack Community: https://slackcommunity.com`,
    html: layout({
      brand: 'Slack',
      assets: 'a.slack-edge.com/email',
      body: `<h1 style="font-size:36px;">Confirm your email address</h1>
<p style="font-size:20px;">Your confirmation code is below — enter it in your open browser window and we'll help you get signed in.</p>
${codeBlock('Q7X-4NP')}
<p>If you didn’t request this email, there’s nothing to worry about — you can safely ignore it.</p>`,
      footer: footer({ privacy: 'https://slack.com/legal', help: 'https://slack.com/help', social: ['https://twitter.com/SlackHQ', 'https://www.facebook.com/slackhq', 'https://www.linkedin.com/company/tiny-spec-inc'] }, { unsubscribe: '', privacy: 'Policies', help: 'Help Center' }),
    }),
    expectedCode: 'Q7X-4NP',
    expectedActionLink: null,
  },
  {
    name: 'AWS account verification (plain)',
    lang: 'en',
    subject: 'AWS Email Verification',
    text: `Amazon Web Services

Verify your identity

Hello,

Thanks for starting the new AWS account creation process. We want to make sure it's really you. Please enter the following verification code when prompted. If you don't want to create an account, you can ignore this message.

Verification code
839201
(This code is valid for 10 minutes)

Amazon Web Services will never email you and ask you to disclose or verify your password, credit card, or banking account number.

This message was produced and distributed by Amazon Web Services, Inc., 410 Terry Ave. North, Seattle, WA 98109. © 2026, Amazon Web Services, Inc. All rights reserved. AWS is a registered trademark of Amazon.com, Inc. View our privacy policy at https://aws.amazon.com/privacy/`,
    html: '',
    expectedCode: '839201',
    expectedActionLink: null,
  },
  {
    name: 'AWS Cognito default verification (plain, one line)',
    lang: 'en',
    subject: 'Your verification code',
    text: 'Your verification code is 305918. ',
    html: '',
    expectedCode: '305918',
    expectedActionLink: null,
  },
  {
    name: 'Stripe dashboard verification with dash (HTML + text)',
    lang: 'en',
    subject: 'Your Stripe verification code',
    text: `Stripe

Your verification code is: 483-219

Enter this code to finish signing in to your Stripe account for Rocket Rides, Inc. This code expires in 10 minutes.

If you didn't try to sign in, reset your password at https://dashboard.stripe.com/reset and contact support: https://support.stripe.com/contact

Stripe, 354 Oyster Point Blvd, South San Francisco, CA 94080`,
    html: layout({
      brand: 'Stripe',
      assets: 'stripe-images.s3.amazonaws.com/emails',
      body: `<p style="font-size:16px;">Your verification code is:</p>
${codeBlock('483-219')}
<p>Enter this code to finish signing in to your Stripe account for Rocket Rides, Inc. This code expires in 10 minutes.</p>
<p>If you didn’t try to sign in, <a href="https://dashboard.stripe.com/reset">reset your password</a> and <a href="https://support.stripe.com/contact">contact support</a>.</p>`,
      footer: footer({ privacy: 'https://stripe.com/privacy', address: 'Stripe, 354 Oyster Point Blvd, South San Francisco, CA 94080' }),
    }),
    expectedCode: '483-219',
    expectedActionLink: null,
  },
  {
    name: 'Chase one-time passcode with amount, card ending and phone (plain)',
    lang: 'en',
    subject: 'Your Chase one-time passcode',
    text: `CHASE

We received a request to confirm a purchase of $1,249.00 at BESTSHOP ONLINE on your card ending in 4417 on 05/12/2026.

Your one-time passcode is 48291037

This code expires in 10 minutes. Don't share it with anyone. Chase will never call, text or email you to ask for this code.

If you didn't make this request, call us right away at 1-800-935-9935. We're available 24/7.

Securely sign in at https://www.chase.com
JPMorgan Chase Bank, N.A. Member FDIC. © 2026 JPMorgan Chase & Co.`,
    html: '',
    expectedCode: '48291037',
    expectedActionLink: null,
  },
  {
    name: 'Amazon OTP for sign-in with order-like numbers nearby (HTML + text)',
    lang: 'en',
    subject: 'amazon.com: Sign-in attempt',
    text: `Amazon

Sign-in attempt

Someone is trying to sign in to your account from Seattle, WA, United States (IP 203.0.113.42) on May 12, 2026 at 10:42 PM PDT.

To continue, enter the following One Time Password (OTP):

519283

Don't share this OTP with anyone. Amazon will never ask you for it.

If this wasn't you, change your password: https://www.amazon.com/ap/cnep?ref_=pe_cpc_1234

Amazon.com, 410 Terry Avenue N., Seattle, WA 98109-5210`,
    html: layout({
      brand: 'Amazon',
      assets: 'm.media-amazon.com/images',
      body: `<h2>Sign-in attempt</h2>
<p>Someone is trying to sign in to your account from Seattle, WA, United States (IP 203.0.113.42) on May 12, 2026 at 10:42 PM PDT.</p>
<p>To continue, enter the following One Time Password (OTP):</p>
<p style="font-size:24px;font-weight:bold;">519283</p>
<p>Don't share this OTP with anyone. Amazon will never ask you for it.</p>
<p>If this wasn't you, <a href="https://www.amazon.com/ap/cnep?ref_=pe_cpc_1234">change your password</a>.</p>`,
      footer: '<p>Amazon.com, 410 Terry Avenue N., Seattle, WA 98109-5210</p>',
    }),
    expectedCode: '519283',
    expectedActionLink: null,
  },
  {
    name: 'Shopify store login code (HTML only, 4 digits)',
    lang: 'en',
    subject: 'Your login code for Mercury Goods',
    text: '',
    html: layout({
      brand: 'Mercury Goods',
      assets: 'cdn.shopify.com/s/files/1/0612/3456/7890',
      body: `<h2>Log in to Mercury Goods</h2>
<p>Your login code is <strong>4821</strong></p>
<p>This code expires in 15 minutes. Free shipping on orders over $75 — Spring Sale ends 05/31.</p>
${button('https://mercurygoods.example/account', 'Visit our store')}`,
      footer: footer({ unsubscribe: 'https://mercurygoods.example/unsubscribe?c=9283', privacy: 'https://mercurygoods.example/policies/privacy-policy', address: 'Mercury Goods, 220 Main St, Portland, OR 97204' }),
    }),
    expectedCode: '4821',
    expectedActionLink: null,
  },
  {
    name: 'PayPal security code (plain, SMS-like wording)',
    lang: 'en',
    subject: 'Your PayPal security code',
    text: `PayPal: 482190 is your security code. Your code expires in 10 minutes. Please don't reply.

Help & Contact: https://www.paypal.com/us/smarthelp/home
Copyright © 1999-2026 PayPal, Inc. All rights reserved. PayPal is located at 2211 N. First St., San Jose, CA 95131.`,
    html: '',
    expectedCode: '482190',
    expectedActionLink: null,
  },
  {
    name: 'Steam Guard code, 5 letters and digits (HTML + text)',
    lang: 'en',
    subject: 'Your Steam account: Access from new web or mobile device',
    text: `Dear gabe_fan_1998,

Here is the Steam Guard code you need to login to account gabe_fan_1998:

F7K2Q

This email was generated because of a login attempt from a web or mobile device located at 198.51.100.23 (DE).

If you are not attempting to login then please change your Steam password, and consider changing your email password as well to ensure your account security.

Cheers,
The Steam Team

https://store.steampowered.com/account/
https://help.steampowered.com/`,
    html: layout({
      brand: 'Steam',
      assets: 'store.cloudflare.steamstatic.com/public/shared/images/email',
      body: `<p>Dear gabe_fan_1998,</p>
<p>Here is the Steam Guard code you need to login to account gabe_fan_1998:</p>
<p style="font-size:24px;color:#3a9aed;font-family:Arial;">F7K2Q</p>
<p>This email was generated because of a login attempt from a web or mobile device located at 198.51.100.23 (DE).</p>
<p>If you are not attempting to login then please <a href="https://store.steampowered.com/account/">change your Steam password</a>, and consider changing your email password as well to ensure your account security.</p>`,
      footer: footer({ help: 'https://help.steampowered.com/' }, { unsubscribe: '', privacy: '', help: 'Steam Support' }),
    }),
    expectedCode: 'F7K2Q',
    expectedActionLink: null,
  },
  {
    name: 'Okta email challenge with code and sign-in link (HTML + text)',
    lang: 'en',
    subject: 'One-time verification code',
    text: `Hi Jordan,

You have requested an email verification code to sign in to Acme Corp (acme.okta.com).

Enter this code: 384920

Or sign in directly: https://acme.okta.com/email/verify/00u1a2b3c4D5e6F7g8h9?token=ftR9a2Kx0pLm3QzV

This code expires in 5 minutes. If you did not request this code, contact your administrator at it-help@acme.example or +1 (415) 555-0199.

This is an automatically generated message from Okta. Replies are not monitored or answered.`,
    html: layout({
      brand: 'Okta',
      assets: 'op1static.oktacdn.com/assets/img',
      body: `<p>Hi Jordan,</p>
<p>You have requested an email verification code to sign in to Acme Corp (acme.okta.com).</p>
<p>Enter this code: <b>384920</b></p>
${button('https://acme.okta.com/email/verify/00u1a2b3c4D5e6F7g8h9?token=ftR9a2Kx0pLm3QzV', 'Sign In')}
<p>This code expires in 5 minutes. If you did not request this code, contact your administrator at it-help@acme.example or +1 (415) 555-0199.</p>`,
      footer: '<p>This is an automatically generated message from Okta. Replies are not monitored or answered.</p>',
    }),
    expectedCode: '384920',
    expectedActionLink: 'https://acme.okta.com/email/verify/00u1a2b3c4D5e6F7g8h9?token=ftR9a2Kx0pLm3QzV',
  },
  {
    name: 'Auth0 passwordless code and magic link (HTML only)',
    lang: 'en',
    subject: 'Welcome to Travel0',
    text: '',
    html: layout({
      brand: 'Travel0',
      assets: 'cdn.auth0.com/styleguide/components/1.0.8/media/logos/img',
      body: `<h1>Welcome to Travel0!</h1>
<p>Your verification code is: <strong>849302</strong></p>
<p>Or click the magic link below to log in instantly:</p>
${button('https://travel0.us.auth0.com/passwordless/verify_redirect?scope=openid&amp;response_type=code&amp;redirect_uri=https%3A%2F%2Ftravel0.example%2Fcallback&amp;verification_code=849302&amp;connection=email&amp;client_id=Xk29sLm3&amp;email=jo%40example.com', 'Log in to Travel0')}
<p>This link and code will only be valid for the next 5 minutes.</p>`,
      footer: footer({ unsubscribe: 'https://travel0.example/email/unsubscribe', privacy: 'https://travel0.example/privacy', social: ['https://twitter.com/travel0', 'https://www.instagram.com/travel0'] }),
    }),
    expectedCode: '849302',
    expectedActionLink: 'https://travel0.us.auth0.com/passwordless/verify_redirect?scope=openid&response_type=code&redirect_uri=https%3A%2F%2Ftravel0.example%2Fcallback&verification_code=849302&connection=email&client_id=Xk29sLm3&email=jo%40example.com',
  },
  {
    name: 'Zoom sign-in code grouped by a space (HTML + text)',
    lang: 'en',
    subject: 'Zoom sign-in verification code',
    text: `Hi Morgan,

We noticed a sign-in attempt to your Zoom account from a new device or location.
Device: Windows 11, Zoom Workplace 6.2.5
Location: Lisbon, Portugal

Your verification code is:
294 839

The code expires in 10 minutes. If you did not try to sign in, change your password immediately at https://zoom.us/signin#/forgot-password

Zoom Communications, Inc., 55 Almaden Blvd, 6th Floor, San Jose, CA 95113
+1.888.799.9666`,
    html: layout({
      brand: 'Zoom',
      assets: 'st1.zoom.us/homepage/publish/email',
      body: `<p>Hi Morgan,</p>
<p>We noticed a sign-in attempt to your Zoom account from a new device or location.<br>Device: Windows 11, Zoom Workplace 6.2.5<br>Location: Lisbon, Portugal</p>
<p>Your verification code is:</p>
${codeBlock('294 839')}
<p>The code expires in 10 minutes. If you did not try to sign in, <a href="https://zoom.us/signin#/forgot-password">change your password</a> immediately.</p>`,
      footer: footer({ help: 'https://support.zoom.com', privacy: 'https://explore.zoom.us/en/privacy/', address: 'Zoom Communications, Inc., 55 Almaden Blvd, 6th Floor, San Jose, CA 95113 · +1.888.799.9666' }),
    }),
    expectedCode: '294 839',
    expectedActionLink: null,
  },
  {
    name: 'Revolut verification with dashed digits (plain)',
    lang: 'en',
    subject: 'Your Revolut verification code',
    text: `Hi Alex,

Use the code below to verify your email address:

384-291

Never share this code. Revolut will never ask you for it over the phone.

Revolut Ltd, 7 Westferry Circus, Canary Wharf, London E14 4HD, United Kingdom. Registered in England and Wales No. 08804411.`,
    html: '',
    expectedCode: '384-291',
    expectedActionLink: null,
  },
  {
    name: 'Uber 4-digit code (HTML only)',
    lang: 'en',
    subject: 'Welcome to Uber',
    text: '',
    html: layout({
      brand: 'Uber',
      assets: 'd1a3f4spazzrp4.cloudfront.net/uber-com/1.3.8/d1a3f4spazzrp4',
      body: `<p style="font-size:28px;">Welcome to Uber</p>
<p>Enter 4829 to verify your email address. Your code expires in 15 minutes.</p>
<p>Get 50% off your first 2 rides up to $10 each — terms apply.</p>`,
      footer: footer({ unsubscribe: 'https://www.uber.com/unsubscribe?uuid=1f2e3d', privacy: 'https://www.uber.com/legal/privacy/users/en/', address: 'Uber Technologies, 1725 3rd Street, San Francisco, CA 94158' }),
    }),
    expectedCode: '4829',
    expectedActionLink: null,
  },
  {
    name: 'Dropbox security code with a space, in a mail with a year and a phone number (plain)',
    lang: 'en',
    subject: 'Your Dropbox security code',
    text: `Hi Sam,

Here's your security code: 582 941

Enter it to finish signing in on iPhone 15 Pro. This code is valid for 10 minutes.

If you didn't request a security code, someone may have your password. Reset it: https://www.dropbox.com/forgot

Happy Dropboxing!
- The Dropbox Team

© 2026 Dropbox, Inc. 1800 Owens St, San Francisco, CA 94158`,
    html: '',
    expectedCode: '582 941',
    expectedActionLink: null,
  },
  {
    name: 'Netflix sign-in code (HTML + text)',
    lang: 'en',
    subject: 'Your sign-in code',
    text: `Enter this code to sign in

2817

Enter this code on the sign-in screen of your TV or browser. This code will expire in 15 minutes.

If you did not try to sign in, change your password: https://www.netflix.com/password

Questions? Call 1-866-579-7172
Netflix Services Inc., 121 Albright Way, Los Gatos, CA 95032`,
    html: layout({
      brand: 'Netflix',
      assets: 'assets.nflxext.com/us/email',
      body: `<h1>Enter this code to sign in</h1>
${codeBlock('2817')}
<p>Enter this code on the sign-in screen of your TV or browser. This code will expire in 15 minutes.</p>
<p>If you did not try to sign in, <a href="https://www.netflix.com/password">change your password</a>.</p>`,
      footer: footer({ help: 'https://help.netflix.com/', unsubscribe: 'https://www.netflix.com/notificationsettings', address: 'Questions? Call 1-866-579-7172 · Netflix Services Inc., 121 Albright Way, Los Gatos, CA 95032' }),
    }),
    expectedCode: '2817',
    expectedActionLink: null,
  },
  {
    name: 'Airbnb code with a booking amount (plain)',
    lang: 'en',
    subject: 'Your Airbnb verification code',
    text: `Airbnb

Your verification code is: 482910

Use this code to confirm your reservation request for 3 nights in Lisbon (Jun 14 – 17, 2026), total $612.40.

For your security, don't share this code with anyone.

Airbnb, Inc., 888 Brannan St, San Francisco, CA 94103
https://www.airbnb.com/help`,
    html: '',
    expectedCode: '482910',
    expectedActionLink: null,
  },
  {
    name: 'Coinbase code in subject only (plain)',
    lang: 'en',
    subject: '5829301 is your Coinbase verification code',
    text: `Someone (hopefully you) is trying to sign in to Coinbase from Chrome on Windows.

If this was you, enter the code from the subject line. It expires in 10 minutes.

If this wasn't you, lock your account now: https://www.coinbase.com/account_lock?token=a82kf92`,
    html: '',
    expectedCode: '5829301',
    expectedActionLink: null,
  },
  {
    name: 'LinkedIn verification code sentence style (HTML + text)',
    lang: 'en',
    subject: 'Here’s your verification code 529371',
    text: `Hi Taylor,

Please use this verification code to complete your sign in: 529371

If you didn't try to sign in, change your password: https://www.linkedin.com/psettings/change-password

This email was intended for Taylor Swift-Miller (Senior QA Engineer at Initech)
© 2026 LinkedIn Corporation, 1000 West Maude Avenue, Sunnyvale, CA 94085.`,
    html: layout({
      brand: 'LinkedIn',
      assets: 'static.licdn.com/aero-v1/sc/h',
      body: `<p>Hi Taylor,</p>
<p>Please use this verification code to complete your sign in:</p>
<p style="font-size:24px;font-weight:600;">529371</p>
<p>If you didn’t try to sign in, <a href="https://www.linkedin.com/psettings/change-password">change your password</a>.</p>`,
      footer: footer({ unsubscribe: 'https://www.linkedin.com/comm/psettings/email-unsubscribe?lipi=urn%3Ali', help: 'https://www.linkedin.com/help/linkedin', address: 'This email was intended for Taylor Swift-Miller (Senior QA Engineer at Initech)<br>© 2026 LinkedIn Corporation, 1000 West Maude Avenue, Sunnyvale, CA 94085.' }),
    }),
    expectedCode: '529371',
    expectedActionLink: null,
  },
  {
    name: 'Epic Games code drawn digit by digit in table cells (HTML only)',
    lang: 'en',
    subject: 'Your Epic Games security code',
    text: '',
    html: layout({
      brand: 'Epic Games',
      assets: 'static-assets-prod.epicgames.com/email',
      body: `<p>Hello, FortNight2026!</p>
<p>Here is your security code:</p>
<table role="presentation"><tr><td style="font-size:40px;">8</td><td style="font-size:40px;">3</td><td style="font-size:40px;">9</td><td style="font-size:40px;">2</td><td style="font-size:40px;">0</td><td style="font-size:40px;">1</td></tr></table>
<p>This code will expire in 30 minutes. If you did not request this code, please <a href="https://www.epicgames.com/account/password">reset your password</a>.</p>`,
      footer: footer({ privacy: 'https://www.epicgames.com/site/privacypolicy', help: 'https://www.epicgames.com/help', address: 'Epic Games, Inc. 620 Crossroads Blvd. Cary, NC 27518, USA' }),
    }),
    expectedCode: '839201',
    expectedActionLink: null,
  },
  {
    name: 'Atlassian code with letters and digits (plain)',
    lang: 'en',
    subject: 'Your Atlassian verification code',
    text: `Verify your email address

To finish signing up for Jira, enter this verification code:

PXK-48Q

This code expires in 30 minutes.

Atlassian Pty Ltd, 341 George St, Sydney NSW 2000, Australia
https://www.atlassian.com/legal/privacy-policy`,
    html: '',
    expectedCode: 'PXK-48Q',
    expectedActionLink: null,
  },
  {
    name: 'Generic SaaS confirmation with link and code (HTML + text)',
    lang: 'en',
    subject: 'Confirm your email for Linear',
    text: `Confirm your email address

Click the link below to confirm your email address and finish creating your Linear workspace:

https://linear.app/auth/confirm?email=qa%40example.com&token=7f3a9c2e51d84b6a

Or enter this code in the app: 730-418

This link and code expire in 1 hour. If you didn't sign up for Linear, you can ignore this email.

Linear Orbit, Inc. · 2261 Market Street #4109 · San Francisco, CA 94114`,
    html: layout({
      brand: 'Linear',
      assets: 'static.linear.app/email',
      body: `<h1>Confirm your email address</h1>
<p>Click the button below to confirm your email address and finish creating your Linear workspace.</p>
${button('https://linear.app/auth/confirm?email=qa%40example.com&amp;token=7f3a9c2e51d84b6a', 'Confirm email address')}
<p>Or enter this code in the app:</p>
${codeBlock('730-418')}
<p>This link and code expire in 1 hour. If you didn't sign up for Linear, you can ignore this email.</p>`,
      footer: footer({ unsubscribe: 'https://linear.app/settings/account/notifications', address: 'Linear Orbit, Inc. · 2261 Market Street #4109 · San Francisco, CA 94114' }),
    }),
    expectedCode: '730-418',
    expectedActionLink: 'https://linear.app/auth/confirm?email=qa%40example.com&token=7f3a9c2e51d84b6a',
  },
  {
    name: 'Bank of America SafePass-style code with account numbers (plain)',
    lang: 'en',
    subject: 'Your Bank of America authorization code',
    text: `Bank of America

Your authorization code is 739201. Use it to confirm the transfer of $2,500.00 from checking ••••6612 to savings ••••0943.

We will never call you to ask for this code. If you did not request this transfer, call 800.432.1000 immediately.

Bank of America, N.A. Member FDIC. Equal Housing Lender. © 2026 Bank of America Corporation.
Routing number 026009593 appears on your statements.`,
    html: '',
    expectedCode: '739201',
    expectedActionLink: null,
  },
];
