"""Reproduce or check the pinned GraphiQL assets the gateway serves (``gateway/server/static/graphiql/``).

The vendor files are committed so that a fresh clone serves GraphiQL with no network at all; this script is how
they were made and how anyone can check them:

    python scripts/graphiql_assets.py --check    # offline: every file's sha256 against MANIFEST.json
    python scripts/graphiql_assets.py --update   # npm: fetch the tarballs pinned in scripts/graphiql-assets/
                                                 # package-lock.json, verify their sha512 integrity against the
                                                 # lock, copy the files, rewrite MANIFEST.json

Only the npm registry is used (``npm pack``), with the versions and integrity hashes of the lockfile, so an
update reproduces the same bytes or fails.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "scripts" / "graphiql-assets" / "package-lock.json"
STATIC = ROOT / "gateway" / "server" / "static" / "graphiql"
MANIFEST = STATIC / "MANIFEST.json"
# (served name, npm package, file inside the package tarball)
FILES = (
    ("react.production.min.js", "react", "package/umd/react.production.min.js"),
    ("react-dom.production.min.js", "react-dom", "package/umd/react-dom.production.min.js"),
    ("graphiql.min.js", "graphiql", "package/graphiql.min.js"),
    ("graphiql.min.css", "graphiql", "package/graphiql.min.css"),
    # MIT: the notices travel with the files (kept beside them, not served)
    ("LICENSE.react.txt", "react", "package/LICENSE"),
    ("LICENSE.react-dom.txt", "react-dom", "package/LICENSE"),
    ("LICENSE.graphiql.txt", "graphiql", "package/LICENSE"),
)


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check() -> list[str]:
    """Problems with the committed files (empty when every file matches MANIFEST.json)."""
    manifest = json.loads(MANIFEST.read_text())
    problems = []
    for name, entry in manifest["files"].items():
        path = STATIC / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256(path) != entry["sha256"]:
            problems.append(f"{name}: sha256 {sha256(path)} != {entry['sha256']} in MANIFEST.json")
    return problems


def _locked(package: str) -> tuple[str, str]:
    entry = json.loads(LOCK.read_text())["packages"][f"node_modules/{package}"]
    return entry["version"], entry["integrity"]


def _verify_integrity(tarball: Path, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{tarball.name}: {algorithm} integrity {actual} != {expected} in the lockfile")


def update() -> None:
    """Fetch the locked tarballs with ``npm pack``, verify them, copy the files and rewrite the manifest."""
    files: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tarballs: dict[str, Path] = {}
        for _, package, _ in FILES:
            if package in tarballs:
                continue
            version, integrity = _locked(package)
            out = subprocess.run(["npm", "pack", f"{package}@{version}", "--pack-destination", tmp, "--json"],
                                 capture_output=True, text=True, check=True, cwd=tmp)
            tarball = Path(tmp) / json.loads(out.stdout)[0]["filename"]
            _verify_integrity(tarball, integrity)
            tarballs[package] = tarball
        for name, package, member in FILES:
            with tarfile.open(tarballs[package]) as archive:
                extracted = archive.extractfile(member)
                if extracted is None:
                    raise SystemExit(f"{package}: {member} is not a file")
                (STATIC / name).write_bytes(extracted.read())
            version, _ = _locked(package)
            files[name] = {"package": package, "version": version, "source": member.removeprefix("package/"),
                           "sha256": sha256(STATIC / name)}
    MANIFEST.write_text(json.dumps({"files": files}, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="verify the committed files (offline)")
    group.add_argument("--update", action="store_true", help="re-fetch them from npm with the lockfile")
    args = parser.parse_args(argv)
    if args.update:
        update()
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{len(json.loads(MANIFEST.read_text())['files'])} files match {MANIFEST.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
