"""A static look at the cells a student wrote: hints for a person, never a defence.

Points come from verdicts the grader runs in its own process (``grading.verdicts``), so nothing a
student's code does in the kernel can turn a failing test into points. Still, code that patches
numpy, reaches IPython's hooks or starts processes is worth a look by a person: it may be an
attempt, or a misunderstanding to talk about. :func:`integrity_flags` reads each student cell with
:mod:`ast` (never running it) and names such constructs. Obfuscated code passes it easily; a flag
asks a person to look and never changes a score.
"""

from __future__ import annotations

import ast
import builtins
import functools
from dataclasses import dataclass, field

from IPython.core.inputtransformer2 import TransformerManager

# --- the instructor's notebook ------------------------------------------------------------------


@dataclass
class MasterCell:
    """One cell of the instructor's (source) notebook that carries nbgrader metadata."""

    grade_id: str
    cell_type: str
    source: str
    grade: bool
    solution: bool
    locked: bool
    points: float

    @property
    def is_autograded_test(self) -> bool:
        """A locked code cell worth points: full points if it runs without an error."""
        return self.grade and not self.solution and self.cell_type == "code"

    @property
    def is_manually_graded(self) -> bool:
        """An answer a person grades (a graded solution cell, or a graded markdown cell)."""
        return self.grade and not self.is_autograded_test


@dataclass
class MasterNotebook:
    """The trusted description of a notebook: its graded cells, in order, and their points."""

    name: str
    cells: list[MasterCell]

    @property
    def by_id(self) -> dict[str, MasterCell]:
        return {cell.grade_id: cell for cell in self.cells}

    @property
    def tests(self) -> list[MasterCell]:
        return [cell for cell in self.cells if cell.is_autograded_test]

    @property
    def max_score(self) -> float:
        return sum(cell.points for cell in self.cells if cell.grade)


def nbgrader_metadata(cell) -> dict:
    metadata = cell.get("metadata", {}).get("nbgrader", {})
    return metadata if isinstance(metadata, dict) else {}


def read_master(name: str, notebook) -> MasterNotebook:
    """Collect the nbgrader cells of an instructor's notebook (an nbformat node or dict)."""
    cells = []
    for cell in notebook["cells"]:
        meta = nbgrader_metadata(cell)
        if "grade_id" not in meta:
            continue
        cells.append(
            MasterCell(
                grade_id=meta["grade_id"],
                cell_type=cell["cell_type"],
                source=cell_source(cell),
                grade=bool(meta.get("grade")),
                solution=bool(meta.get("solution")),
                locked=bool(meta.get("locked")) or (bool(meta.get("grade")) and not meta.get("solution")),
                points=float(meta.get("points") or 0),
            )
        )
    return MasterNotebook(name, cells)


def cell_source(cell) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


# --- what nbgrader will run -------------------------------------------------------------------


@dataclass
class RunCell:
    """A cell of a submission as nbgrader will run it.

    ``role`` is "restored" (a locked cell nbgrader replaces by the instructor's version),
    "student" (code the student controls, run as written) or "inert" (not run: markdown, raw).
    """

    index: int
    role: str
    grade_id: str | None
    source: str


def cells_as_run(submitted, master: MasterNotebook) -> list[RunCell]:
    """Label each cell of ``submitted`` the way nbgrader's autograde step will treat it.

    This mirrors nbgrader 0.9: of several cells sharing a ``grade_id`` only the last keeps it
    (``DeduplicateIds``); a kept id the gradebook knows restores that cell's type, and for a
    locked cell its source too (``OverwriteCells``); an unknown id is dropped.
    """
    known = master.by_id
    kept: dict[int, str] = {}
    seen: set[str] = set()
    cells = submitted["cells"]
    for index in range(len(cells) - 1, -1, -1):
        meta = nbgrader_metadata(cells[index])
        grade_id = meta.get("grade_id")
        if not (meta.get("grade") or meta.get("solution") or meta.get("locked")) or grade_id is None:
            if grade_id in known:  # no flags but a known id: nbgrader still overwrites it
                kept.setdefault(index, grade_id)
            continue
        if grade_id not in seen:
            seen.add(grade_id)
            kept[index] = grade_id
    result = []
    for index, cell in enumerate(cells):
        grade_id = kept.get(index)
        master_cell = known.get(grade_id) if grade_id is not None else None
        if master_cell is not None and master_cell.locked:
            role = "restored" if master_cell.cell_type == "code" else "inert"
            result.append(RunCell(index, role, grade_id, master_cell.source))
            continue
        cell_type = master_cell.cell_type if master_cell is not None else cell.get("cell_type")
        role = "student" if cell_type == "code" else "inert"
        result.append(RunCell(index, role, grade_id if master_cell else None, cell_source(cell)))
    return result


