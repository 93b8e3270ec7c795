// Test OpenID provider for Gatehouse's OIDC sign-in tests: oidc-provider v9 (panva), Node >= 20.18.
//
// Configuration (env; argv "--key=value" overrides, e.g. --port=0 --redirect-uri=...):
//   OIDC_PORT            port on 127.0.0.1; 0 (default) picks a free one (race-free)
//   OIDC_ISSUER          default http://127.0.0.1:<actual port>
//   OIDC_CLIENT_ID       default "gatehouse"
//   OIDC_CLIENT_SECRET   default "gatehouse-test-secret"
//   OIDC_REDIRECT_URI    required; several may be given separated by spaces
//   OIDC_AUTH_METHOD     client_secret_basic (default) | client_secret_post
//   OIDC_SKIP_CONSENT    "1" (default) grants the requested scopes without a consent screen
//   OIDC_ID_TOKEN_TTL    seconds, default 300
//   OIDC_ID_TOKEN_MODE   normal (default) | expired | tampered | bad_signature | wrong_aud | wrong_iss | wrong_nonce
//                        also settable at run time: POST /__test/id_token_mode with body "mode=<mode>"
//   POST /__test/account with body "sub=<account>&email=<address>&preferred_username=<name>"
//                        changes a test account's claims (a person renamed at the provider)
//
// Prints one line "listening <issuer>" on stdout once it accepts connections.
import * as fs from 'node:fs';
import * as http from 'node:http';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const argv = Object.fromEntries(process.argv.slice(2)
  .filter((a) => a.startsWith('--'))
  .map((a) => { const i = a.indexOf('='); return [a.slice(2, i), a.slice(i + 1)]; }));
const opt = (flag, env, dflt) => argv[flag] ?? process.env[env] ?? dflt;

const port = Number(opt('port', 'OIDC_PORT', '0'));
const clientId = opt('client-id', 'OIDC_CLIENT_ID', 'gatehouse');
const clientSecret = opt('client-secret', 'OIDC_CLIENT_SECRET', 'gatehouse-test-secret');
const redirectUris = opt('redirect-uri', 'OIDC_REDIRECT_URI', '').split(/\s+/).filter(Boolean);
const authMethod = opt('auth-method', 'OIDC_AUTH_METHOD', 'client_secret_basic');
const skipConsent = opt('skip-consent', 'OIDC_SKIP_CONSENT', '1') === '1';
const idTokenTtl = Number(opt('id-token-ttl', 'OIDC_ID_TOKEN_TTL', '300'));
let idTokenMode = opt('id-token-mode', 'OIDC_ID_TOKEN_MODE', 'normal');
if (redirectUris.length === 0) { console.error('OIDC_REDIRECT_URI is required'); process.exit(2); }

// Fixed test accounts; every password is "password" (checked by the login hook below).
const PASSWORD = 'password';
const ACCOUNTS = {
  alice: { sub: 'alice', email: 'alice@example.test', email_verified: true, preferred_username: 'alice', name: 'Alice Example' },
  bob: { sub: 'bob', email: 'bob@example.test', email_verified: false, preferred_username: 'bob', name: 'Bob Example' },
};

// Our own signing key (instead of the built-in dev keys) so the test hooks can re-sign ID tokens.
const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' };
const rogueKey = (await jose.generateKeyPair('RS256')).privateKey; // never published

// Listen first so a port of 0 works, then build the provider with the real issuer.
const server = http.createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = opt('issuer', 'OIDC_ISSUER', `http://127.0.0.1:${server.address().port}`);

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: authMethod,
  }],
  jwks: { keys: [signingJwk] },
  pkce: { required: () => true },                 // S256 is the only method v9 accepts
  conformIdTokenClaims: false,                    // put scope claims (email, profile) in the ID token too
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  features: { devInteractions: { enabled: true } }, // default; headless login form at /interaction/:uid
  ttl: { IdToken: () => idTokenTtl, AccessToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
  cookies: { keys: ['gatehouse-test-cookie-key'] },
  async findAccount(ctx, sub) {
    const account = ACCOUNTS[sub];
    if (!account) return undefined;                // unknown login -> login fails
    return { accountId: sub, async claims() { return { ...account }; } };
  },
  // First-party client: grant what it asked for without showing the consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    if (!skipConsent) return undefined;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

// Test hooks: switch the ID-token mode, and rewrite the token endpoint's id_token accordingly.
provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/id_token_mode' && ctx.method === 'POST') {
    let body = '';
    for await (const chunk of ctx.req) body += chunk;
    idTokenMode = new URLSearchParams(body).get('mode') || 'normal';
    ctx.body = { mode: idTokenMode };
    return;
  }
  if (ctx.path === '/__test/account' && ctx.method === 'POST') {
    let body = '';
    for await (const chunk of ctx.req) body += chunk;
    const change = Object.fromEntries(new URLSearchParams(body));
    const account = ACCOUNTS[change.sub];
    if (!account) { ctx.status = 404; ctx.body = { error: 'no such account' }; return; }
    for (const claim of ['email', 'preferred_username', 'name']) {
      if (change[claim]) account[claim] = change[claim];
    }
    ctx.body = account;
    return;
  }
  // devInteractions accepts any login and ignores the password; check both here. A wrong one
  // ends the interaction with error=access_denied sent to the client's redirect_uri.
  if (ctx.method === 'POST' && /^\/interaction\/[^/]+$/.test(ctx.path)) {
    let raw = '';
    for await (const chunk of ctx.req) raw += chunk;
    const form = Object.fromEntries(new URLSearchParams(raw));
    if (form.prompt === 'login') {
      const ok = ACCOUNTS[form.login] && form.password === PASSWORD;
      const result = ok
        ? { login: { accountId: form.login } }
        : { error: 'access_denied', error_description: 'invalid username or password' };
      await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
      ctx.respond = false;
      return;
    }
    ctx.req.body = form; // body already read: oidc-provider falls back to req.body (warns once)
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token && idTokenMode !== 'normal') {
    if (idTokenMode === 'tampered') {               // payload edited, original signature kept
      const [h, p, sig] = ctx.body.id_token.split('.');
      const edited = { ...JSON.parse(Buffer.from(p, 'base64url')), email: 'mallory@example.test' };
      ctx.body = { ...ctx.body, id_token: [h, Buffer.from(JSON.stringify(edited)).toString('base64url'), sig].join('.') };
      return;
    }
    const claims = jose.decodeJwt(ctx.body.id_token);
    const now = Math.floor(Date.now() / 1000);
    let key = privateKey;
    switch (idTokenMode) {
      case 'expired': claims.iat = now - 7200; claims.exp = now - 3600; break;
      case 'wrong_aud': claims.aud = 'someone-else'; break;
      case 'wrong_iss': claims.iss = 'http://evil.invalid'; break;
      case 'wrong_nonce': claims.nonce = 'not-the-nonce'; break;
      case 'bad_signature': key = rogueKey; break;     // same kid, key not in JWKS
      default: throw new Error(`unknown OIDC_ID_TOKEN_MODE ${idTokenMode}`);
    }
    ctx.body = {
      ...ctx.body,
      id_token: await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid }).sign(key),
    };
  }
});

server.on('request', provider.callback());
process.on('SIGTERM', () => server.close(() => process.exit(0)));
if (fs.fstatSync(0).isFIFO()) {                   // stdin is a pipe: exit when the parent (test) goes away
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
console.log(`listening ${issuer}`);
