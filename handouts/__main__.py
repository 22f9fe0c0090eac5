"""Build offline handouts of the lectures: ``python -m handouts [NOTEBOOK ...]``.

From the course root, with no arguments, every notebook in ``lectures/`` becomes, in
``build/handouts/``, an HTML page (``NAME.html``), a reveal.js deck (``NAME.slides.html``) and a
PDF (``NAME.pdf``). The pages need the ``assets/`` folder beside them (MathJax, reveal.js): copy
the whole output folder. Nothing is loaded from a network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from handouts.assets import MissingAsset
from handouts.build import FORMATS, build


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handouts", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="lecture notebooks (default: lectures/*.ipynb)"
    )
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="course root (default: .)")
    parser.add_argument("--out", type=Path, help="output folder (default: <course>/build/handouts)")
    parser.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help=f"comma-separated, some of {','.join(FORMATS)} (default: all)",
    )
    args = parser.parse_args(argv)
    course = args.course.resolve()
    notebooks = args.notebooks or sorted((course / "lectures").glob("*.ipynb"))
    if not notebooks:
        print(f"cannot build handouts: no notebooks given and none in {course / 'lectures'}", file=sys.stderr)
        return 2
    output = args.out or course / "build" / "handouts"
    formats = [name.strip() for name in args.formats.split(",") if name.strip()]
    try:
        written = build(notebooks, output, course, formats)
    except (ValueError, MissingAsset) as error:
        print(f"cannot build handouts: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    print(f"{len(written)} files in {output}; they need its assets/ folder beside them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
