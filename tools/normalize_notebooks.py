"""Normalize notebook metadata so that re-running a notebook gives a clean, reviewable diff.

Keeps sources, outputs and the metadata that means something (slideshow, tags, nbgrader);
drops what changes from run to run or machine to machine (execution timings, kernel and
language versions, widget state and widget views, collapsed/scrolled flags) and numbers the executed cells
1, 2, 3, ... in order.

Usage::

    python tools/normalize_notebooks.py lectures/*.ipynb          # rewrite in place
    python tools/normalize_notebooks.py --check lectures solutions  # exit 1 if any would change
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

KEPT_CELL_METADATA = ("slideshow", "tags", "nbgrader", "editable", "deletable")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}


def normalize(notebook: dict) -> dict:
    """Return a normalized copy of a notebook given as parsed JSON."""
    nb = json.loads(json.dumps(notebook))
    nb["metadata"] = {
        "kernelspec": KERNELSPEC,
        "language_info": LANGUAGE_INFO,
        **{k: v for k, v in nb.get("metadata", {}).items() if k in ("celltoolbar", "nbgrader")},
    }
    count = 0
    for cell in nb["cells"]:
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in KEPT_CELL_METADATA}
        if cell["cell_type"] != "code":
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            continue
        executed = cell.get("execution_count") is not None or cell.get("outputs")
        count += 1 if executed else 0
        cell["execution_count"] = count if executed else None
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = cell["execution_count"]
            output.get("metadata", {}).pop("needs_background", None)
            # Widget state is not kept, so a stored widget view could only say "model not found";
            # the text (or image) fallback beside it is what a reader without a kernel can see.
            output.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
    return nb


def dumps(nb: dict) -> str:
    """Serialize like Jupyter does (one-space indent, sorted keys, trailing newline)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def notebooks_in(paths):
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            yield path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="notebooks or folders holding notebooks")
    parser.add_argument("--check", action="store_true", help="only report notebooks that are not normalized")
    args = parser.parse_args(argv)
    stale = []
    for path in notebooks_in(args.paths):
        text = path.read_text(encoding="utf-8")
        wanted = dumps(normalize(json.loads(text)))
        if text == wanted:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(wanted, encoding="utf-8")
    if args.check and stale:
        print("not normalized (run python tools/normalize_notebooks.py on them):")
        print("\n".join(f"  {p}" for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
