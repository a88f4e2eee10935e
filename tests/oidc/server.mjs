// Test authorization server for connstr: a real oidc-provider instance on 127.0.0.1.
//
// Usage: node server.mjs [--port N] [--access-token-ttl SECONDS] [--refresh-token-ttl SECONDS]
//                        [--no-rotate] [--token-delay-ms MS]
// Every option may also come from the environment: OIDC_PORT, OIDC_ACCESS_TOKEN_TTL,
// OIDC_REFRESH_TOKEN_TTL, OIDC_ROTATE_REFRESH_TOKEN (0/1), OIDC_TOKEN_DELAY_MS. Arguments win.
//
// stdout carries exactly one line, `READY http://127.0.0.1:PORT`, once the server accepts
// connections. Everything else (oidc-provider's warnings, one line per token request) goes to
// stderr. The server exits when its stdin reaches end of file, so it never outlives the test
// process that started it, and on SIGTERM/SIGINT.
//
// Extra endpoints (not part of OAuth):
//   GET  /__stats        JSON counters of token requests (see README.md)
//   POST /__stats/reset  zero the counters

import * as http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import Provider, { errors } from 'oidc-provider';

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const take = () => {
      i += 1;
      if (i >= argv.length) fail(`missing value after ${arg}`);
      return argv[i];
    };
    switch (arg) {
      case '--port': out.port = take(); break;
      case '--access-token-ttl': out.accessTokenTtl = take(); break;
      case '--refresh-token-ttl': out.refreshTokenTtl = take(); break;
      case '--token-delay-ms': out.tokenDelayMs = take(); break;
      case '--no-rotate': out.rotate = '0'; break;
      case '--rotate': out.rotate = '1'; break;
      default: fail(`unknown argument ${arg}`);
    }
  }
  return out;
}

function fail(message) {
  process.stderr.write(`oidc test server: ${message}\n`);
  process.exit(2);
}

function nonNegativeInt(name, value, fallback) {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/u.test(String(value))) fail(`${name} must be a non-negative integer, got ${value}`);
  return Number(value);
}

const args = parseArgs(process.argv.slice(2));
const env = process.env;
const port = nonNegativeInt('port', args.port ?? env.OIDC_PORT, 0);
const accessTokenTtl = nonNegativeInt('access token ttl', args.accessTokenTtl ?? env.OIDC_ACCESS_TOKEN_TTL, 3600);
const refreshTokenTtl = nonNegativeInt('refresh token ttl', args.refreshTokenTtl ?? env.OIDC_REFRESH_TOKEN_TTL, 14 * 24 * 3600);
const tokenDelayMs = nonNegativeInt('token delay', args.tokenDelayMs ?? env.OIDC_TOKEN_DELAY_MS, 0);
const rotate = (args.rotate ?? env.OIDC_ROTATE_REFRESH_TOKEN ?? '1') !== '0';
if (accessTokenTtl === 0) fail('access token ttl must be at least 1 second');

// The single protected API the tokens are for (scope `api`).
const API_RESOURCE = 'urn:connstr:test-api';

const clients = [
  {
    // Confidential web-server client: code flow, refresh, client credentials.
    client_id: 'connstr-test',
    client_secret: 'connstr-test-secret',
    // `native` makes oidc-provider accept any port on a loopback redirect URI (RFC 8252 §7.3).
    application_type: 'native',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback', 'http://[::1]/callback'],
  },
  {
    // Confidential machine client: client credentials only.
    client_id: 'connstr-cc',
    client_secret: 'connstr-cc-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    // Confidential client whose id and secret need form-urlencoding in a Basic header
    // (RFC 6749 §2.3.1): oidc-provider decodes both before comparing.
    client_id: 'connstr awkward:id',
    client_secret: 'p%ss w:rd+/=&;{}"\'!',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    // Confidential web app registered with a web redirect, as most organisations' apps are
    // (seed 000, JMP: Postman's callback). Nothing listens there: `connstr login` has the
    // landing address pasted back.
    client_id: 'connstr-web',
    client_secret: 'connstr-web-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['https://www.getpostman.com/oauth2/callback'],
  },
  {
    // Public native client: PKCE required, no secret.
    client_id: 'connstr-public',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback', 'http://[::1]/callback'],
  },
];

