/**
 * The policy you can see: `GET /api/v1/policy` shows the bans in force, the hottest counters,
 * the last refused sessions (with their transcripts), the greylist (its settings, counts and
 * most recently seen entries, `?greylist=N` of them) and the settings; public, like inboxes.
 * `DELETE /api/v1/policy/bans/{id}` lifts a ban and needs the admin token.
 */
import type { Greylist } from '../../policy/greylist.js';
import { requireAdmin } from '../admin.js';
import { HttpError, notFound } from '../errors.js';
import { integerParam } from '../params.js';
import { sendJson, sendNoContent } from '../reply.js';
import type { Handler } from '../router.js';

export const getPolicy: Handler = ({ app, res, query }) => {
  const policy = app.policy;
  if (!policy) throw new HttpError(404, 'not_found', 'this server has no SMTP listener, so no policy');
  const refusedLimit = integerParam(query, 'refused', 1000, 0, 1000);
  const greylistLimit = integerParam(query, 'greylist', 100, 0, 1000);
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
    greylist: s.greylist ? greylistView(s.greylist, greylistLimit) : null,
  });
};

/** The greylist as the API shows it: settings, counts, and the entries seen most recently. */
function greylistView(greylist: Greylist, limit: number): object {
  const { counts, entries } = greylist.view(limit);
  return {
    settings: { ...greylist.settings, whitelistFile: greylist.whitelist?.path ?? null },
    counts,
    entries: entries.map((e) => ({
      kind: e.kind,
      network: e.network,
      sender: e.kind === 'client' ? null : e.sender,
      recipient: e.kind === 'client' ? null : e.recipient,
      firstSeenMs: e.firstSeenMs,
      lastSeenMs: e.lastSeenMs,
      passes: e.passes,
      expiresAtMs: e.expiresAtMs,
    })),
  };
}

export const liftBan: Handler = ({ app, req, res, params }) => {
  requireAdmin(req, app.config.adminToken);
  const id = Number(params.id);
  if (!/^\d{1,15}$/.test(params.id ?? '')) throw new HttpError(400, 'invalid_parameter', 'a ban id is a whole number');
  if (!app.policy?.bans.lift(id)) throw notFound(`ban ${id}`);
  sendNoContent(res);
};
