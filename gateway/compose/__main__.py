"""``python -m gateway.compose compose ...``: the compose command without the rest of the gateway CLI."""

import sys

from .cli import main

sys.exit(main())
