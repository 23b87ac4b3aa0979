// A real OpenID Connect provider (panva/oidc-provider, a certified implementation) on a free loopback port, for
// ImageHub's sign-in tests. Usage: node provider.mjs <config.json>
//
// config.json: { "adminToken": "…", "clients": [ { client_id, client_secret, redirect_uris, post_logout_redirect_uris, … } ],
//                "users": { "<sub>": { "password": "…", "email": "…", "email_verified": true, "name": "…", "groups": ["…"] } },
//                "endSession": true }
// endSession: false leaves out RP-initiated logout (no end_session_endpoint in the discovery document), as some providers do.
// Once listening it prints one line of JSON to stdout: {"issuer":"http://127.0.0.1:<port>"}.
// Test-only endpoint (header x-test-token: <adminToken>): PUT /__test/users/<sub> with the user's JSON replaces that
// user (their groups change, say), so the next sign-in carries the new claims.
// The login page is a plain form (username, password; "Sign in" or "Cancel", which answers access_denied); consent is
// given at once (the client is first-party). Signing out (the end-session endpoint) asks "Sign out of the test provider?"
// with the buttons "Yes, sign me out" and "No, stay signed in".
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const users = new Map(Object.entries(config.users ?? {}));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };

const escape = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, status, title, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
    `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true }, // every authorization request must carry a PKCE challenge
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: config.endSession !== false,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign out of the test provider</title></head>' +
            `<body><main><h1>Sign out of the test provider?</h1>${form}` +
            '<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button> ' +
            '<button type="submit" form="op.logoutForm">No, stay signed in</button></main></body></html>';
        },
      },
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          const current = users.get(sub) ?? user;
          return { sub, email: current.email, email_verified: current.email_verified, name: current.name, groups: current.groups ?? [] };
        },
      };
    },
  });

  const oidc = provider.callback();

  async function interaction(req, res, url) {
    const parts = url.pathname.split('/').filter(Boolean); // interaction, uid, [login|abort]
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET' && details.prompt.name === 'consent') {
      // First-party client: grant what it asked for, without a screen.
      const grant = details.grantId ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    if (req.method === 'GET') {
      page(res, 200, 'Sign in to the test provider', loginForm(details.uid));
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    if (parts[2] === 'abort') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user cancelled the sign-in.' }, { mergeWithLastSubmission: false });
      return;
    }
    const sub = form.get('username') ?? '';
    const user = users.get(sub);
    if (!user || user.password !== form.get('password')) {
      page(res, 200, 'Sign in to the test provider', `<p role="alert">Wrong username or password.</p>${loginForm(details.uid)}`);
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
  }

  function loginForm(uid) {
    return `<form method="post" action="/interaction/${escape(uid)}/login">` +
      '<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>' +
      '<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>' +
      '<p><button type="submit">Sign in</button></p></form>' +
      `<form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit">Cancel</button></form>`;
  }

  async function admin(req, res, url) {
    if (req.headers['x-test-token'] !== config.adminToken) {
      res.writeHead(403).end();
      return;
    }
    const match = /^\/__test\/users\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'PUT' && match) {
      users.set(decodeURIComponent(match[1]), JSON.parse(await readBody(req)));
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404).end();
  }

  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    try {
      if (url.pathname.startsWith('/__test/')) return await admin(req, res, url);
      if (url.pathname.startsWith('/interaction/')) return await interaction(req, res, url);
      return oidc(req, res);
    } catch (err) {
      if (!res.headersSent) page(res, 500, 'Test provider error', `<pre>${escape(err?.message ?? err)}</pre>`);
      else res.end();
    }
  });

  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
