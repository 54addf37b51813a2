"""The running frame of the administrative commands (``grants``, ``subjects``): open the gateway store (and the
audit trail for a change), run one command, print its JSON, close, and map the known failures to exit codes.

Exit 0 with the result on stdout; 1 for bad input the command names (``field: problem``); 2 when a store, the
audit trail or a subgraph could not record it (nothing changed). Every message goes to stderr, prefixed with the
command's name.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

#: (exception type, exit code, message) for the failures a command knows; the message reads the exception.
Failure = tuple[type[BaseException], int, Callable[[Any], str]]


def run_command(name: str, open_resources: Callable[[], Awaitable[tuple[Any, ...]]],
                body: Callable[..., Awaitable[Any]], failures: Sequence[Failure]) -> int:
    """Run ``body(*resources[2:])`` where ``open_resources()`` gives ``(store, audit or None, *resources)``."""

    async def main() -> int:
        from .audit import AuditUnavailable
        from .store import StoreUnavailable

        try:
            store, audit, *resources = await open_resources()
        except (StoreUnavailable, AuditUnavailable) as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return 2
        try:
            result = await body(*resources)
        except AuditUnavailable as exc:
            print(f"{name}: not changed, the audit trail is unavailable: {exc}", file=sys.stderr)
            return 2
        except BaseException as exc:
            for kind, code, message in failures:
                if isinstance(exc, kind):
                    print(f"{name}: {message(exc)}", file=sys.stderr)
                    return code
            raise
        finally:
            if audit is not None:
                await audit.close()
            await store.close()
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0

    return asyncio.run(main())