# --- the static look --------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """One construct in a student cell that could change what a test sees."""

    kind: str
    detail: str
    cell: int

    def __str__(self) -> str:
        return f"{self.kind}({self.detail})@cell{self.cell}"


FLAG_KINDS = {
    "patches-module": "assigns to or deletes an attribute of an imported module (e.g. np.allclose = ...)",
    "rebinds-name": "rebinds a name the tests rely on (numpy, nnlib, a test helper, a builtin)",
    "touches-builtins": "reaches the builtins module",
    "ipython-hooks": "reaches the IPython shell (set_custom_exc, events, magics other than timing/plots)",
    "exits-process": "ends or signals a process (os._exit, sys.exit, os.kill, signal handlers)",
    "sys-modules": "changes how imports or tracing work (sys.modules, importlib, meta_path, settrace)",
    "dynamic-code": "runs or reaches code a static look cannot follow (exec, eval, frames, __dict__)",
    "background-process": "starts processes, threads or shell commands that can outlive the cell",
    "operator-overloading": "defines a class whose comparisons or arithmetic could lie to a test",
    "writes-files": "creates, changes or deletes files",
    "unparsed-cell": "a cell the static look could not parse",
}

TIMING_AND_PLOT_MAGICS = {"matplotlib", "time", "timeit", "pinfo", "pinfo2"}
CODE_MAGICS = {"time", "timeit"}
BUILTIN_NAMES = frozenset(dir(builtins)) - {"__doc__", "__name__", "__package__", "__spec__", "__loader__"}

DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__", "globals", "locals", "vars", "breakpoint"}
DYNAMIC_ATTRIBUTE_CALLS = {"setattr", "delattr"}
DYNAMIC_MODULES = {
    "importlib", "ctypes", "gc", "inspect", "types", "marshal", "pickle", "dill", "cloudpickle",
    "code", "codeop", "runpy", "pdb", "bdb", "trace", "atexit", "weakref", "copyreg", "sysconfig",
}  # fmt: skip
PROCESS_MODULES = {
    "subprocess", "multiprocessing", "threading", "_thread", "concurrent", "pty", "sched",
    "asyncio", "socket", "pexpect", "sh",
}  # fmt: skip
EXIT_MODULES = {"signal", "faulthandler", "resource"}
IPYTHON_MODULES = {"IPython", "ipykernel", "jupyter_client", "zmq", "traitlets", "tornado"}
DANGEROUS_DUNDERS = {
    "__dict__", "__globals__", "__code__", "__builtins__", "__subclasses__", "__closure__",
    "__defaults__", "__kwdefaults__", "__mro__", "__bases__", "__base__", "__func__", "__self__",
    "__getattribute__", "__setattr__", "__delattr__", "__loader__", "__spec__", "__import__",
    "__reduce__", "__reduce_ex__", "__init_subclass__", "__set_name__", "__class_getitem__",
}  # fmt: skip
LYING_DUNDERS = {
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__abs__", "__neg__",
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
    "__rtruediv__", "__pow__", "__float__", "__int__", "__index__", "__round__", "__array__",
    "__array_ufunc__", "__array_function__", "__getattr__", "__instancecheck__",
    "__subclasscheck__", "__del__", "__len__", "__iter__", "__getitem__", "__contains__",
}  # fmt: skip
ARITHMETIC_DUNDERS = {
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
    "__pow__", "__neg__",
}  # fmt: skip
LYING_BASES = {"float", "int", "complex", "ndarray", "Number", "Real", "list", "tuple", "dict"}
OS_EXITS = {"_exit", "abort", "kill", "killpg", "exit", "execv", "execve", "execl", "execlp", "execvp"}
OS_PROCESSES = {"fork", "forkpty", "system", "popen", "posix_spawn", "posix_spawnp", "spawnl", "spawnv"}
OS_FILE_CHANGES = {
    "remove", "unlink", "rename", "renames", "replace", "rmdir", "removedirs", "chmod", "chown",
    "symlink", "link", "truncate", "mkdir", "makedirs", "utime", "write", "open", "mkfifo",
}  # fmt: skip
PATH_FILE_CHANGES = {"write_text", "write_bytes", "unlink", "rename", "replace", "touch", "chmod", "rmdir"}
SYS_IMPORT_HOOKS = {
    "modules", "meta_path", "path_hooks", "path_importer_cache", "settrace", "setprofile",
    "addaudithook", "excepthook", "displayhook", "_getframe", "setrecursionlimit", "breakpointhook",
    "monitoring", "exit", "stdout", "stderr",
}  # fmt: skip


