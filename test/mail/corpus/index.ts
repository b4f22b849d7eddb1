/** The whole corpus, and its parts by what they test. */
import { englishCodeMails } from './codes-en.js';
import { frenchCodeMails, germanCodeMails, japaneseCodeMails, spanishCodeMails } from './codes-intl.js';
import { mailsWithoutCodes } from './no-codes.js';
import type { MailCase } from './types.js';

export type { Language, MailCase } from './types.js';

export const mailsWithCodes: MailCase[] = [...englishCodeMails, ...germanCodeMails, ...frenchCodeMails, ...spanishCodeMails, ...japaneseCodeMails];
export { mailsWithoutCodes };
export const corpus: MailCase[] = [...mailsWithCodes, ...mailsWithoutCodes];
