/**
 * Recursive alias expansion (asked by the router at RCPT): a name or an address at one of our
 * domains that is itself an alias is expanded again, depth first, until only final targets are
 * left (aliases/targets.ts). The result is de-duplicated, so a message reaches each final target
 * once however many paths lead to it.
 *
 * Loops: a name met again on its own path is not expanded again but delivered to its inbox,
 * which is what `joe: joe, joe@backup.example` ("keep a copy and forward") means in aliases(5),
 * and breaks `a: b` / `b: a` without losing the message. Depth: past MAX_ALIAS_DEPTH nested
 * aliases the recipient is refused at RCPT (550 5.4.6, RFC 3463 "routing loop detected"), so a
 * runaway file costs one refusal, not a fan-out.
 */
import type { AliasLookup, AliasValue } from './file.js';
import { targetKey, type FinalTarget } from './targets.js';

export const MAX_ALIAS_DEPTH = 10;
/** Most final targets one recipient may expand to (a group of groups could fan out widely). */
export const MAX_ALIAS_TARGETS = 1000;

export type Expansion = { ok: true; targets: FinalTarget[] } | { ok: false; reason: 'too-deep' | 'too-many' };

export interface ExpandContext {
  aliases: AliasLookup;
  /** Whether a domain is one of ours (an address there is expanded as its local part). */
  isOurDomain(domain: string): boolean;
  /** The inbox an address's local part names (null: none). */
  inboxOf(localPart: string): string | null;
}

export function expandAlias(name: string, context: ExpandContext): Expansion {
  const targets = new Map<string, FinalTarget>();
  const walk = (current: string, path: readonly string[]): true | 'too-deep' | 'too-many' => {
    if (path.length > MAX_ALIAS_DEPTH) return 'too-deep';
    const values = context.aliases.lookup(current);
    if (!values || path.includes(current)) return add({ kind: 'inbox', inbox: current });
    for (const value of values) {
      const next = nameOf(value, context);
      const outcome = next === undefined ? add(finalOf(value)) : next === null ? true : walk(next, [...path, current]);
      if (outcome !== true) return outcome;
    }
    return true;
  };
  const add = (target: FinalTarget): true | 'too-many' => {
    const key = targetKey(target);
    if (!targets.has(key)) targets.set(key, target); // the first spelling met is the one delivered to
    return targets.size > MAX_ALIAS_TARGETS ? 'too-many' : true;
  };
  const outcome = walk(name, []);
  return outcome === true ? { ok: true, targets: [...targets.values()] } : { ok: false, reason: outcome };
}

/**
 * The inbox name a value points to (to expand again); undefined for a final target; null for an
 * address at our domains whose local part names no inbox (nothing to deliver to, never relayed).
 */
function nameOf(value: AliasValue, context: ExpandContext): string | null | undefined {
  if (value.kind === 'name') return value.name;
  if (value.kind === 'address' && context.isOurDomain(value.domain)) return context.inboxOf(value.localPart);
  return undefined;
}

function finalOf(value: AliasValue): FinalTarget {
  switch (value.kind) {
    case 'file':
      return { kind: 'file', path: value.path };
    case 'program':
      return { kind: 'program', argv: value.argv };
    case 'address':
      return { kind: 'relay', address: value.address };
    case 'name':
      return { kind: 'inbox', inbox: value.name };
  }
}
