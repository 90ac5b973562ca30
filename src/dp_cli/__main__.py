"""``python -m dp_cli`` = ``dp``."""

from __future__ import annotations

from dp_cli.main import main

raise SystemExit(main())
