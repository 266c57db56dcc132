// A real OpenID Connect provider (panva's certified `oidc-provider`) for the browser tests of the sign-in.
// Test-only: its built-in development sign-in form accepts any login (used as the e-mail) and password;
// it issues real signed ID tokens through the authorization-code flow (with PKCE) like ProConnect does.
//
//   OIDC_PORT=9000 OIDC_REDIRECT_URI=http://127.0.0.1:8501/oauth2callback \
//   OIDC_CLIENT_ID=lit OIDC_CLIENT_SECRET=... node tests/oidc/provider.mjs
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirectUri = process.env.OIDC_REDIRECT_URI;

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  // ProConnect's claims: e-mail, given name and usual name.
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'usual_name'],
  },
  // Put the scope's claims in the ID token (Streamlit reads the identity from the ID token).
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    const email = String(id).trim();   // as typed: the app matches e-mails whatever their case
    const local = email.split('@')[0];
    return {
      accountId: id,
      async claims() {
        return { sub: email, email, email_verified: true, given_name: local, usual_name: 'Test', name: `${local} Test` };
      },
    };
  },
  // First-party client: no consent screen (as with ProConnect).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  cookies: { keys: ['test-only-cookie-key-not-a-secret'] },
  features: { devInteractions: { enabled: true } },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
