/**
 * Reading a rule from JSON or YAML (a file entry or an API body) into a `Rule`, refusing what is
 * malformed with a message that names the rule and the part that is wrong: a file's bad rule is
 * reported and skipped, an API call answers 400 with it. Every check that can fail on a value
 * (a regex, a URL, an address, a duration, a CIDR) runs here, not at ingest.
 */
import { parseMailbox } from '../mail/address.js';
import { NetworkList } from '../policy/networks.js';
import { parseDuration } from '../config.js';
import { parseEndpoint } from '../webhooks/endpoints.js';
import { boundedRegex, MAX_PATTERN_CHARS } from './regex.js';
import { FIELDS, OPS, type Action, type Condition, type Field, type Op, type Rule } from './types.js';

export const MAX_RULES = 1000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HEADER_NAME = /^[!-9;-~]{1,76}$/; // RFC 5322 §3.6.8 field-name: printable ASCII but ':'
const MAX_CONDITIONS = 32;
const MAX_ACTIONS = 16;

export class RuleError extends Error {}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseRule(input: unknown, nameHint = ''): Rule {
  if (!isObject(input)) throw new RuleError(`rule ${nameHint || '(unnamed)'}: expected an object`);
  const name = input.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new RuleError(`rule ${nameHint || JSON.stringify(name ?? null)}: "name" must be 1–64 letters, digits, '.', '_' or '-'`);
  }
  const fail = (what: string): never => {
    throw new RuleError(`rule "${name}": ${what}`);
  };
  const known = new Set(['name', 'enabled', 'priority', 'match', 'conditions', 'actions']);
  for (const key of Object.keys(input)) if (!known.has(key)) fail(`unknown key "${key.slice(0, 40)}"`);
  const enabled = input.enabled ?? true;
  if (typeof enabled !== 'boolean') fail('"enabled" must be true or false');
  const priority = input.priority ?? 100;
  if (typeof priority !== 'number' || !Number.isSafeInteger(priority)) fail('"priority" must be a whole number');
  const match = input.match ?? 'all';
  if (match !== 'all' && match !== 'any') fail('"match" must be "all" or "any"');
  const conditions = input.conditions ?? [];
  if (!Array.isArray(conditions) || conditions.length > MAX_CONDITIONS) fail(`"conditions" must be a list of at most ${MAX_CONDITIONS}`);
  const actions = input.actions;
  if (!Array.isArray(actions) || actions.length === 0 || actions.length > MAX_ACTIONS) fail(`"actions" must be a list of 1 to ${MAX_ACTIONS}`);
  try {
    return {
      name,
      enabled: enabled as boolean,
      priority: priority as number,
      match: match as 'all' | 'any',
      conditions: (conditions as unknown[]).map((c, i) => located(`condition ${i + 1}`, () => parseCondition(c, i))),
      actions: (actions as unknown[]).map((a, i) => located(`action ${i + 1}`, () => parseAction(a, i))),
    };
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** A failure deep inside a condition or action (a URL, a CIDR, a regex) says which one. */
function located<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.startsWith(where) ? message : `${where}: ${message}`);
  }
}

function parseCondition(input: unknown, index: number): Condition {
  const where = `condition ${index + 1}`;
  if (!isObject(input)) throw new Error(`${where}: expected {field, op, value}`);
  const { field, op, value } = input;
  if (typeof field !== 'string' || !(FIELDS.includes(field as never) || (field.toLowerCase().startsWith('header:') && HEADER_NAME.test(field.slice(7))))) {
    throw new Error(`${where}: "field" must be one of ${FIELDS.join(', ')} or header:NAME`);
  }
  if (typeof op !== 'string' || !OPS.includes(op as Op)) throw new Error(`${where}: "op" must be one of ${OPS.join(', ')}`);
  if (typeof value !== 'string' || value === '' || value.length > MAX_PATTERN_CHARS * 4) throw new Error(`${where}: "value" must be a non-empty string`);
  if (op === 'regex') boundedRegex(value);
  if (field === 'ip' && op === 'equals' && value.includes('/')) new NetworkList([value]);
  const normalised: Field = field.toLowerCase().startsWith('header:') ? `header:${field.slice(7).toLowerCase()}` : (field as Field);
  return { field: normalised, op: op as Op, value };
}

function parseAction(input: unknown, index: number): Action {
  const where = `action ${index + 1}`;
  if (!isObject(input)) throw new Error(`${where}: expected an object such as {"tag": "billing"}`);
  const keys = Object.keys(input);
  const kind = keys.find((k) => ['webhook', 'drop', 'forward', 'agent', 'tag', 'discard-after'].includes(k));
  const extra = keys.filter((k) => k !== kind && !(kind === 'webhook' && k === 'deleted'));
  if (!kind || extra.length > 0) throw new Error(`${where}: expected one of webhook, drop, forward, agent, tag, discard-after${extra.length ? ` (unexpected "${extra[0]!.slice(0, 40)}")` : ''}`);
  const value = input[kind];
  const text = (what: string, max = 500): string => {
    if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw new Error(`${where}: "${kind}" must be ${what}`);
    return value.trim();
  };
  switch (kind) {
    case 'webhook': {
      const deleted = input.deleted ?? false;
      if (typeof deleted !== 'boolean') throw new Error(`${where}: "deleted" must be true or false`);
      const endpoint = parseEndpoint(text('an http(s) URL', 2000), deleted);
      return { kind, url: endpoint.url, deleted: endpoint.wantsDeleted };
    }
    case 'drop': {
      if (value === true) return { kind, text: '' };
      // A reply text of our own, kept to printable ASCII: it goes into an SMTP reply line.
      const reason = text('true or a reason', 200);
      if (!/^[\x20-\x7e]+$/.test(reason)) throw new Error(`${where}: a drop reason must be printable ASCII`);
      return { kind, text: reason };
    }
    case 'forward': {
      const address = text('an address');
      const parsed = parseMailbox(address);
      if (!parsed.ok) throw new Error(`${where}: "${address.slice(0, 100)}" is not an address (${parsed.reason})`);
      return { kind, to: address };
    }
    case 'agent':
      return { kind, agent: text('an agent name', 100) };
    case 'tag': {
      const tag = text('a label of at most 40 characters', 40);
      if (/[\x00-\x1f\x7f]/.test(tag)) throw new Error(`${where}: a tag must not hold control characters`);
      return { kind, tag };
    }
    default: {
      const duration = text('a duration such as 10m or 2h', 20);
      let afterMs: number;
      try {
        afterMs = parseDuration(duration);
      } catch {
        throw new Error(`${where}: "discard-after" must be a duration such as 10m or 2h`);
      }
      if (afterMs <= 0) throw new Error(`${where}: "discard-after" must be longer than 0`);
      return { kind: 'discard-after', afterMs };
    }
  }
}

/** A rule as JSON again (API answers, persistence): the shape parseRule reads. */
export function ruleToJson(rule: Rule): Json {
  return {
    name: rule.name,
    enabled: rule.enabled,
    priority: rule.priority,
    match: rule.match,
    conditions: rule.conditions,
    actions: rule.actions.map((a): Json => {
      switch (a.kind) {
        case 'webhook':
          return a.deleted ? { webhook: a.url, deleted: true } : { webhook: a.url };
        case 'drop':
          return { drop: a.text === '' ? true : a.text };
        case 'forward':
          return { forward: a.to };
        case 'agent':
          return { agent: a.agent };
        case 'tag':
          return { tag: a.tag };
        case 'discard-after':
          return { 'discard-after': formatDuration(a.afterMs) };
      }
    }),
  };
}

function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
