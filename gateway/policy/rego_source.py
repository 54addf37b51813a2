"""The clauses of the policy's Rego modules (file:line) and an instrumented copy that reports which fired.

regopy (rego-cpp) has no tracing, provenance or coverage API; it does implement ``print``. So the source is
read into *clauses* — a rule's head and each of its ``else`` branches, with the body each one has (a block, an
inline ``if`` expression, or none) — and an instrumented copy appends ``print("__lt_hit__", <n>, <dependency>[, <key>])`` as
the last statement of every body (a body-less clause gets ``if { print(...) }``); the print also names the
variables the body binds, because rego-cpp orders statements by their variables (see :func:`_bound`). A clause prints exactly when
its body succeeded, i.e. when it produced its value; ``print`` always succeeds, so the decisions are unchanged.
The output of rego-cpp's ``print`` goes to the process's file descriptor 1, captured by :func:`capture_prints`.

The reader relies on the layout ``opa fmt`` produces (top-level rules at column 0, ``else`` after the closing
brace of the previous body); strings and comments are masked before the structure is read.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

MARK = "__lt_hit__"
_SKIP = ("package", "import", "default")
_WORD = re.compile(r"[A-Za-z_]\w*")
_HEAD = re.compile(r"([A-Za-z_]\w*)\s*(?:\(([^)]*)\))?")
_HIT = re.compile(rf"^{MARK} (\d+) \d+(?: (.*))?$")


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of a rule: the head (``index`` 0) or an ``else`` branch."""

    id: int  # position in the whole policy (the instrumented print's number)
    file: str
    line: int  # 1-based line where the clause starts (the head, or the ``else`` keyword)
    rule: str
    params: tuple[str, ...]
    index: int
    body: str  # "block", "inline" or "none"
    text: str  # the clause's first line, for reports

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def label(self) -> str:
        return f"{self.rule}" + (f" (else #{self.index})" if self.index else "")


@dataclass(frozen=True, slots=True)
class _Edit:
    at: int
    end: int  # == at for an insertion; the end of an inline body otherwise
    clause: Clause
    bound: tuple[str, ...] = ()  # variables the body binds (the print must depend on them, see _bound)


_ASSIGNED = re.compile(r"(?:^|[\s;{])([A-Za-z_]\w*)\s*:=")
_SOME = re.compile(r"\bsome\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+in\b")


def _bound(masked_body: str) -> tuple[str, ...]:
    """Variables a body binds at its own level (``x := ...``, ``some x in ...``, ``some k, v in ...``).

    rego-cpp orders a body's statements by their variables, not by their place: a ``print`` that does not
    use the variables an assignment binds may run before that assignment fails. So the instrumented print
    names them all (inside ``count([...])``, to keep the output small)."""
    depth, flat = 0, []
    for c in masked_body:
        depth += (c in "([{") - (c in ")]}")
        flat.append(c if depth <= 1 or c == "\n" else " ")
    text = "".join(flat)
    names = [m.group(1) for m in _ASSIGNED.finditer(text)]
    for m in _SOME.finditer(text):
        names += [n.strip() for n in m.group(1).split(",")]
    return tuple(dict.fromkeys(n for n in names if n != "_"))


def mask(source: str) -> str:
    """``source`` with the contents of strings and comments replaced by spaces (same length, same lines)."""
    out = list(source)
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "#":
            while i < n and source[i] != "\n":
                out[i] = " "
                i += 1
            continue
        if c in "\"`":
            quote, i = c, i + 1
            while i < n and source[i] != quote:
                if quote == '"' and source[i] == "\\":
                    out[i] = " "
                    i += 1
                if i < n and source[i] != "\n":
                    out[i] = " "
                i += 1
        i += 1
    return "".join(out)