function newStats() {
  return {
    token_requests: 0,
    by_grant_type: {},
    by_status: {},
    by_error: {},
    client_auth: {},
    refresh_token_reuse: 0,
    grants_revoked: 0,
    in_flight: 0,
    max_in_flight: 0,
  };
}
let stats = newStats();
const bump = (map, key) => { map[key] = (map[key] ?? 0) + 1; };

const configuration = {
  clients,
  scopes: ['openid', 'offline_access'],
  // Fixed keys: this server holds no real secrets and its cookies live only as long as a test.
  cookies: { keys: ['connstr-oidc-test-cookie-key'] },
  pkce: {
    // Required for public clients (the default); optional for confidential ones.
    required: (_ctx, client) => client.clientAuthMethod === 'none',
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Every token is for the test API unless the request names another resource.
      defaultResource: async () => API_RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resourceIndicator) => {
        if (resourceIndicator !== API_RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: 'api',
          audience: API_RESOURCE,
          accessTokenTTL: accessTokenTtl,
          accessTokenFormat: 'opaque',
        };
      },
    },
  },
  // Always issue a refresh token to clients allowed the refresh_token grant, with or without
  // offline_access.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: rotate,
  ttl: {
    AccessToken: () => accessTokenTtl,
    ClientCredentials: () => accessTokenTtl,
    RefreshToken: () => refreshTokenTtl,
    AuthorizationCode: 120,
    Grant: 14 * 24 * 3600,
    IdToken: 3600,
    Interaction: 600,
    Session: 24 * 3600,
  },
  clientBasedCORS: () => false,
  // Any login name is an account whose subject is that name.
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  renderError: async (ctx, out) => {
    ctx.type = 'json';
    ctx.body = out;
  },
};

const server = http.createServer();
server.listen(port, '127.0.0.1', () => {
  const actual = server.address().port;
  const issuer = `http://127.0.0.1:${actual}`;
  const provider = new Provider(issuer, configuration);

  provider.on('grant.error', (_ctx, err) => {
    if (err?.error_detail === 'refresh token already used') stats.refresh_token_reuse += 1;
  });
  provider.on('grant.revoked', () => { stats.grants_revoked += 1; });
  provider.on('server_error', (_ctx, err) => {
    process.stderr.write(`oidc test server: server_error ${err?.stack ?? err}\n`);
  });

  provider.use(async (ctx, next) => {
    if (ctx.path === '/__stats' && ctx.method === 'GET') {
      ctx.type = 'json';
      ctx.body = stats;
      return;
    }
    if (ctx.path === '/__stats/reset' && ctx.method === 'POST') {
      stats = newStats();
      ctx.status = 204;
      return;
    }
    const isToken = ctx.path === '/token';
    if (!isToken) {
      await next();
      return;
    }
    // How the client presented its credentials, as sent on the wire.
    const how = ctx.headers.authorization !== undefined ? 'basic' : undefined;
    stats.token_requests += 1;
    stats.in_flight += 1;
    stats.max_in_flight = Math.max(stats.max_in_flight, stats.in_flight);
    const counted = stats;
    try {
      if (tokenDelayMs > 0) await sleep(tokenDelayMs);
      // A client that hung up during the hold (killed mid-refresh) is treated as if its
      // request had never arrived: nothing is handled, no refresh token rotated.
      if (ctx.req.socket?.destroyed) {
        ctx.status = 499;
        return;
      }
      await next();
    } finally {
      counted.in_flight -= 1;
      const params = ctx.oidc?.params ?? {};
      const grantType = params.grant_type ?? 'none';
      const auth = how ?? (params.client_secret ? 'post' : 'none');
      bump(counted.by_grant_type, grantType);
      bump(counted.by_status, String(ctx.status));
      bump(counted.client_auth, auth);
      const error = ctx.body && typeof ctx.body === 'object' ? ctx.body.error : undefined;
      if (error) bump(counted.by_error, error);
      process.stderr.write(
        `token ${ctx.method} grant_type=${grantType} auth=${auth} status=${ctx.status}${error ? ` error=${error}` : ''}\n`,
      );
    }
  });

  server.on('request', provider.callback());
  process.stdout.write(`READY ${issuer}\n`);
});
server.on('error', (err) => fail(`cannot listen: ${err.message}`));

const stop = () => {
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The harness holds our stdin open; end of file means it went away.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
