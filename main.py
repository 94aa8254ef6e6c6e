"""Start gasdesk from a checkout: `python main.py` (same as the `gasdesk` command)."""

from gasdesk.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
