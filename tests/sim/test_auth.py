"""OAuth beyond the first tests (sim/README.md §1.1): the refresh grant and
its rotation, scopes, expiry and revocation through the control API."""

import json
import time

from simcase import CLIENT_ID, CLIENT_SECRET, EXPORT, REFRESH_TOKEN, SimulatorCase


class TestOAuth(SimulatorCase):
    tickets = 20

    def token(self, **form):
        body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        body.update(form)
        resp, data = self.request("POST", "/oauth/tokens", {"Content-Type": "application/json"},
                                  body=json.dumps(body))
        return resp.status, json.loads(data)

    def works(self, access):
        return self.get_json(EXPORT + "?start_time=0", auth="Bearer " + access)[0].status == 200

    def test_refresh_rotates_the_pair(self):
        pair = self.control("POST", "/_sim/oauth/refresh_tokens", {"scope": "read"})
        self.assertTrue(self.works(pair["access_token"]))
        status, new = self.token(grant_type="refresh_token", refresh_token=pair["refresh_token"])
        self.assertEqual(status, 200)
        self.assertEqual(set(new), {"access_token", "token_type", "scope", "expires_in", "refresh_token",
                                    "refresh_token_expires_in"})
        self.assertNotEqual(new["refresh_token"], pair["refresh_token"])
        self.assertTrue(self.works(new["access_token"]))
        self.assertFalse(self.works(pair["access_token"]))       # the old pair died
        # the loser of a race holds a dead refresh token
        status, body = self.token(grant_type="refresh_token", refresh_token=pair["refresh_token"])
        self.assertEqual((status, body["error"]), (400, "invalid_grant"))

    def test_seeded_refresh_token_and_wrong_client(self):
        status, _ = self.token(grant_type="refresh_token", refresh_token=REFRESH_TOKEN, client_secret="x")
        self.assertEqual(status, 401)
        status, body = self.token(grant_type="refresh_token", refresh_token=REFRESH_TOKEN)
        self.assertEqual(status, 200)
        self.assertTrue(self.works(body["access_token"]))

    def test_scopes(self):
        status, body = self.token(grant_type="client_credentials", scope="write")
        self.assertEqual(status, 200)
        resp, err = self.get_json(EXPORT + "?start_time=0", auth="Bearer " + body["access_token"])
        self.assertEqual((resp.status, err["error"]), (403, "Forbidden"))
        self.assertIn("read", err["description"])
        status, body = self.token(grant_type="client_credentials", scope="tickets:read")
        self.assertTrue(self.works(body["access_token"]))
        resp, _ = self.get_json("/api/v2/users/count.json", auth="Bearer " + body["access_token"])
        self.assertEqual(resp.status, 403)

    def test_expire(self):
        _, body = self.token(grant_type="client_credentials")
        self.control("POST", "/_sim/oauth/expire", {"token": body["access_token"]})
        resp, err = self.get_json(EXPORT + "?start_time=0", auth="Bearer " + body["access_token"])
        self.assertEqual((resp.status, err["error"]), (401, "invalid_token"))


class TestLiveRefreshTokens(SimulatorCase):
    tickets = 5

    def token(self, **form):
        body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        body.update(form)
        resp, data = self.request("POST", "/oauth/tokens", {"Content-Type": "application/json"},
                                  body=json.dumps(body))
        return resp.status, json.loads(data)

    def test_live_refresh_tokens_ground_truth(self):
        self.control("POST", "/_sim/revoke_tokens", {"refresh_tokens": True})
        pair = self.control("POST", "/_sim/oauth/refresh_tokens", {})
        live = lambda: self.control("GET", "/_sim/oauth/refresh_tokens")["refresh_tokens"]  # noqa: E731
        self.assertEqual(live(), [pair["refresh_token"]])
        status, new = self.token(grant_type="refresh_token", refresh_token=pair["refresh_token"])
        self.assertEqual(status, 200)
        self.assertEqual(live(), [new["refresh_token"]])
        # a pair rotated while its answer drips out is rotated before the
        # client has it: a client giving up halfway holds a dead token
        self.control("POST", "/_sim/faults", {"endpoint": "oauth", "kind": "drip",
                                              "drip_bytes": 64, "drip_interval": 0.05})
        status, newer = self.token(grant_type="refresh_token", refresh_token=new["refresh_token"])
        self.control("DELETE", "/_sim/faults")
        self.assertEqual(status, 200)
        self.assertEqual(live(), [newer["refresh_token"]])


class TestRevokeEverything(SimulatorCase):
    tickets = 5

    def test_revoke_refresh_tokens_too(self):
        pair = self.control("POST", "/_sim/oauth/refresh_tokens", {})
        self.control("POST", "/_sim/revoke_tokens", {"refresh_tokens": True})
        form = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
                "refresh_token": pair["refresh_token"]}
        resp, _ = self.request("POST", "/oauth/tokens", {"Content-Type": "application/json"}, body=json.dumps(form))
        self.assertEqual(resp.status, 400)


class TestSettings(SimulatorCase):
    tickets = 5

    def token(self, secret=CLIENT_SECRET):
        form = {"client_id": CLIENT_ID, "client_secret": secret, "grant_type": "client_credentials"}
        resp, data = self.request("POST", "/oauth/tokens", {"Content-Type": "application/json"},
                                  body=json.dumps(form))
        return resp.status, json.loads(data)

    def tearDown(self):
        self.control("POST", "/_sim/oauth/settings",
                     {"token_lifetime": 1800, "early_expiry": 0, "client_secret": CLIENT_SECRET})

    def test_short_lived_tokens_expire_on_time(self):
        got = self.control("POST", "/_sim/oauth/settings", {"token_lifetime": 1})
        self.assertEqual(got["token_lifetime"], 1)
        status, body = self.token()
        self.assertEqual((status, body["expires_in"]), (200, 1))
        auth = "Bearer " + body["access_token"]
        self.assertEqual(self.get_json(EXPORT + "?start_time=0", auth=auth)[0].status, 200)
        time.sleep(1.1)
        resp, err = self.get_json(EXPORT + "?start_time=0", auth=auth)
        self.assertEqual((resp.status, err["error"]), (401, "invalid_token"))

    def test_regenerated_secret(self):
        self.control("POST", "/_sim/oauth/settings", {"client_secret": "regenerated"})
        status, body = self.token()
        self.assertEqual((status, body["error"]), (401, "invalid_client"))
        self.assertEqual(self.token("regenerated")[0], 200)

    def test_early_expiry(self):
        self.control("POST", "/_sim/oauth/settings", {"token_lifetime": 2, "early_expiry": 1.5})
        status, body = self.token()
        self.assertEqual((status, body["expires_in"]), (200, 2))
        auth = "Bearer " + body["access_token"]
        self.assertEqual(self.get_json(EXPORT + "?start_time=0", auth=auth)[0].status, 200)
        time.sleep(0.6)      # well before the advertised 2 s
        resp, err = self.get_json(EXPORT + "?start_time=0", auth=auth)
        self.assertEqual((resp.status, err["error"]), (401, "invalid_token"))