def _names_bound(tree: ast.AST) -> set[str]:
    """Names a piece of code binds in the scope it runs in (not inside its functions/classes)."""
    bound: set[str] = set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            return  # their bodies are their own scopes
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return bound


def _definitions(tree: ast.Module) -> set[str]:
    """Modules, functions and classes a cell defines at top level: what helpers rely on."""
    defined: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {alias.asname or alias.name.split(".")[0] for alias in node.names if alias.name != "*"}
    return defined & _names_bound(tree)


def free_reads(tree: ast.Module) -> set[str]:
    """Names a cell reads before it binds them itself: what it takes from earlier cells."""
    bound: set[str] = set()
    free: set[str] = set()
    for statement in tree.body:
        names = [node for node in ast.walk(statement) if isinstance(node, ast.Name)]
        loads = {node.id for node in names if isinstance(node.ctx, ast.Load)}
        free |= loads - bound
        bound |= _names_bound(statement)
    return free


def parse_cell(source: str) -> ast.Module | None:
    """Parse a cell as IPython would run it (magics become ``get_ipython()`` calls); None if invalid.

    The instructor's cells recur in every submission: short sources are parsed once per process
    (callers only read the tree), long ones, which only a student writes, every time.
    """
    if len(source) > MAX_CACHED_SOURCE:
        return _parse_cell.__wrapped__(source)
    return _parse_cell(source)


MAX_CACHED_SOURCE = 4_000  # characters; bounds the cache's memory whatever students send


