/** `tidemail proxy`'s own flags (src/proxy/options.ts): parsed beside serve's, with errors naming the flag. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config.js';
import { loadProxyConfig, proxyHelpText } from '../../src/proxy/options.js';

describe('tidemail proxy options', () => {
  it("takes its own flags and hands the rest to serve's parser", () => {
    const { config, proxy } = loadProxyConfig(['--upstream', 'mx.example.test:2525', '--keep-copy', '--smtp', '127.0.0.1:2600', '--upstream-tls=require', '--upstream-timeout', '5s'], {});
    assert.deepEqual(proxy, { upstream: { host: 'mx.example.test', port: 2525 }, upstreamTls: 'require', upstreamConnections: 20, upstreamTimeoutMs: 5000, upstreamIdleMs: 30_000, keepCopy: true });
    assert.deepEqual(config.smtp, { host: '127.0.0.1', port: 2600 });
  });

  it('reads the TIDEMAIL_* twins, and an IPv6 upstream in brackets', () => {
    const { proxy } = loadProxyConfig([], { TIDEMAIL_UPSTREAM: '[::1]:25', TIDEMAIL_UPSTREAM_CONNECTIONS: '4' });
    assert.deepEqual(proxy.upstream, { host: '::1', port: 25 });
    assert.equal(proxy.upstreamConnections, 4);
  });

  it('names what is wrong', () => {
    assert.throws(() => loadProxyConfig([], {}), (e: Error) => e instanceof ConfigError && /needs --upstream/.test(e.message));
    assert.throws(() => loadProxyConfig(['--upstream', 'mx:25', '--upstream-tls', 'always'], {}), /invalid value "always" for --upstream-tls: expected require, opportunistic or off/);
    assert.throws(() => loadProxyConfig(['--upstream', 'mx'], {}), /invalid value "mx" for --upstream: expected HOST:PORT/);
    assert.throws(() => loadProxyConfig(['--upstream', 'mx:25', '--no-such-flag', '1'], {}), /unknown flag --no-such-flag/);
  });

  it('documents its flags and serve\'s in --help', () => {
    const help = proxyHelpText();
    assert.match(help, /--upstream-tls <tls>\s+STARTTLS to the upstream/);
    assert.match(help, /--smtp <address>/);
  });
});
