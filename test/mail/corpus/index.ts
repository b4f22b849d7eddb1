/** The whole corpus, and its parts by what they test. */
import { englishCodeMails } from './codes-en.js';
import { frenchCodeMails, germanCodeMails, japaneseCodeMails, spanishCodeMails } from './codes-intl.js';
import { holdoutCodeMails, holdoutMailsWithoutCodes } from './holdout.js';
import { mailsWithoutCodes as firstMailsWithoutCodes } from './no-codes.js';
import type { MailCase } from './types.js';

export type { Language, MailCase } from './types.js';

export const mailsWithCodes: MailCase[] = [...englishCodeMails, ...germanCodeMails, ...frenchCodeMails, ...spanishCodeMails, ...japaneseCodeMails, ...holdoutCodeMails];
export const mailsWithoutCodes: MailCase[] = [...firstMailsWithoutCodes, ...holdoutMailsWithoutCodes];
export const corpus: MailCase[] = [...mailsWithCodes, ...mailsWithoutCodes];
