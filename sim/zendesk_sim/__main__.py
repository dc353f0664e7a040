"""Run the simulator: python3 -m zendesk_sim --help (from sim/).

Prints the listeners' URLs as JSON ({"http_url", "https_url"}) on stdout, and
writes them to --ready-file once listening.
"""

import argparse
import json
import os
import ssl
import sys
import threading

from .account import Account
from .auth import Authenticator
from .clock import Clock
from .server import Listener, Simulator, make_handler
from .switches import Switches


def load_times(path):
    """A JSON list of [id, timestamp, ...] tuples, or one tuple a line."""
    with open(path) as f:
        text = f.read().strip()
    try:
        data = json.loads(text)
        if isinstance(data, list) and all(isinstance(entry, list) for entry in data):
            return data
    except ValueError:
        pass
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def build_parser():
    p = argparse.ArgumentParser(prog="zendesk_sim", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tickets", type=int, default=100)
    p.add_argument("--organizations", type=int, default=None,
                   help="how many organizations (default: tickets / 50, at least 2)")
    p.add_argument("--tickets-from", metavar="FILE",
                   help="seed the tickets' ids and times: JSON [[id, generated_timestamp"
                        "[, updated_at[, status]]], ...] (or one tuple a line)")
    p.add_argument("--users-from", metavar="FILE",
                   help="seed the users' ids and times: [[id, updated_at[, created_at]], ...]")
    p.add_argument("--clock", type=float, default=None,
                   help="start the simulated clock at this epoch (default: now)")
    p.add_argument("--subdomain", default="example")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="HTTP port (0: any free one)")
    p.add_argument("--https-port", type=int, default=None,
                   help="also serve HTTPS on this port (0: any free one)")
    p.add_argument("--cert", help="PEM certificate for HTTPS")
    p.add_argument("--key", help="PEM private key for HTTPS")
    p.add_argument("--email", default="admin@example.com")
    p.add_argument("--api-token", default="sim-api-token")
    p.add_argument("--agent-email", default="agent@example.com",
                   help="a non-admin agent (403 on the incremental exports)")
    p.add_argument("--agent-api-token", default="sim-agent-token")
    p.add_argument("--oauth-client-id", default="zendesk_fdw_sim")
    p.add_argument("--oauth-client-secret", default="sim-client-secret")
    p.add_argument("--oauth-refresh-token", default="sim-refresh-token",
                   help="a refresh token valid at start (the refresh grant rotates it)")
    p.add_argument("--token-lifetime", type=int, default=1800,
                   help="seconds an OAuth access token lives")
    p.add_argument("--refresh-token-lifetime", type=int, default=30 * 86400,
                   help="seconds an OAuth refresh token lives")
    p.add_argument("--export-limit", type=int, default=10,
                   help="incremental export requests per window (Zendesk: 10/min, 30 with High Volume)")
    p.add_argument("--account-limit", type=int, default=700,
                   help="API requests per window for the account")
    p.add_argument("--users-cursor-limit", type=int, default=20,
                   help="users cursor export requests per window (Zendesk: 20/min, 60 HV)")
    p.add_argument("--sample-limit", type=int, default=10,
                   help="sample export requests per --sample-window (Zendesk: 10 per 20 min)")
    p.add_argument("--sample-window", type=float, default=1200.0)
    p.add_argument("--tickets-index-limit", type=int, default=100,
                   help="GET /tickets requests per window (Zendesk: 100/min)")
    p.add_argument("--search-export-limit", type=int, default=100)
    p.add_argument("--rate-window", type=float, default=60.0,
                   help="seconds of a rate-limit window (60 as Zendesk; smaller for fast pacing tests)")
    p.add_argument("--render-cache", type=int, default=0, metavar="N",
                   help="keep the JSON of up to N rendered export tickets (the fast path for "
                        "benchmarks that scan the same account again; 0: off)")
    p.add_argument("--gzip-level", type=int, default=1, choices=range(1, 10),
                   help="gzip compression level of responses (speed over size by default)")
    p.add_argument("--switch", action="append", default=[], metavar="NAME=VALUE",
                   help="set a switch (repeatable); names: %s" % ", ".join(Switches.names()))
    p.add_argument("--ready-file", help="write the listeners' URLs here (JSON) once listening")
    return p


def main(argv=None):
    p = build_parser()
    args = p.parse_args(argv)

    switches = Switches()
    for assignment in args.switch:
        try:
            switches.assign(assignment)
        except ValueError as e:
            p.error(str(e))
    ticket_times = load_times(args.tickets_from) if args.tickets_from else None
    user_times = load_times(args.users_from) if args.users_from else None
    account = Account(seed=args.seed, tickets=args.tickets, subdomain=args.subdomain,
                      admin_email=args.email, agent_email=args.agent_email,
                      clock=Clock(args.clock), ticket_times=ticket_times,
                      user_times=user_times, organizations=args.organizations)
    auth = Authenticator(args.email, args.api_token, args.oauth_client_id,
                         args.oauth_client_secret, args.token_lifetime,
                         agent_email=args.agent_email, agent_api_token=args.agent_api_token,
                         refresh_token=args.oauth_refresh_token,
                         refresh_lifetime=args.refresh_token_lifetime)
    sim = Simulator(account, auth, export_limit=args.export_limit,
                    account_limit=args.account_limit, switches=switches,
                    users_cursor_limit=args.users_cursor_limit, sample_limit=args.sample_limit,
                    tickets_index_limit=args.tickets_index_limit,
                    search_export_limit=args.search_export_limit, rate_window=args.rate_window,
                    sample_window=args.sample_window, render_cache=args.render_cache,
                    gzip_level=args.gzip_level)

    listeners = []
    http_server = Listener((args.host, args.port), make_handler(sim, "http"))
    listeners.append(http_server)
    urls = {"http_url": "http://%s:%d" % (args.host, http_server.server_address[1])}
    if args.https_port is not None:
        if not (args.cert and args.key):
            p.error("--https-port needs --cert and --key")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        https_server = Listener((args.host, args.https_port), make_handler(sim, "https"))
        https_server.socket = context.wrap_socket(https_server.socket, server_side=True)
        listeners.append(https_server)
        urls["https_url"] = "https://localhost:%d" % https_server.server_address[1]

    for listener in listeners[1:]:
        threading.Thread(target=listener.serve_forever, daemon=True).start()
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(urls, f)
        os.replace(tmp, args.ready_file)
    print(json.dumps(urls), flush=True)
    try:
        listeners[0].serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
