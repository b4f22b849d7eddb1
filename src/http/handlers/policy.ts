/**
 * The policy you can see: `GET /api/v1/policy` shows the bans in force, the hottest counters,
 * the last refused sessions (with their transcripts) and the settings; public, like inboxes.
 * `DELETE /api/v1/policy/bans/{id}` lifts a ban and needs the admin token.
 */
import { requireAdmin } from '../admin.js';
import { HttpError, notFound } from '../errors.js';
import { integerParam } from '../params.js';
import { sendJson, sendNoContent } from '../reply.js';
import type { Handler } from '../router.js';

export const getPolicy: Handler = ({ app, res, query }) => {
  const policy = app.policy;
  if (!policy) throw new HttpError(404, 'not_found', 'this server has no SMTP listener, so no policy');
  const refusedLimit = integerParam(query, 'refused', 1000, 0, 1000);
  const now = app.clock.now();
  const s = policy.settings;
  sendJson(res, 200, {
    enabled: s.enabled,
    trustedNetworks: s.trusted.cidrs,
    settings: {
      ipRate: s.ipRate,
      networkRate: s.networkRate,
      banMs: s.banMs,
      subjectFlood: s.subjectFlood,
      subjectBanMs: s.subjectBanMs,
      acceptBounces: s.acceptBounces,
      tarpitMs: s.tarpitMs,
      strict: s.strict,
      greetWaitMs: s.greetWaitMs,
      magicAddresses: s.magicAddresses,
    },
    disk: app.disk?.current ?? null,
    bans: policy.bans.list(now),
    hottest: policy.hottest(),
    refused: policy.refusedLog.list().slice(0, refusedLimit),
  });
};

export const liftBan: Handler = ({ app, req, res, params }) => {
  requireAdmin(req, app.config.adminToken);
  const id = Number(params.id);
  if (!/^\d{1,15}$/.test(params.id ?? '')) throw new HttpError(400, 'invalid_parameter', 'a ban id is a whole number');
  if (!app.policy?.bans.lift(id)) throw notFound(`ban ${id}`);
  sendNoContent(res);
};