def _statements(masked: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the top-level statements: lines starting a word at column 0 and depth 0."""
    starts: list[int] = []
    depth, offset = 0, 0
    for line in masked.splitlines(keepends=True):
        # an `else` at column 0 (after a comment between branches) continues the rule above it
        if depth == 0 and (line[:1].isalpha() or line[:1] == "_") and _WORD.match(line).group() != "else":
            starts.append(offset)
        for c in line:
            depth += (c in "([{") - (c in ")]}")
        offset += len(line)
    return [(s, starts[k + 1] if k + 1 < len(starts) else len(masked)) for k, s in enumerate(starts)]


def _depth0_words(masked: str, start: int, end: int) -> Iterator[tuple[int, str, int]]:
    """(offset, word, depth) of every word in ``masked[start:end]``."""
    depth, i = 0, start
    while i < end:
        c = masked[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c.isalpha() or c == "_":
            m = _WORD.match(masked, i)
            assert m is not None
            yield i, m.group(), depth
            i = m.end()
            continue
        i += 1


def _matching(masked: str, opening: int) -> int:
    """Offset of the bracket closing the one at ``opening``."""
    depth = 0
    for i in range(opening, len(masked)):
        depth += (masked[i] in "([{") - (masked[i] in ")]}")
        if depth == 0:
            return i
    raise ValueError(f"unbalanced bracket at offset {opening}")


def _inline_end(masked: str, start: int, end: int) -> int:
    """End of an inline ``if`` expression: the end of its line at depth 0, or an ``else`` on that line."""
    depth, i = 0, start
    while i < end:
        c = masked[i]
        depth += (c in "([{") - (c in ")]}")
        if depth == 0 and c == "\n":
            return i
        if depth == 0 and masked.startswith(" else", i) and not (masked[i + 5:i + 6].isalnum()):
            return i
        i += 1
    return len(masked[:end].rstrip())


def read_clauses(files: Sequence[tuple[str, str]]) -> tuple[list[Clause], list[_Edit]]:
    """Every clause of every rule of ``files`` (name, source), and where to instrument each."""
    clauses: list[Clause] = []
    edits: list[_Edit] = []
    for name, source in files:
        masked = mask(source)
        for start, end in _statements(masked):
            head = _HEAD.match(masked, start)
            if head is None or head.group(1) in _SKIP:
                continue
            params = tuple(p.strip() for p in (head.group(2) or "").split(",") if p.strip())
            # clause boundaries: the head, then every `else` at depth 0
            bounds = [start] + [o for o, w, d in _depth0_words(masked, start, end) if w == "else" and d == 0]
            for index, clause_start in enumerate(bounds):
                clause_end = bounds[index + 1] if index + 1 < len(bounds) else end
                if_at = next((o for o, w, d in _depth0_words(masked, clause_start, clause_end)
                              if w == "if" and d == 0), None)
                line = source.count("\n", 0, clause_start) + 1
                text = source[clause_start:source.find("\n", clause_start)].strip()
                if if_at is None:
                    bound = ()
                    body, at = "none", len(masked[:clause_end].rstrip())
                    stop = at
                else:
                    after = if_at + 2
                    while masked[after] in " \t":
                        after += 1
                    bound: tuple[str, ...] = ()
                    if masked[after] == "{":
                        body, at = "block", _matching(masked, after)
                        stop = at
                        bound = _bound(masked[after:at + 1])
                    else:
                        body, at = "inline", after
                        stop = _inline_end(masked, after, clause_end)
                clause = Clause(len(clauses), name, line, head.group(1), params, index, body, text)
                clauses.append(clause)
                edits.append(_Edit(at, stop, clause, bound))
    return clauses, edits


def instrument(files: Sequence[tuple[str, str]], keys: Mapping[str, str] | None = None
               ) -> tuple[list[tuple[str, str]], list[Clause]]:
    """An instrumented copy of ``files`` and its clauses. ``keys``: {parameter name: expression printed with
    the clause number}, e.g. ``{"f": "f.coordinate"}`` to know which field a clause fired for."""
    clauses, edits = read_clauses(files)
    out: list[tuple[str, str]] = []
    for name, source in files:
        mine = sorted((e for e in edits if e.clause.file == name), key=lambda e: e.at, reverse=True)
        text = source
        for edit in mine:
            c = edit.clause
            depends = f"count([{', '.join(edit.bound)}])" if edit.bound else "0"
            extra = "".join(f", {keys[p]}" for p in c.params if keys and p in keys)
            call = f'print("{MARK}", {c.id}, {depends}{extra})'
            if c.body == "block":
                text = text[:edit.at] + f"\n\t{call}\n" + text[edit.at:]
            elif c.body == "inline":
                text = text[:edit.at] + "{\n\t" + text[edit.at:edit.end] + f"\n\t{call}\n}}" + text[edit.end:]
            else:
                text = text[:edit.at] + f" if {{\n\t{call}\n}}" + text[edit.at:]
        out.append((name, text))
    return out, clauses


def parse_hits(output: str) -> list[tuple[int, str | None]]:
    """The (clause id, key or None) of every instrumented print in ``output``, in order."""
    hits: list[tuple[int, str | None]] = []
    for line in output.splitlines():
        m = _HIT.match(line.strip())
        if m:
            hits.append((int(m.group(1)), m.group(2)))
    return hits


@contextlib.contextmanager
def capture_prints() -> Iterator[list[str]]:
    """Capture what rego-cpp's ``print`` writes to file descriptor 1 (not Python's ``sys.stdout``) while the
    block runs; the text is in the yielded list afterwards. Not for servers: the whole process's fd 1 moves."""
    sink: list[str] = []
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 1)
        try:
            yield sink
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            tmp.seek(0)
            sink.append(tmp.read().decode("utf-8", errors="replace"))


