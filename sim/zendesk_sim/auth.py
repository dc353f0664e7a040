"""Authentication as Zendesk does it: API tokens and OAuth.

API tokens authenticate as Basic base64("email/token:TOKEN"); OAuth access
tokens as Bearer.  The token endpoint implements the client-credentials
grant with expiring access tokens (shared/zendesk-api.md §1, §1.1).
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
UNSUPPORTED_GRANT = {
    "error": "unsupported_grant_type",
    "error_description": "The authorization grant type is not supported by the "
                         "authorization server.",
}


class AuthError(Exception):
    def __init__(self, status, body):
        super().__init__(body)
        self.status = status
        self.body = body


class Authenticator:
    def __init__(self, email, api_token, client_id, client_secret,
                 token_lifetime=1800):
        self.email = email
        self.api_token = api_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self._tokens = {}   # access token -> (expiry in real time, scope)
        self._lock = threading.Lock()

    def issue_token(self, form):
        """The token endpoint: form is the decoded request body (a dict)."""
        grant = form.get("grant_type")
        if grant != "client_credentials":
            raise AuthError(400, UNSUPPORTED_GRANT)
        if (form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret):
            raise AuthError(401, INVALID_CLIENT)
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
        token = secrets.token_hex(32)
        scope = form.get("scope") or "read"
        with self._lock:
            self._tokens[token] = (time.time() + lifetime, scope)
        return {"access_token": token, "token_type": "bearer", "scope": scope,
                "expires_in": lifetime}

    def revoke_all(self):
        with self._lock:
            self._tokens.clear()

    def check(self, header):
        """Who the Authorization header is, or raise AuthError (401)."""
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
                return "api_token"
            raise AuthError(401, BAD_CREDENTIALS)
        if kind.lower() == "bearer":
            with self._lock:
                entry = self._tokens.get(value)
            if entry is None or entry[0] <= time.time():
                raise AuthError(401, INVALID_TOKEN)
            return "oauth"
        raise AuthError(401, BAD_CREDENTIALS)
