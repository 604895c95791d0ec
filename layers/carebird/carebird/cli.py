"""The `carebird` command."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="carebird", description="Serverless customer care for a brand's X account.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the product locally on embedded AWS with sample X traffic")
    demo.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from carebird.demo import run_demo

        return run_demo(sys.stdout, as_json=args.json)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
