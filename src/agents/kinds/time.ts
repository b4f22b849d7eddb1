/**
 * `time`: the current time in a timezone (the intelligent responder's first example), offline:
 * the zone comes from Intl's own IANA list. It is named by the subject (`Asia/Tokyo`, `tokyo`,
 * `new york`), else by the pattern's wildcard (`time-tokyo@` for `time-*@`), else by the local
 * part (`berlin@`), else the `timezone` option (default UTC). A city matches the last part of a
 * zone name, case and `_`/`-`/space/`.` not mattering.
 */
import { inboxFor } from '../../mail/address.js';
import { AgentConfigError, onlyOptions, stringOption, type Agent, type Options } from '../kind.js';

const normal = (name: string): string => name.trim().toLowerCase().replace(/[\s_.-]+/g, '_');

/** normalised full name and normalised city → zone name. */
function zoneIndex(): Map<string, string> {
  const zones = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  const index = new Map<string, string>();
  for (const zone of zones) {
    const city = zone.split('/').pop()!;
    if (!index.has(normal(city))) index.set(normal(city), zone);
  }
  for (const zone of zones) index.set(normal(zone), zone);
  return index;
}

let zones: Map<string, string> | null = null;

export function findZone(name: string): string | null {
  zones ??= zoneIndex();
  return name.trim() === '' ? null : (zones.get(normal(name)) ?? null);
}

export function timeIn(zone: string, now: Date): string {
  const when = new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'full', timeStyle: 'long' }).format(now);
  const offset = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(now).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return `${when} (${offset})`;
}

export function timeAgent(options: Options): Agent {
  onlyOptions(options, ['timezone']);
  const fallback = stringOption(options, 'timezone', 'UTC');
  if (!findZone(fallback)) throw new AgentConfigError(`"timezone" names no timezone this Node knows: ${fallback}`);
  // The first formatter loads ICU's zone data (~0.2 s): pay that when the file loads, not in a reply.
  timeIn(findZone(fallback)!, new Date(0));
  return {
    oncePerSenderMs: 0,
    async answer(context) {
      const local = inboxFor(context.address.slice(0, context.address.lastIndexOf('@'))) ?? '';
      const subject = context.message.subject.replace(/^(re|fwd?):\s*/i, '');
      const zone = findZone(subject) ?? findZone(context.wildcard) ?? findZone(local) ?? findZone(fallback)!;
      return { body: `The time in ${zone} is ${timeIn(zone, context.now)}.\n` };
    },
  };
}