_METADATA = "METADATA"


@dataclass(frozen=True, slots=True)
class Annotation:
    """An OPA ``# METADATA`` block above a rule: its title, description and ``custom.article`` (the article the
    rule implements), with ``custom.branches`` giving the article of each clause (head, ``else`` #1, ...) when
    they differ."""

    title: str
    description: str
    article: str
    branches: tuple[str, ...] = ()

    def article_of(self, index: int) -> str:
        """The article of clause ``index`` of the rule (0 = the head)."""
        return self.branches[index] if index < len(self.branches) and self.branches[index] else self.article


def read_annotations(source: str) -> dict[int, Annotation | str]:
    """``{line of a rule head: its Annotation}`` for every top-level rule of ``source`` directly preceded by a
    ``# METADATA`` comment block (OPA's syntax: YAML in the comment lines down to the rule). A block that is not
    valid YAML, or not a mapping, maps to the error text instead, so that a check can name it."""
    import yaml  # only the reading of annotations needs it

    lines = source.splitlines()
    out: dict[int, Annotation | str] = {}
    for start, _ in _statements(mask(source)):
        head = source.count("\n", 0, start)  # 0-based line of the head
        first = head
        while first > 0 and lines[first - 1].startswith("#"):
            first -= 1
        block = lines[first:head]
        marks = [i for i, line in enumerate(block) if line.strip("# \t") == _METADATA]
        if not marks:
            continue
        text = "\n".join(line[2:] if line.startswith("# ") else line[1:] for line in block[marks[-1] + 1:])
        try:
            meta = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            out[head + 1] = f"invalid YAML: {exc}"
            continue
        if not isinstance(meta, dict):
            out[head + 1] = "not a mapping"
            continue
        custom = meta.get("custom") if isinstance(meta.get("custom"), dict) else {}
        branches = custom.get("branches") or ()
        article = custom.get("article") or custom.get("articles") or ""  # one string, or a list of articles
        out[head + 1] = Annotation(
            title=str(meta.get("title") or ""),
            description=" ".join(str(meta.get("description") or "").split()),
            article="; ".join(map(str, article)) if isinstance(article, list) else str(article),
            branches=tuple(str(b) for b in branches) if isinstance(branches, list) else (),
        )
    return out