@functools.lru_cache(maxsize=512)
def _parse_cell(source: str) -> ast.Module | None:
    try:
        python = TransformerManager().transform_cell(source)
        return compile(python, "<cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _dotted(node: ast.AST) -> str | None:
    """``np.linalg.norm`` -> "np.linalg.norm"; None when the chain does not start at a name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _root(node: ast.AST) -> str | None:
    """The name an attribute/subscript/call chain starts from (``np`` in ``np.x[0].y``)."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


@dataclass
class Context:
    """What the static look needs to know about the rest of the notebook."""

    module_names: dict[str, str]  # name -> module it was imported as, in locked or student cells
    protected_everywhere: set[str]  # modules and helpers of setup cells: rebinding them before a test counts
    protected_later: dict[int, set[str]] = field(default_factory=dict)  # cell -> free reads of later tests
    last_test_index: int = -1
    # Names the instructor's test cells call, such as a class the task asks for ("write a Value
    # class with + and *"): arithmetic is that class's subject, so only its comparisons and
    # conversions are flagged.
    called_by_tests: set[str] = field(default_factory=set)


IPYTHON_ATTRIBUTES = {"set_custom_exc", "showtraceback", "showsyntaxerror", "run_cell", "events", "user_ns"}


def classify_path(path: str) -> tuple[str, str] | None:
    """The flag a use of ``path`` (a dotted name with imports resolved, e.g. "os._exit") deserves."""
    parts = path.split(".")
    top, second = parts[0], parts[1] if len(parts) > 1 else ""
    if any(part in DANGEROUS_DUNDERS for part in parts):
        return "dynamic-code", path
    if any(part in IPYTHON_ATTRIBUTES for part in parts[1:]) or top in IPYTHON_MODULES:
        return "ipython-hooks", path
    if top == "builtins":
        return "touches-builtins", path
    if top == "sys" and second in SYS_IMPORT_HOOKS:
        return ("exits-process" if second == "exit" else "sys-modules"), path
    if top == "os" and second in OS_EXITS:
        return "exits-process", path
    if top == "os" and (second in OS_PROCESSES or second.startswith("spawn")):
        return "background-process", path
    if top == "os" and second in OS_FILE_CHANGES:
        return "writes-files", path
    if top in DYNAMIC_MODULES:
        return "dynamic-code", path
    if top in PROCESS_MODULES:
        return "background-process", path
    if top in EXIT_MODULES:
        return "exits-process", path
    if top in {"shutil", "tempfile"}:
        return "writes-files", path
    return None


class _CellChecker(ast.NodeVisitor):
    """Walk one student cell and collect flags; scopes decide whether a binding is global."""

    def __init__(self, cell: int, context: Context, flags: list[Flag]):
        self.cell = cell
        self.context = context
        self.flags = flags
        # One entry per enclosing function or class: (names declared global, names local to it).
        self.scopes: list[tuple[set[str], set[str]]] = []

    def flag(self, kind: str, detail: str) -> None:
        self.flags.append(Flag(kind, detail, self.cell))

    def resolve(self, dotted: str) -> str:
        """Replace an imported name at the head of ``dotted`` by what it was imported as."""
        head, _, rest = dotted.partition(".")
        module = self.context.module_names.get(head)
        if module is None:
            return dotted
        return f"{module}.{rest}" if rest else module

    def at_module_level(self, name: str) -> bool:
        """Whether binding ``name`` here binds the notebook's global name."""
        return not self.scopes or name in self.scopes[-1][0]

    def is_local(self, name: str) -> bool:
        """Whether ``name`` is a local variable of an enclosing function (or class)."""
        return any(name in local for _, local in self.scopes)

    # bindings ------------------------------------------------------------------------------

    def check_binding(self, name: str, imported: str | None = None) -> None:
        """A binding of ``name``: flagged when global and a later test cell relies on the name."""
        if not self.at_module_level(name) or self.cell > self.context.last_test_index:
            return
        trusted = self.context.module_names.get(name)
        if imported is not None and imported == trusted:
            return  # importing the same module under the same name again changes nothing
        if name in BUILTIN_NAMES:
            self.flag("rebinds-name", f"builtin {name}")
        elif name in self.context.protected_everywhere or name in self.context.protected_later.get(
            self.cell, set()
        ):
            self.flag("rebinds-name", name)

    def check_target(self, target: ast.AST, verb: str) -> None:
        if isinstance(target, ast.Name):
            self.check_binding(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.check_target(element, verb)
        elif isinstance(target, ast.Starred):
            self.check_target(target.value, verb)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            root = _root(target)
            shown = _dotted(target) or ast.unparse(target)
            protected = root in self.context.module_names or root in self.context.protected_everywhere
            if protected and not self.is_local(root):
                self.flag("patches-module", f"{verb} {shown}")
            self.visit(target)  # the expression being assigned into may itself be suspect

    def visit_Assign(self, node):
        for target in node.targets:
            self.check_target(target, "assigns")
        self.visit(node.value)

    def visit_AugAssign(self, node):
        self.check_target(node.target, "assigns")
        self.visit(node.value)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.check_target(node.target, "assigns")
            self.visit(node.value)

    def visit_Delete(self, node):
        for target in node.targets:
            self.check_target(target, "deletes")

    def visit_NamedExpr(self, node):
        self.check_target(node.target, "assigns")
        self.visit(node.value)

    def visit_For(self, node):
        self.check_target(node.target, "assigns")
        for child in [node.iter, *node.body, *node.orelse]:
            self.visit(child)

    visit_AsyncFor = visit_For

    def visit_With(self, node):
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.check_target(item.optional_vars, "assigns")
        for statement in node.body:
            self.visit(statement)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node):
        if node.name:
            self.check_binding(node.name)
        self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            self.imported(alias.name)
            top = alias.name.split(".")[0]
            self.check_binding(alias.asname or top, imported=alias.name if alias.asname else top)

    def visit_ImportFrom(self, node):
        module = "." * node.level + (node.module or "")
        self.imported(module)
        for alias in node.names:
            if alias.name == "*":
                if self.cell <= self.context.last_test_index:
                    self.flag("rebinds-name", f"from {module} import *")
                continue
            self.imported(f"{module}.{alias.name}")
            self.check_binding(alias.asname or alias.name, imported=f"{module}.{alias.name}")

    def imported(self, module: str) -> None:
        found = classify_path(module)
        if found is not None:
            self.flag(found[0], f"import {module}")

    # scopes --------------------------------------------------------------------------------

    def visit_FunctionDef(self, node):
        self.check_binding(node.name)
        for expression in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if expression is not None:
                self.visit(expression)
        declared = {name for sub in ast.walk(node) if isinstance(sub, ast.Global) for name in sub.names}
        arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        arguments += [arg for arg in (node.args.vararg, node.args.kwarg) if arg is not None]
        local = {arg.arg for arg in arguments}
        for statement in node.body:
            local |= _names_bound(statement)
        self.scopes.append((declared, local - declared))
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        self.scopes.append((set(), {arg.arg for arg in arguments}))
        self.visit(node.body)
        self.scopes.pop()

    def visit_ClassDef(self, node):
        self.check_binding(node.name)
        for base in node.bases:
            base_name = _dotted(base) or ""
            if base_name.split(".")[-1] in LYING_BASES:
                self.flag("operator-overloading", f"class {node.name}({base_name})")
            self.visit(base)
        for statement in node.body:
            is_method = isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
            if not is_method or statement.name not in LYING_DUNDERS:
                continue
            if node.name in self.context.called_by_tests and statement.name in ARITHMETIC_DUNDERS:
                continue  # the task's own subject
            self.flag("operator-overloading", f"{node.name}.{statement.name}")
        self.scopes.append((set(), set().union(*(_names_bound(statement) for statement in node.body))))
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()

    # reads and calls -----------------------------------------------------------------------

    def visit_Name(self, node):
        name = node.id
        if name in {"__builtins__", "builtins"}:
            self.flag("touches-builtins", name)
        elif name in {"get_ipython", "In", "Out", "_ih", "_oh", "_ii", "_iii"}:
            self.flag("ipython-hooks", name)
        elif name in {"exit", "quit", "SystemExit", "KeyboardInterrupt"}:
            self.flag("exits-process", name)
        elif name in DYNAMIC_CALLS:
            self.flag("dynamic-code", name)
        elif name in DYNAMIC_ATTRIBUTE_CALLS:
            self.flag("patches-module", name)
        elif name in self.context.module_names:
            found = classify_path(self.resolve(name))
            if found is not None:
                self.flag(*found)

    def visit_Attribute(self, node):
        dotted = _dotted(node)
        if dotted is not None:
            found = classify_path(self.resolve(dotted))
            if found is not None:
                self.flag(found[0], dotted)
            inner = node
            while isinstance(inner, ast.Attribute):
                inner = inner.value
            self.visit(inner)  # the name at the head, once
            return
        if node.attr in DANGEROUS_DUNDERS:
            self.flag("dynamic-code", node.attr)
        elif node.attr in IPYTHON_ATTRIBUTES:
            self.flag("ipython-hooks", node.attr)
        elif node.attr in PATH_FILE_CHANGES:
            self.flag("writes-files", node.attr)
        self.visit(node.value)

    def visit_Call(self, node):
        if _is_ipython_call(node):
            self.ipython_call(node)
            return
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open" and _opens_for_writing(node):
            self.flag("writes-files", "open(..., write mode)")
        if isinstance(func, ast.Name) and func.id in DYNAMIC_ATTRIBUTE_CALLS and node.args:
            target = _dotted(node.args[0]) or ast.unparse(node.args[0])
            self.flag("patches-module", f"{func.id}({target}, ...)")
            for argument in [*node.args, *node.keywords]:
                self.visit(argument)
            return
        if isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) > 1:
            attribute = node.args[1]
            if not isinstance(attribute, ast.Constant):
                self.flag("dynamic-code", "getattr with a computed name")
            elif str(attribute.value) in DANGEROUS_DUNDERS | IPYTHON_ATTRIBUTES:
                self.flag("dynamic-code", f"getattr(..., {attribute.value!r})")
        if isinstance(func, ast.Attribute) and func.attr in PATH_FILE_CHANGES:
            self.flag("writes-files", f".{func.attr}()")
        self.generic_visit(node)

    def ipython_call(self, node: ast.Call) -> None:
        method = node.func.attr
        name = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        if method in {"run_line_magic", "run_cell_magic"} and name in TIMING_AND_PLOT_MAGICS:
            if name in CODE_MAGICS:
                code = node.args[-1].value if isinstance(node.args[-1], ast.Constant) else None
                tree = parse_cell(str(code)) if code is not None else None
                if tree is None:
                    self.flag("ipython-hooks", f"%{name} with arguments that are not plain code")
                else:
                    self.visit(tree)
            return
        if method in {"system", "getoutput"} or name in {"bash", "sh", "script", "system", "sx", "sc"}:
            self.flag("background-process", f"shell command ({method})")
        else:
            self.flag("ipython-hooks", f"%{name}" if name else f"get_ipython().{method}")


