"""``python -m cexsign.local_exchange``: the local exchange standalone, for a bot in any language.

    python -m cexsign.local_exchange [--port N] [--credentials FILE|-] [--print-config]
                                     [--show-secrets] [--serve-seconds N]

It prints its configuration (base URL, accounts) as JSON on stdout, then serves until killed.
Without ``--credentials`` it registers the signing spec's worked-example keys (fakes) and prints
them; with it, the accounts of a JSON accounts document, secrets not printed unless
``--show-secrets``. In tests, use :class:`cexsign.LocalExchange` (or the ``cexsign_exchange``
pytest fixture) instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Optional, Sequence

from . import _native
from ._local_exchange import LocalExchange, worked_example_accounts

__all__ = ["LocalExchange", "worked_example_accounts", "main"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cexsign.local_exchange",
        description="Serve the local exchange on loopback: every scheme, one listener, each rejection "
        "with the exchange's error and the mistake named.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument(
        "--credentials",
        metavar="FILE",
        help="register the accounts of this JSON accounts document (- for stdin) instead of the worked-example fakes",
    )
    parser.add_argument("--print-config", action="store_true", help="print the configuration as one line of JSON")
    parser.add_argument("--show-secrets", action="store_true", help="also print the secrets given with --credentials")
    parser.add_argument("--serve-seconds", type=float, help="stop after this many seconds (default: until killed)")
    args = parser.parse_args(argv)

    if args.credentials is None:
        document = _native.worked_example_accounts()
        shown = json.loads(document)
    else:
        try:
            document = sys.stdin.read() if args.credentials == "-" else open(args.credentials, encoding="utf-8").read()
        except OSError as error:
            print(f"cannot read {args.credentials}: {error.strerror}", file=sys.stderr)
            return 2
        shown = None
    try:
        exchange = LocalExchange(document, host=args.host, port=args.port)
    except Exception as error:  # a CexsignError names the entry and the field, never a secret
        print(f"{args.credentials or 'built-in accounts'}: {error}", file=sys.stderr)
        return 2
    if shown is None:
        shown = json.loads(document) if args.show_secrets else exchange.accounts
    config = {
        "base_url": exchange.base_url,
        "host": args.host,
        "port": exchange.port,
        "credentials": "worked-example fakes" if args.credentials is None else f"file {args.credentials}",
        "note": "fake credentials for the local exchange only; every rejection carries cexsign_reason and "
        "cexsign_expected_prehash",
        "accounts": shown,
    }
    print(json.dumps(config) if args.print_config else json.dumps(config, indent=2), flush=True)
    try:
        if args.serve_seconds is not None:
            print(f"local exchange listening on {exchange.base_url} for {args.serve_seconds} s", file=sys.stderr)
            time.sleep(args.serve_seconds)
        else:
            print(f"local exchange listening on {exchange.base_url}; Ctrl-C to stop", file=sys.stderr)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        exchange.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
