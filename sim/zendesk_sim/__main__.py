"""Run the simulator: python3 -m zendesk_sim --help (from sim/)."""

import argparse
import json
import os
import ssl
import sys
import threading

from .account import Account
from .auth import Authenticator
from .server import Listener, Simulator, make_handler


def main(argv=None):
    p = argparse.ArgumentParser(prog="zendesk_sim", description=__doc__)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tickets", type=int, default=100)
    p.add_argument("--subdomain", default="example")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="HTTP port (0: any free one)")
    p.add_argument("--https-port", type=int, default=None,
                   help="also serve HTTPS on this port (0: any free one)")
    p.add_argument("--cert", help="PEM certificate for HTTPS")
    p.add_argument("--key", help="PEM private key for HTTPS")
    p.add_argument("--email", default="admin@example.com")
    p.add_argument("--api-token", default="sim-api-token")
    p.add_argument("--oauth-client-id", default="zendesk_fdw_sim")
    p.add_argument("--oauth-client-secret", default="sim-client-secret")
    p.add_argument("--token-lifetime", type=int, default=1800,
                   help="seconds an OAuth access token lives")
    p.add_argument("--export-limit", type=int, default=10,
                   help="incremental export requests per minute (Zendesk: 10, 30 with High Volume)")
    p.add_argument("--account-limit", type=int, default=700,
                   help="API requests per minute for the account")
    p.add_argument("--ready-file", help="write the listeners' URLs here (JSON) once listening")
    args = p.parse_args(argv)

    account = Account(seed=args.seed, tickets=args.tickets, subdomain=args.subdomain)
    auth = Authenticator(args.email, args.api_token, args.oauth_client_id,
                         args.oauth_client_secret, args.token_lifetime)
    sim = Simulator(account, auth, export_limit=args.export_limit,
                    account_limit=args.account_limit)

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
