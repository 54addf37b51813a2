"""The one check of free text in the subgraphs' mutation inputs (names, places, authorities, notes...).

A text input is stripped of surrounding white space, normalised to Unicode NFC (Vietnamese letters typed as a
base letter and combining marks, ``e`` + U+0302 + U+0301, become the precomposed ``ế`` that the seeds, searches
and other databases hold: one spelling per name), and then refused when it

- is empty and required (an empty optional text is absent: ``None``);
- is longer than its limit, counted in characters of the normalised text;
- holds a control character: C0 (U+0000-U+001F, tabs and line breaks included), DEL (U+007F) or C1
  (U+0080-U+009F); they forge log and audit lines, break CSV extracts and hide text on screens;
- holds a bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069): they display a text other
  than the one stored (a name or a decision number that reads differently from what is searched);
- holds a lone surrogate (not text).

Usage (the collectors of the mutations raise one ``BAD_USER_INPUT`` naming each wrong field)::

    value, problem = clean_text(raw, limit=100, required=True)
    if problem:
        problems.add("fullName", problem)
"""

from __future__ import annotations

import unicodedata

_BIDI = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))


def _forbidden(ch: str) -> str | None:
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return "control characters"
    if code in _BIDI:
        return "bidirectional formatting characters"
    if 0xD800 <= code <= 0xDFFF:
        return "unpaired surrogates"
    return None


def text_problem(value: str, limit: int) -> str | None:
    """Why the normalised, stripped ``value`` is refused (``None``: accepted)."""
    if len(value) > limit:
        return f"at most {limit} characters"
    for position, ch in enumerate(value):
        what = _forbidden(ch)
        if what is not None:
            return f"must not contain {what} (U+{ord(ch):04X} at character {position + 1})"
    return None


def normalise(value: str) -> str:
    """``value`` stripped and in NFC."""
    return unicodedata.normalize("NFC", value.strip())


def clean_text(value: str | None, *, limit: int, required: bool = False) -> tuple[str | None, str | None]:
    """``(text, problem)``: the stripped NFC text (``None`` when empty) and why it is refused (``None``: it is
    not). A refused text is still returned, so that the other fields' checks can go on."""
    if value is None:
        return None, ("must not be empty" if required else None)
    cleaned = normalise(value)
    if not cleaned:
        return None, ("must not be empty" if required else None)
    return cleaned, text_problem(cleaned, limit)
