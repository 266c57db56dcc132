-- Server-side sessions (issue 10), usable on any store (DuckDB file or PostgreSQL): a signed-in browser holds
-- only a random opaque token in an HttpOnly cookie; the database keeps its SHA-256, never the token itself.
CREATE TABLE sessions (
    session_id     VARCHAR PRIMARY KEY,          -- random, not secret: names the session in the audit log and URLs
    token_hash     VARCHAR NOT NULL UNIQUE,      -- sha256 of the cookie's token (rotated when the cookie is set)
    handoff_hash   VARCHAR,                      -- sha256 of a one-time code the app's HTTP route exchanges for the cookie
    handoff_until  TIMESTAMP,                    -- the code is valid until then (2 minutes), once
    email          VARCHAR NOT NULL,
    method         VARCHAR NOT NULL,             -- 'password' | 'oidc'
    provider       VARCHAR,
    signed_in_at   TIMESTAMP NOT NULL,
    last_seen      TIMESTAMP NOT NULL,
    ended_at       TIMESTAMP,                    -- set by sign-out (everywhere), expiry, or an account change
    ended_reason   VARCHAR,                      -- French, shown on the sign-in page of every tab of that session
    client         VARCHAR                       -- the client address it was opened from (information only)
);
CREATE INDEX sessions_by_email ON sessions (email);

-- Failed sign-ins per client (IP address), throttled apart from the per-account lock.
CREATE TABLE sign_in_throttle (
    client       VARCHAR PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start TIMESTAMP NOT NULL
);

-- An account signing in through OpenID Connect is bound to the provider's issuer and subject on first sign-in.
ALTER TABLE users ADD COLUMN oidc_issuer VARCHAR;
ALTER TABLE users ADD COLUMN oidc_subject VARCHAR;

-- Who ran a command-line write, beside the account named with --user.
ALTER TABLE audit_log ADD COLUMN os_user VARCHAR;
