"""Raw HTTP header access that keeps repeated headers visible."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

HeaderPairs = Iterable[tuple[str | bytes, str | bytes]] | Mapping[str, str]


def _text(value: str | bytes, *, utf8: bool) -> str:
    if isinstance(value, str):
        return value
    # HTTP field values are bytes; UTF-8 is what clients send for Vietnamese text, Latin-1 never fails.
    return value.decode("utf-8" if utf8 else "latin-1")


def header_values(headers: HeaderPairs, name: str, *, utf8: bool = False) -> list[str]:
    """Every value of header ``name`` (case-insensitive), in order, each stripped of surrounding whitespace.

    ``headers`` is a list of raw ``(name, value)`` pairs (e.g. Starlette's ``request.headers.raw``) so that a
    repeated header is seen as two values; Starlette ``Headers`` is read through ``.raw``; a plain dict is accepted
    too (it cannot show repeats).
    Raises ``UnicodeDecodeError`` when ``utf8`` and a value is not UTF-8.
    """
    wanted = name.lower()
    wanted_bytes = wanted.encode("latin-1")
    raw = getattr(headers, "raw", None)  # Starlette Headers: the undecoded pairs, repeats included
    pairs = raw if isinstance(raw, list) else headers.items() if isinstance(headers, Mapping) else headers
    out: list[str] = []
    for key, value in pairs:
        # names are compared undecoded (a request has ~10 headers and this runs for four of them)
        if (key.lower() == wanted_bytes) if type(key) is bytes else (_text(key, utf8=False).lower() == wanted):
            out.append(_text(value, utf8=utf8).strip(" \t"))
    return out
