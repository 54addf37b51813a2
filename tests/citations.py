"""Citations of the three decrees (``000 Art. 13.6.a``, ``003 Art. 8.1-8.4``, ``004 Art. 2.3.h–i``) and the
structure they must exist in: articles, their numbered clauses and lettered points, read from the seeds' text
(/work/shared/seeds) and kept in tests/data/decrees.json so that the check runs where the seeds are not."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INDEX = ROOT / "tests" / "data" / "decrees.json"
SEEDS = Path("/work/shared/seeds")
DECREES = ("000", "003", "004")

Structure = dict[str, dict[str, list[str]]]  # article -> clause -> points

_ARTICLE = re.compile(r"Điều (\d+)\.")
_CLAUSE = re.compile(r"^[\s\-#*]*(\d+)\.\s")
_POINT = re.compile(r"^[\s\-#*]*([a-zđ])\)\s")
_REF = r"\d+(?:\.\d+)?(?:\.[a-zđ])?(?:[-–](?:\d+(?:\.\d+)?)?(?:\.?[a-zđ])?)?"
CITATION = re.compile(rf"\b({'|'.join(DECREES)}) Art\. ((?:{_REF})(?:, (?!\d{{3}} Art\.)(?:{_REF}))*)")
_ONE = re.compile(r"(\d+)(?:\.(\d+))?(?:\.([a-zđ]))?(?:[-–](\d+)?(?:\.(\d+))?(?:\.?([a-zđ]))?)?")


def structure(text: str) -> Structure:
    """Articles, clauses and points of a decree's text: ``Điều N.`` at the start of a line (after markup),
    clauses ``N.`` and points ``a)`` at the start of their lines, in the article they follow."""
    out: Structure = {}
    article: str | None = None
    clause: str | None = None
    for raw in text.splitlines():
        line = raw.replace("**", "")
        heading = next((m for m in _ARTICLE.finditer(line)
                        if re.fullmatch(r"[\s\-#*]*(\[bookmark: \w+\])?", line[:m.start()])
                        or "Mục" in line[:m.start()] or "Chương" in line[:m.start()]), None)
        if heading is not None:
            article, clause = heading.group(1), None
            out.setdefault(article, {})
            first = re.search(r"(\d+)\.\s", line[heading.end():])
            if first:  # a clause on the heading's own line (004 Art. 9)
                clause = first.group(1)
                out[article].setdefault(clause, [])
            continue
        if article is None:
            continue
        m = _CLAUSE.match(line)
        if m:
            clause = m.group(1)
            out[article].setdefault(clause, [])
            continue
        m = _POINT.match(line)
        if m and clause is not None and m.group(1) not in out[article][clause]:
            out[article][clause].append(m.group(1))
    return out


def seed_index() -> dict[str, Structure] | None:
    """The structure of each decree from the seeds, or None when the seeds are not on this machine."""
    files = {d: next(iter(sorted(SEEDS.glob(f"{d}_*.txt"))), None) for d in DECREES} if SEEDS.is_dir() else {}
    if not files or None in files.values():
        return None
    return {d: structure(p.read_text(encoding="utf-8")) for d, p in files.items() if p is not None}


def load_index() -> dict[str, Structure]:
    return json.loads(INDEX.read_text(encoding="utf-8"))


def citations(text: str) -> Iterator[tuple[int, str, str, str | None, str | None]]:
    """(line, decree, article, clause, point) of every reference in ``text``; a range (``8.1-8.4``,
    ``2.3.h–i``) yields both ends. A citation may run over a line break."""
    flat = text.replace("\n", " ")
    for m in CITATION.finditer(flat):
        line = text.count("\n", 0, m.start()) + 1
        decree = m.group(1)
        for ref in _ONE.finditer(m.group(2)):
            article, clause, point, article2, clause2, point2 = ref.groups()
            yield line, decree, article, clause, point
            if point2 and not article2 and not clause2:  # 2.3.h–i
                yield line, decree, article, clause, point2
            elif article2 and clause2:  # 8.1-8.4, 11.1–11.2
                yield line, decree, article2, clause2, point2
            elif article2 and clause:  # 8.1-4: clauses 1 to 4 of article 8
                yield line, decree, article, article2, point2
            elif article2:  # 12–14: articles 12 to 14
                yield line, decree, article2, None, None


def problem(index: dict[str, Structure], decree: str, article: str, clause: str | None, point: str | None) -> str | None:
    """Why a reference does not exist in the decree, or None."""
    articles = index[decree]
    if article not in articles:
        return f"{decree} has no Art. {article}"
    if clause is not None and clause not in articles[article]:
        return f"{decree} Art. {article} has no clause {clause}"
    if point is not None and (clause is None or point not in articles[article][clause]):
        return f"{decree} Art. {article}.{clause} has no point {point}"
    return None
