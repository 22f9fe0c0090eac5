"""What a hidden test hands to the grader: plain data, reported from inside the student's kernel.

A hidden test has two halves. Its *probe* runs in the student's kernel, calls the student's code
and reports what came back with :func:`report`. Its *verdict* runs only in the grader's own process
(see :mod:`grading.verdicts`) and decides, from the reported data alone, whether the test passed.

Nothing in this module decides anything, and nothing here needs to be trusted: a submission may
rebind ``report`` or forge reports, but a forged report can only claim values, and the verdict
then checks those values against answers the kernel never sees.

Values are reduced to JSON-friendly data: arrays (and anything with ``tolist``) become nested
lists, numpy scalars become Python numbers, non-finite floats become the strings ``"nan"``,
``"inf"`` and ``"-inf"``, and other objects become ``{"unsupported": "<type name>"}``.
"""

from __future__ import annotations

import math

MIME_TYPE = "application/vnd.nnlib-course.report+json"
MAX_DEPTH = 16
MAX_ITEMS = 200_000


class _Budget:
    """How many more items a report may hold, so a huge result cannot flood the notebook."""

    def __init__(self, items: int):
        self.items = items

    def spend(self) -> None:
        self.items -= 1
        if self.items < 0:
            raise ValueError(f"a report holds at most {MAX_ITEMS} numbers")


def plain(value, depth: int = 0, budget: _Budget | None = None):
    """``value`` as plain JSON data (see the module's docstring for the rules)."""
    budget = budget or _Budget(MAX_ITEMS)
    budget.spend()
    if depth > MAX_DEPTH:
        raise ValueError(f"a report nests at most {MAX_DEPTH} levels deep")
    if not hasattr(value, "tolist"):  # an nnlib tensor carries its numpy array as .data
        data = getattr(value, "data", None)
        if hasattr(data, "dtype") and hasattr(data, "tolist"):
            value = data
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else float(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        converted = value.tolist()
        if isinstance(converted, (list, tuple, bool, int, float, str)) or converted is None:
            return plain(converted, depth + 1, budget)
    if isinstance(value, (list, tuple)):
        return [plain(item, depth + 1, budget) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item, depth + 1, budget) for key, item in value.items()}
    return {"unsupported": type(value).__name__}


def report(name: str, value) -> None:
    """Show ``value``, as plain data, in this cell's output, for the grader's verdict on ``name``."""
    from IPython.display import display

    try:
        data = plain(value)
    except (ValueError, RecursionError) as error:
        data = {"unsupported": f"{type(value).__name__} ({error})"}
    summary = f"[{name} reported to the grader]"
    display({MIME_TYPE: {"name": str(name), "value": data}, "text/plain": summary}, raw=True)
