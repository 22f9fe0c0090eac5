"""The repository's own rules: linted and formatted code, a core that imports only numpy."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ci import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
# The notebook-only parts of nnlib (matplotlib, ipywidgets), as modules or packages.
NOTEBOOK_ONLY = {"viz", "widgets"}
# Every other module of nnlib is core: found in the tree, so a new module is checked too.
CORE = sorted(
    path.stem
    for path in (ROOT / "nnlib").glob("*.py")
    if path.stem not in NOTEBOOK_ONLY and path.stem != "__init__"
)


def test_core_is_found_and_notebook_only_parts_exist():
    assert {"tensor", "nn", "optim"} <= set(CORE), f"core modules found: {CORE}"
    for name in NOTEBOOK_ONLY:
        assert (ROOT / "nnlib" / f"{name}.py").is_file() or (ROOT / "nnlib" / name).is_dir(), name


@pytest.mark.parametrize("command", [["ruff", "check", "."], ["ruff", "format", "--check", "."]])
def test_code_and_notebooks_pass_ruff(command):
    if shutil.which("ruff") is None:
        skip_or_fail("ruff is not installed (it is in requirements-dev.txt)")
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("module", CORE)
def test_core_modules_import_only_numpy_and_nnlib(module):
    tree = ast.parse((ROOT / "nnlib" / f"{module}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    third_party = imported - {"numpy", "nnlib", "__future__"} - set(sys.stdlib_module_names)
    assert third_party == set(), f"nnlib.{module} imports {sorted(third_party)}"


def test_importing_nnlib_loads_neither_matplotlib_nor_ipywidgets():
    code = "import sys, nnlib; print(sorted({'matplotlib', 'ipywidgets', 'sklearn'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
