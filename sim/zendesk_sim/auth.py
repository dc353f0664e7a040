"""Authentication as Zendesk does it: API tokens and OAuth (sim/README.md §1, §1.1).

API tokens authenticate as Basic base64("email/token:TOKEN"); OAuth access
tokens as Bearer.  The token endpoint implements the client-credentials grant
(no refresh token) and the refresh-token grant, which rotates: a refresh
returns a new access token and a new refresh token and invalidates the old
pair, so the loser of two racing refreshes holds a dead refresh token.
Refresh tokens are minted as an authorization-code grant would (the seeded
--oauth-refresh-token, or POST /_sim/oauth/refresh_tokens).  Tokens expire on
real time (like rate limits, not the simulated clock) and can be revoked.

Two identities exist: the account's admin (the default credentials) and an
agent, who gets 403 on the incremental exports (admin only, §1).
"""

import base64
import binascii
import secrets
import threading
import time

# Bodies Zendesk sends (§1)
BAD_CREDENTIALS = {"error": "Couldn't authenticate you"}
INVALID_TOKEN = {
    "error": "invalid_token",
    "error_description": "The access token provided is expired, revoked, malformed "
                         "or invalid for other reasons.",
}
INVALID_CLIENT = {
    "error": "invalid_client",
    "error_description": "Client authentication failed due to unknown client, no client "
                         "authentication included, or unsupported authentication method.",
}
INVALID_GRANT = {
    "error": "invalid_grant",
    "error_description": "The provided authorization grant is invalid, expired, revoked, does "
                         "not match the redirection URI used in the authorization request, or "
                         "was issued to another client.",
}
UNSUPPORTED_GRANT = {
    "error": "unsupported_grant_type",
    "error_description": "The authorization grant type is not supported by the "
                         "authorization server.",
}
FORBIDDEN_PAGE = {"error": {"title": "Forbidden",
                            "message": "You do not have access to this page. Please contact the "
                                       "account owner of this help desk for further help."}}


def missing_scope(scope):
    return {"error": "Forbidden",
            "description": "You are missing the following required scopes: %s" % scope}


class AuthError(Exception):
    def __init__(self, status, body):
        super().__init__(body)
        self.status = status
        self.body = body


class Principal:
    """Who a request is: kind (api_token or oauth, for the request log), role
    (admin or agent) and, for OAuth, the token's scopes."""

    def __init__(self, kind, role, scopes=None):
        self.kind = kind
        self.role = role
        self.scopes = scopes

    def may_read(self, resource):
        if self.scopes is None:
            return True
        return bool({"read", "%s:read" % resource} & self.scopes)


