/**
 * The routing rules API. Reading is public, like the policy API; every change needs the admin
 * token (admin.ts). `GET /api/v1/rules` lists every rule with its source (`file` or `api`) and
 * the problems of the last load (a bad rule in the file, named); `PUT /api/v1/rules/{name}`
 * creates (201) or replaces (200) an API rule, `POST /api/v1/rules` creates one (409 if the name
 * is taken), `DELETE /api/v1/rules/{name}` removes one (204). A rule of the --rules file cannot
 * be changed here (409): the file is its truth. A malformed rule answers 400 naming what is wrong.
 */
import { RuleConflict, type RuleBook } from '../../rules/book.js';
import { RuleError, ruleToJson } from '../../rules/validate.js';
import type { ListedRule } from '../../rules/book.js';
import { requireAdmin } from '../admin.js';
import { HttpError, notFound } from '../errors.js';
import { sendJson, sendNoContent } from '../reply.js';
import type { Handler, RequestContext } from '../router.js';

function book(app: RequestContext['app']): RuleBook {
  if (!app.rules) throw new HttpError(404, 'not_found', 'this server has no SMTP listener, so no rules');
  return app.rules;
}

const present = (listed: ListedRule): Record<string, unknown> => ({ ...ruleToJson(listed.rule), source: listed.source });

function jsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'bad_request', 'the body must be a rule as JSON');
  }
}

/** Run a change, turning the rule book's refusals into HTTP answers. */
function change<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RuleError) throw new HttpError(400, 'invalid_parameter', error.message);
    if (error instanceof RuleConflict) throw new HttpError(409, 'conflict', error.message);
    throw error;
  }
}

export const listRules: Handler = ({ app, res }) => {
  const rules = book(app);
  sendJson(res, 200, { rules: rules.list().map(present), problems: rules.problems() });
};

export const getRule: Handler = ({ app, res, params }) => {
  const found = book(app).get(params.name!);
  if (!found) throw notFound(`rule "${params.name!.slice(0, 64)}"`);
  sendJson(res, 200, present(found));
};

export const createRule: Handler = ({ app, req, res, body }) => {
  requireAdmin(req, app.config.adminToken);
  const rules = book(app);
  const input = jsonBody(body);
  const name = (input as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && rules.get(name)) throw new HttpError(409, 'conflict', `a rule named "${name.slice(0, 64)}" exists; PUT /api/v1/rules/{name} replaces it`);
  const { rule } = change(() => rules.put(input));
  sendJson(res, 201, present(rules.get(rule.name)!));
};

export const putRule: Handler = ({ app, req, res, params, body }) => {
  requireAdmin(req, app.config.adminToken);
  const rules = book(app);
  const input = jsonBody(body);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new HttpError(400, 'invalid_parameter', 'the body must be a rule object');
  const named = input as Record<string, unknown>;
  if (named.name !== undefined && named.name !== params.name) throw new HttpError(400, 'invalid_parameter', 'the name in the body differs from the one in the path');
  const { created } = change(() => rules.put({ ...named, name: params.name }));
  sendJson(res, created ? 201 : 200, present(rules.get(params.name!)!));
};

export const deleteRule: Handler = ({ app, req, res, params }) => {
  requireAdmin(req, app.config.adminToken);
  if (!change(() => book(app).remove(params.name!))) throw notFound(`rule "${params.name!.slice(0, 64)}"`);
  sendNoContent(res);
};
