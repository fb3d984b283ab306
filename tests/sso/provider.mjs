// A real OpenID Connect provider for the tests (panva's oidc-provider, an npm devDependency),
// on a loopback port the system chooses. tests/sso/conftest.py starts it and stops it.
//
// It reads its configuration as JSON from the OIDC_TEST_CONFIG environment variable:
//   clients:  the clients registered (client_id, client_secret, redirect_uris)
//   accounts: { login: { email, email_verified or xms_edov } }, the people who can sign in; the development
//             login page (oidc-provider's devInteractions) takes a login and any password
//   fault:    "foreign-jwks" to publish keys that did not sign its tokens (a signature that
//             cannot be checked), "issuer" to announce an issuer other than its address (its
//             discovery document then names another issuer than the one configured)
// and prints one line of JSON, {"issuer": ...}, once it is listening.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{}');

function signingKey(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

function publicPart({ kty, n, e, kid, alg, use }) {
  return { kty, n, e, kid, alg, use };
}

const key = signingKey('test-key');
const foreignKey = signingKey('test-key');
const accounts = config.accounts || {};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const address = `http://127.0.0.1:${port}`;
  const issuer = config.fault === 'issuer' ? `http://127.0.0.1:${port}/elsewhere` : address;
  const provider = new Provider(issuer, {
    clients: config.clients || [],
    jwks: { keys: [key] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // xms_edov: Entra ID's "email domain owner verified", which it sends instead of
    // email_verified (never sent for organisational accounts) when asked for it.
    claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(ctx, sub) {
      const account = accounts[sub];
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account }) };
    },
  });
  provider.proxy = false;
  const handle = provider.callback();
  server.on('request', (request, response) => {
    if (config.fault === 'foreign-jwks' && request.url.split('?')[0].endsWith('/jwks')) {
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify({ keys: [publicPart(foreignKey)] }));
      return;
    }
    handle(request, response);
  });
  process.stdout.write(`${JSON.stringify({ issuer: address })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
