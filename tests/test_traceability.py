"""docs/TRACEABILITY.md: every row names a decree and an article, and every test it lists exists.

Tests are found without collecting them (collection of the end-to-end suites starts nothing, but importing
them costs seconds): a pytest node id is resolved by parsing its file with ``ast``, a Rego test by finding its
rule head in the ``_test.rego`` file.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "TRACEABILITY.md"
DECREES = frozenset({"000", "003", "004"})
HEADER = ["Decree", "Article", "Clause", "Feature", "Test"]
ARTICLE = re.compile(r"^\d+$")
CLAUSE = re.compile(r"^(—|\d+(\.[a-zđ])?)$")
TEST_ID = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Row:
    """One row of the table, with its line number for error messages."""

    line: int
    decree: str
    article: str
    clause: str
    feature: str
    tests: tuple[str, ...]


def parse_table(text: str) -> list[Row]:
    """The rows of the first table whose header is HEADER; raise ValueError on a malformed row."""
    rows: list[Row] = []
    in_table = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("|"):
            if in_table:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells == HEADER:
            in_table = True
            continue
        if not in_table or set("".join(cells)) <= set("-: "):
            continue
        if len(cells) != len(HEADER):
            raise ValueError(f"line {number}: {len(cells)} cells, expected {len(HEADER)}")
        decree, article, clause, feature, tests = cells
        rows.append(Row(number, decree, article, clause, feature, tuple(TEST_ID.findall(tests))))
    if not in_table:
        raise ValueError(f"no table with header {' | '.join(HEADER)}")
    return rows


def _python_tests(path: Path) -> set[str]:
    """``name`` and ``Class::name`` of every test function defined in a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{item.name}")
    return names


def _rego_tests(path: Path) -> set[str]:
    """Names of the ``test_`` rules of a Rego file."""
    return set(re.findall(r"^(test_\w+)\s+if\b", path.read_text(encoding="utf-8"), flags=re.MULTILINE))


def missing_tests(rows: list[Row], root: Path = ROOT) -> list[str]:
    """Every listed test id that does not name an existing test, with the line of its row."""
    cache: dict[Path, set[str]] = {}
    missing: list[str] = []
    for row in rows:
        for test_id in row.tests:
            file_part, sep, name = test_id.partition("::")
            name = re.sub(r"\[.*\]$", "", name)
            path = root / file_part
            ok = bool(sep and name.split("::")[-1].startswith("test_")) and path.is_file()
            if ok:
                if path not in cache:
                    if path.suffix == ".py" and path.name.startswith("test_"):
                        cache[path] = _python_tests(path)
                    elif path.name.endswith("_test.rego"):
                        cache[path] = _rego_tests(path)
                    else:
                        cache[path] = set()
                ok = name in cache[path]
            if not ok:
                missing.append(f"line {row.line}: {test_id}")
    return missing


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return parse_table(TABLE.read_text(encoding="utf-8"))


def test_every_row_names_a_decree_an_article_and_a_test(rows: list[Row]) -> None:
    assert len(rows) >= 20
    bad = [
        f"line {r.line}: {r.decree} | {r.article} | {r.clause}"
        for r in rows
        if r.decree not in DECREES or not ARTICLE.match(r.article) or not CLAUSE.match(r.clause)
        or not r.feature or not r.tests
    ]
    assert bad == []


def test_every_listed_test_exists(rows: list[Row]) -> None:
    assert missing_tests(rows) == []


def test_the_check_fails_on_a_missing_or_malformed_test(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text(
        "def test_here():\n    pass\n\nclass TestK:\n    def test_m(self):\n        pass\n", encoding="utf-8"
    )
    (tmp_path / "p_test.rego").write_text("package x\n\ntest_rule if {\n\ttrue\n}\n", encoding="utf-8")
    table = "\n".join([
        "| Decree | Article | Clause | Feature | Test |",
        "|---|---|---|---|---|",
        "| 004 | 2 | 4.c | f | `tests/test_a.py::test_here`, `tests/test_a.py::TestK::test_m`, `p_test.rego::test_rule` |",
        "| 004 | 2 | 4.c | f | `tests/test_a.py::test_here[x-1]` |",
        "| 004 | 2 | 4.c | f | `tests/test_a.py::test_gone` |",
        "| 004 | 2 | 4.c | f | `tests/test_b.py::test_here` |",
        "| 004 | 2 | 4.c | f | `p_test.rego::test_gone` |",
        "| 004 | 2 | 4.c | f | `tests/test_a.py` |",
    ])
    rows = parse_table(table)
    assert [r.line for r in rows] == [3, 4, 5, 6, 7, 8]
    assert missing_tests(rows, tmp_path) == [
        "line 5: tests/test_a.py::test_gone",
        "line 6: tests/test_b.py::test_here",
        "line 7: p_test.rego::test_gone",
        "line 8: tests/test_a.py",
    ]
    with pytest.raises(ValueError, match="cells"):
        parse_table("| Decree | Article | Clause | Feature | Test |\n|---|\n| 004 | 2 | x |\n")
    with pytest.raises(ValueError, match="no table"):
        parse_table("nothing here\n")