def _is_ipython_call(node: ast.Call) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "get_ipython"
    )


def _opens_for_writing(node: ast.Call) -> bool:
    mode = node.args[1] if len(node.args) > 1 else None
    for keyword in node.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    if mode is None:
        return False
    if not isinstance(mode, ast.Constant) or not isinstance(mode.value, str):
        return True  # a computed mode may well write
    return any(letter in mode.value for letter in "wax+")


def _module_names(trees: list[ast.Module]) -> dict[str, str]:
    names: dict[str, str] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    names.setdefault(alias.asname or top, alias.name if alias.asname else top)
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    if alias.name != "*":
                        names.setdefault(alias.asname or alias.name, f"{node.module}.{alias.name}")
    return names


def build_context(run_cells: list[RunCell], master: MasterNotebook) -> Context:
    """Work out which names the tests of this submission take from earlier cells."""
    locked_trees = {}
    for cell in master.cells:
        if cell.locked and cell.cell_type == "code":
            tree = parse_cell(cell.source)
            if tree is not None:
                locked_trees[cell.grade_id] = tree
    answers: set[str] = set()
    for cell in master.cells:
        if cell.solution and cell.cell_type == "code":
            tree = parse_cell(cell.source)
            answers |= _names_bound(tree) if tree is not None else set()
    # Imports and helper functions of setup cells: a helper reads them whenever a test calls it.
    setup_names: set[str] = set()
    for cell in master.cells:
        if cell.grade_id in locked_trees and not cell.grade:
            setup_names |= _definitions(locked_trees[cell.grade_id])
    locked_names = set().union(*(_names_bound(tree) for tree in locked_trees.values()))
    student_trees = [parse_cell(cell.source) for cell in run_cells if cell.role == "student"]
    module_names = _module_names(list(locked_trees.values()))
    for name, module in _module_names([tree for tree in student_trees if tree is not None]).items():
        module_names.setdefault(name, module)

    tests = [tree for grade_id, tree in locked_trees.items() if master.by_id[grade_id].is_autograded_test]
    called_by_tests = {
        node.func.id
        for tree in tests
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    context = Context(
        module_names=module_names,
        protected_everywhere=setup_names - answers,
        called_by_tests=called_by_tests,
    )
    # Walk backwards: a name matters at a student cell if a later locked cell reads it before
    # any locked cell in between binds it again.
    later_reads: set[str] = set()
    for cell in reversed(run_cells):
        context.protected_later[cell.index] = (later_reads & locked_names) - answers
        tree = locked_trees.get(cell.grade_id) if cell.role == "restored" else None
        if tree is None:
            continue
        later_reads = (later_reads - _names_bound(tree)) | free_reads(tree)
        if master.by_id[cell.grade_id].is_autograded_test:
            context.last_test_index = max(context.last_test_index, cell.index)
    return context


def integrity_flags(submitted, master: MasterNotebook) -> list[Flag]:
    """Flags for every construct in the student's cells that could change what a test sees.

    Parameters
    ----------
    submitted : notebook (nbformat node or dict)
        The notebook as the student handed it in.
    master : MasterNotebook
        The instructor's version, from :func:`read_master`.

    Returns
    -------
    list of Flag, in cell order, at most one of each kind per cell.
    """
    run_cells = cells_as_run(submitted, master)
    context = build_context(run_cells, master)
    flags: list[Flag] = []
    for cell in run_cells:
        if cell.role != "student" or not cell.source.strip():
            continue
        tree = parse_cell(cell.source)
        if tree is None:
            flags.append(Flag("unparsed-cell", "not valid Python/IPython", cell.index))
            continue
        try:
            _CellChecker(cell.index, context, flags).visit(tree)
        except RecursionError:
            flags.append(Flag("unparsed-cell", "nested too deeply to read", cell.index))
    unique = {}
    for flag in flags:
        unique.setdefault((flag.kind, flag.cell), flag)  # one flag of each kind per cell
    return list(unique.values())
