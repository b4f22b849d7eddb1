/**
 * `template`: an auto-responder (RFC 5230 Sieve vacation). The reply's `body` (and optional
 * `subject`) are templates whose `{{field}}` placeholders take the message's fields; an unknown
 * field is refused when the file is loaded, not left in a reply. `days` (default 7, at least 1,
 * as RFC 5230 §4.1 has it) is how long one sender hears from this agent only once.
 */
import { AgentConfigError, numberOption, onlyOptions, stringOption, type Agent, type AgentContext, type Options } from '../kind.js';

const DAY_MS = 86_400_000;

const FIELDS: Record<string, (context: AgentContext) => string> = {
  subject: (c) => c.message.subject,
  from: (c) => (c.message.from ? (c.message.from.name ? `${c.message.from.name} <${c.message.from.address}>` : c.message.from.address) : ''),
  sender: (c) => c.message.envelope.mailFrom,
  to: (c) => c.address,
  date: (c) => new Date(c.message.receivedAtMs).toUTCString(),
  text: (c) => c.message.parsed.text,
  preview: (c) => c.message.preview,
  codes: (c) => c.message.codes.join(', '),
  links: (c) => c.message.links.join('\n'),
  id: (c) => String(c.message.id),
  agent: (c) => c.agentName,
};

const PLACEHOLDER = /\{\{\s*([a-z]+)\s*\}\}/g;

/** A template as a function of the context; unknown fields are a configuration error. */
function compile(template: string, option: string): (context: AgentContext) => string {
  for (const [, field] of template.matchAll(PLACEHOLDER)) {
    if (!(field! in FIELDS)) throw new AgentConfigError(`"${option}" names an unknown field {{${field}}} (fields: ${Object.keys(FIELDS).join(', ')})`);
  }
  return (context) => template.replace(PLACEHOLDER, (_, field: string) => FIELDS[field]!(context));
}

export function templateAgent(options: Options): Agent {
  onlyOptions(options, ['subject', 'body', 'days']);
  const body = compile(stringOption(options, 'body'), 'body');
  const subjectTemplate = options.subject === undefined ? null : compile(stringOption(options, 'subject'), 'subject');
  const days = numberOption(options, 'days', 7, 1, 3650);
  return {
    oncePerSenderMs: days * DAY_MS,
    async answer(context) {
      return { ...(subjectTemplate ? { subject: subjectTemplate(context) } : {}), body: body(context) };
    },
  };
}
