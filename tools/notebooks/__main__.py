"""Command line: ``python -m tools.notebooks [--execute] [--check] PATH ...``.

Examples::

    python -m tools.notebooks --execute lectures solutions   # re-run and rewrite every notebook
    python -m tools.notebooks lectures/04-gradient-descent.ipynb   # rewrite metadata only
    python -m tools.notebooks --check lectures solutions     # exit 1 if any would change
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.notebooks.normalize import normalized_text


def notebooks_in(paths: list[str]) -> list[Path]:
    """The notebooks named, and those under the folders named (checkpoints left out)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.suffix == ".ipynb" and path.is_file():
            found.append(path)
        else:
            raise SystemExit(f"error: {path} is neither a notebook (.ipynb file) nor a folder")
    if not found:
        raise SystemExit(f"error: no notebooks (.ipynb) found in {', '.join(paths)}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.notebooks", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="notebooks or folders holding notebooks")
    parser.add_argument("--execute", action="store_true", help="run each notebook in a fresh kernel first")
    parser.add_argument("--check", action="store_true", help="only list notebooks that are not normalized")
    args = parser.parse_args(argv)
    if args.check and args.execute:
        parser.error("--check compares stored notebooks; it does not execute them")
    stale = []
    for path in notebooks_in(args.paths):
        text = path.read_text(encoding="utf-8")
        wanted = normalized_text(path, execute=args.execute)
        if text != wanted:
            stale.append(path)
            if not args.check:
                path.write_text(wanted, encoding="utf-8")
        print(f"{'stale' if text != wanted else 'ok':>5}  {path}", file=sys.stderr)
    if args.check and stale:
        print("not normalized (run python -m tools.notebooks on them):")
        print("\n".join(f"  {p}" for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
