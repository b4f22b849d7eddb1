/**
 * The final targets a recipient expands to (router.ts at RCPT, aliases/expand.ts), and what the
 * delivery target (delivery/routed.ts) does with each at DATA. Twisted Mail's four kinds of
 * alias, plus the plain inbox: an inbox of ours, an address elsewhere (relayed), an mbox file,
 * a program.
 */

export type FinalTarget =
  | { kind: 'inbox'; inbox: string }
  /** An address not at our domains: handed to the relay queue. */
  | { kind: 'relay'; address: string }
  /** An absolute path under --alias-file-dir: the message is appended in mbox format. */
  | { kind: 'file'; path: string }
  /** argv of a program under --alias-program-dir (no shell): the message on its stdin. */
  | { kind: 'program'; argv: readonly string[] };

/** Two targets with the same key are one delivery ("delivered once per final target"). */
export function targetKey(target: FinalTarget): string {
  switch (target.kind) {
    case 'inbox':
      return `inbox ${target.inbox}`;
    case 'relay':
      return `relay ${target.address.toLowerCase()}`;
    case 'file':
      return `file ${target.path}`;
    case 'program':
      return `program ${JSON.stringify(target.argv)}`;
  }
}

/** The targets of a whole transaction, de-duplicated, by kind, in the order first met. */
export interface TargetSet {
  inboxes: string[];
  relayTo: string[];
  files: string[];
  programs: Array<readonly string[]>;
}

export function collectTargets(targets: Iterable<FinalTarget>): TargetSet {
  const seen = new Set<string>();
  const set: TargetSet = { inboxes: [], relayTo: [], files: [], programs: [] };
  for (const target of targets) {
    const key = targetKey(target);
    if (seen.has(key)) continue;
    seen.add(key);
    if (target.kind === 'inbox') set.inboxes.push(target.inbox);
    else if (target.kind === 'relay') set.relayTo.push(target.address);
    else if (target.kind === 'file') set.files.push(target.path);
    else set.programs.push(target.argv);
  }
  return set;
}