class Authenticator:
    def __init__(self, email, api_token, client_id, client_secret, token_lifetime=1800,
                 agent_email="agent@example.com", agent_api_token="sim-agent-token",
                 refresh_token=None, refresh_lifetime=30 * 86400):
        self.email = email
        self.api_token = api_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.agent_email = agent_email
        self.agent_api_token = agent_api_token
        self.refresh_lifetime = refresh_lifetime
        self._tokens = {}     # access token -> (expiry, scope, refresh token or None)
        self._refresh = {}    # refresh token -> (expiry, scope, access token or None)
        self._lock = threading.Lock()
        self.issued = {"client_credentials": 0, "refresh_token": 0}
        # seconds a token dies before the expires_in it was sent with: the
        # skew between the issuer's clock and the client's, and time in flight
        self.early_expiry = 0.0
        if refresh_token:
            self._refresh[refresh_token] = (time.time() + refresh_lifetime, "read", None)

    # -- the token endpoint -------------------------------------------------------

    def _lifetime(self, form):
        lifetime = self.token_lifetime
        if "expires_in" in form:
            try:
                asked = int(form["expires_in"])
            except (TypeError, ValueError):
                asked = 0
            if not 300 < asked < 172800:
                raise AuthError(400, {"error": "invalid_request",
                                      "error_description": "expires_in must be more than 300 and less than 172800"})
            lifetime = asked
        return lifetime

    def issue_token(self, form):
        """The token endpoint: form is the decoded request body (a dict)."""
        grant = form.get("grant_type")
        if grant not in ("client_credentials", "refresh_token"):
            raise AuthError(400, UNSUPPORTED_GRANT)
        if (form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret):
            raise AuthError(401, INVALID_CLIENT)
        lifetime = self._lifetime(form)
        now = time.time() - self.early_expiry
        if grant == "client_credentials":
            token = secrets.token_hex(32)
            scope = form.get("scope") or "read"
            with self._lock:
                self._tokens[token] = (now + lifetime, scope, None)
                self.issued["client_credentials"] += 1
            return {"access_token": token, "token_type": "bearer", "scope": scope,
                    "expires_in": lifetime}
        old = form.get("refresh_token")
        with self._lock:
            entry = self._refresh.get(old)
            if entry is None or entry[0] <= now:
                raise AuthError(400, INVALID_GRANT)
            # rotation: the old pair dies (§1.1)
            del self._refresh[old]
            if entry[2] is not None:
                self._tokens.pop(entry[2], None)
            scope = form.get("scope") or entry[1]
            access = secrets.token_hex(32)
            refresh = secrets.token_hex(32)
            self._tokens[access] = (now + lifetime, scope, refresh)
            self._refresh[refresh] = (now + self.refresh_lifetime, scope, access)
            self.issued["refresh_token"] += 1
        return {"access_token": access, "token_type": "bearer", "scope": scope,
                "expires_in": lifetime, "refresh_token": refresh,
                "refresh_token_expires_in": self.refresh_lifetime}

    def mint_refresh_token(self, scope="read", lifetime=None):
        """What an authorization-code grant would leave the client with."""
        now = time.time()
        access = secrets.token_hex(32)
        refresh = secrets.token_hex(32)
        with self._lock:
            self._tokens[access] = (now + self.token_lifetime, scope, refresh)
            self._refresh[refresh] = (now + (lifetime or self.refresh_lifetime), scope, access)
        return {"access_token": access, "refresh_token": refresh, "scope": scope,
                "expires_in": self.token_lifetime,
                "refresh_token_expires_in": lifetime or self.refresh_lifetime}

    def live_refresh_tokens(self):
        """Ground truth: the refresh tokens Zendesk would accept now."""
        now = time.time() - self.early_expiry
        with self._lock:
            return sorted(t for t, (expiry, _, _) in self._refresh.items() if expiry > now)

    def revoke_all(self, refresh_tokens=False):
        with self._lock:
            self._tokens.clear()
            if refresh_tokens:
                self._refresh.clear()

    def configure(self, spec):
        """Lifetimes of the tokens issued from now on, and a regenerated client
        secret (the old one stops working, as in Admin Center)."""
        with self._lock:
            if "token_lifetime" in spec:
                self.token_lifetime = int(spec["token_lifetime"])
            if "refresh_token_lifetime" in spec:
                self.refresh_lifetime = int(spec["refresh_token_lifetime"])
            if "early_expiry" in spec:
                self.early_expiry = float(spec["early_expiry"])
            if "client_secret" in spec:
                self.client_secret = spec["client_secret"]
            return {"token_lifetime": self.token_lifetime,
                    "refresh_token_lifetime": self.refresh_lifetime,
                    "early_expiry": self.early_expiry}

    def expire(self, token):
        """Make one access token (or every one, token None) expire now."""
        with self._lock:
            for key in ([token] if token else list(self._tokens)):
                if key in self._tokens:
                    expiry, scope, refresh = self._tokens[key]
                    self._tokens[key] = (0, scope, refresh)

    # -- checking requests ----------------------------------------------------------

    def authenticate(self, header):
        """The Principal of an Authorization header, or raise AuthError (401)."""
        if not header:
            raise AuthError(401, BAD_CREDENTIALS)
        kind, _, value = header.partition(" ")
        if kind.lower() == "basic":
            try:
                plain = base64.b64decode(value, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise AuthError(401, BAD_CREDENTIALS)
            user, _, secret = plain.partition(":")
            if (self.api_token is not None
                    and user == "%s/token" % self.email and secret == self.api_token):
                return Principal("api_token", "admin")
            if (self.agent_api_token is not None
                    and user == "%s/token" % self.agent_email and secret == self.agent_api_token):
                return Principal("api_token", "agent")
            raise AuthError(401, BAD_CREDENTIALS)
        if kind.lower() == "bearer":
            with self._lock:
                entry = self._tokens.get(value)
            if entry is None or entry[0] <= time.time():
                raise AuthError(401, INVALID_TOKEN)
            return Principal("oauth", "admin", set(entry[1].split()))
        raise AuthError(401, BAD_CREDENTIALS)

    def check(self, header):
        """The kind of credentials (api_token or oauth), or raise AuthError."""
        return self.authenticate(header).kind
