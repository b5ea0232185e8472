"""Check a submitted notebook before it is graded: repair what can be repaired, flag what looks like tampering.

Repairs (the submission is then graded normally, and the instructor is told):
- a graded or read-only cell whose nbgrader metadata was stripped gets it back when it can be
  recognised (a test cell by its text, a solution cell by the function it defines);
- a deleted test or read-only cell is put back from the source notebook; a deleted solution cell
  comes back as the release's empty stub (no credit for that exercise);
- an edited test cell is noted (nbgrader itself restores its text from the source).

Tampering (the submission gets zero, with the reasons, and is flagged): code written by the
learner that rebinds a name the tests rely on (a provided helper, a check, an expected value),
changes attributes of modules (numpy, the helpers, builtins), imports machinery with no place in
these exercises (ctypes, gc, importlib, signal, subprocess, ...), ends or signals the kernel
(os._exit, os.kill, sys.exit), uses exec/eval/setattr/globals(), writes files, or opens paths
outside its folder (the gradebook, source/, other submissions). The static check reads the code;
the sandbox (tools/sandbox_kernel.py) and the tamper guard in grading.py enforce at run time.
"""

import ast
import copy
import os
import re

from IPython.core.inputtransformer2 import TransformerManager

from tools import notebooks

MACHINERY_IMPORTS = {"builtins", "ctypes", "gc", "importlib", "inspect", "signal", "subprocess", "socket",
                     "multiprocessing", "threading", "shutil", "pickle", "marshal", "types", "sys"}
MODULE_NAMES = {"np", "numpy", "builtins", "sys", "os", "importlib", "grading", "rnn_utils", "lstm", "random", "math"}
FORBIDDEN_CALLS = {"exec", "eval", "compile", "setattr", "delattr", "globals", "vars", "__import__", "breakpoint",
                   "exit", "quit", "get_ipython", "locals"}
FORBIDDEN_ATTR_CALLS = {("os", "_exit"), ("os", "kill"), ("os", "killpg"), ("os", "abort"), ("os", "system"),
                        ("os", "popen"), ("os", "remove"), ("os", "unlink"), ("os", "rename"), ("os", "replace"),
                        ("os", "chdir"), ("os", "fork"), ("os", "rmdir"), ("os", "makedirs"), ("os", "mkdir"),
                        ("sys", "exit"), ("sys", "settrace"), ("sys", "setprofile")}
DUNDER_ATTRS = {"__globals__", "__code__", "__dict__", "__builtins__", "__subclasses__", "__defaults__",
                "__kwdefaults__", "__closure__", "__class__", "__bases__", "__mro__", "__getattribute__"}
SUSPICIOUS_TEXT = re.compile(r"gradebook|\.\./|(^|/)(source|submitted|autograded|feedback|release)/|\.git(/|$)")
OUTSIDE_PATH = re.compile(r"(^/|\.\.|gradebook|(^|/)(source|submitted|autograded|release|feedback)(/|$)|\.git)")
_transformer = TransformerManager()


def _dotted(node):
    """'np.random.seed' for an Attribute chain rooted at a Name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id] + parts[::-1])
    return None


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _Scanner(ast.NodeVisitor):
    def __init__(self, protected, modules):
        self.protected, self.modules, self.reasons = protected, modules, []
        self.scopes = []  # names declared global in each enclosing function

    def _rebinds_global(self, name):
        """A bare name assigned here is a notebook global at top level, or inside a function that says `global`."""
        return not self.scopes or name in self.scopes[-1]

    def flag(self, node, what):
        self.reasons.append(f"line {getattr(node, 'lineno', '?')}: {what}")

    def _target(self, target, node):
        if isinstance(target, ast.Name) and target.id in self.protected and self._rebinds_global(target.id):
            self.flag(node, f"rebinds `{target.id}`, which the tests rely on")
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            root = _root(target)
            if root in self.modules or root in self.protected or root in ("sys", "__builtins__"):
                self.flag(node, f"changes `{ast.unparse(target)}`")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._target(elt, node)
        elif isinstance(target, ast.Starred):
            self._target(target.value, node)

    def visit_Assign(self, node):
        for t in node.targets:
            self._target(t, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._target(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._target(node.target, node)
        self.generic_visit(node)

    def visit_Delete(self, node):
        for t in node.targets:
            self._target(t, node)

    def visit_For(self, node):
        self._target(node.target, node)
        self.generic_visit(node)

    def visit_With(self, node):
        for item in node.items:
            if item.optional_vars is not None:
                self._target(item.optional_vars, node)
        self.generic_visit(node)

    def visit_NamedExpr(self, node):
        self._target(node.target, node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if node.name in self.protected and self._rebinds_global(node.name):
            self.flag(node, f"redefines `{node.name}`, which the tests rely on")
        declared = {n for stmt in ast.walk(node) if isinstance(stmt, ast.Global) for n in stmt.names}
        self.scopes.append(declared)
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self.scopes.append(set())
        self.generic_visit(node)
        self.scopes.pop()

    def visit_ClassDef(self, node):
        if node.name in self.protected and self._rebinds_global(node.name):
            self.flag(node, f"redefines `{node.name}`, which the tests rely on")
        self.scopes.append(set())
        self.generic_visit(node)
        self.scopes.pop()

    def visit_Import(self, node):
        for alias in node.names:
            top = alias.name.split(".")[0]
            bound = alias.asname or top
            if top in MACHINERY_IMPORTS:
                self.flag(node, f"imports `{alias.name}`")
            origin = alias.name if alias.asname else top
            if bound in self.protected and self._rebinds_global(bound) and self.protected[bound] != origin:
                self.flag(node, f"rebinds `{bound}` by an import")

    def visit_ImportFrom(self, node):
        top = (node.module or "").split(".")[0]
        if top in MACHINERY_IMPORTS:
            self.flag(node, f"imports from `{node.module}`")
        for alias in node.names:
            bound = alias.asname or alias.name
            same = self.protected.get(bound) == f"{node.module}:{alias.name}"
            if bound == "*" or (bound in self.protected and self._rebinds_global(bound) and not same):
                self.flag(node, f"rebinds `{bound}` by an import")

    def visit_Attribute(self, node):
        if node.attr in DUNDER_ATTRS:
            self.flag(node, f"reaches into `{node.attr}`")
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id == "__builtins__":
            self.flag(node, "uses `__builtins__`")

    def visit_Constant(self, node):
        if isinstance(node.value, str) and SUSPICIOUS_TEXT.search(node.value):
            self.flag(node, f"refers to {node.value[:60]!r}, outside its own folder")

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
            self.flag(node, f"calls `{func.id}()`")
        dotted = _dotted(func)
        if dotted:
            parts = dotted.split(".")
            if len(parts) >= 2 and (parts[-2], parts[-1]) in FORBIDDEN_ATTR_CALLS:
                self.flag(node, f"calls `{dotted}()`")
            if parts[-1] in ("write_text", "write_bytes", "unlink", "rmdir", "rename", "replace", "touch", "chmod"):
                self.flag(node, f"calls `{dotted}()` on a file")
        if isinstance(func, ast.Name) and func.id == "open" or dotted in ("io.open", "os.open", "codecs.open"):
            self._open(node)
        self.generic_visit(node)

    def _open(self, node):
        mode = None
        if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            mode = node.args[1].value
        for kw in node.keywords:
            if kw.arg == "mode" and isinstance(kw.value, ast.Constant):
                mode = kw.value.value
        if isinstance(mode, str) and any(ch in mode for ch in "wax+"):
            self.flag(node, f"opens a file for writing (mode {mode!r})")
        if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            path = node.args[0].value
            if OUTSIDE_PATH.search(path):
                self.flag(node, f"opens {path!r}, outside its own folder")
        elif node.args:
            self.flag(node, "opens a file whose name is computed")


def scan(code, protected, modules=MODULE_NAMES):
    """Return a list of tamper reasons found in a cell's code (IPython syntax allowed).

    `protected` maps the names the tests rely on to where the notebook imports them from
    (see protected_names); importing the same thing again under the same name is allowed.
    """
    try:
        python = _transformer.transform_cell(code)
        tree = ast.parse(python)
    except (SyntaxError, ValueError):
        return []  # code that does not parse cannot run either; its tests fail on their own
    if "get_ipython()" in python and "get_ipython()" not in code:
        return ["uses IPython magics or shell commands (`%`, `!`)"]
    scanner = _Scanner(protected, modules)
    scanner.visit(tree)
    return scanner.reasons


def protected_names(source_nb, folder):
    """Names the notebook imports in its own (non-solution) cells, star-imported helpers included.

    These are what the tests call: the checks, the expected values and case builders, the provided
    helpers, numpy. Variables of demo cells are not protected: learners may experiment with them.
    """
    names = {}  # name -> where the notebook imports it from ("numpy", "grading:check_close")
    solution_names = set()
    for cell in source_nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        try:
            tree = ast.parse(_transformer.transform_cell(notebooks.strip_markers(cell.source)))
        except SyntaxError:
            continue
        bound = {}
        for node in tree.body:
            if meta.get("solution") and isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Assign)):
                targets = [node.name] if hasattr(node, "name") else [t.id for t in node.targets
                                                                     if isinstance(t, ast.Name)]
                bound.update(dict.fromkeys(targets))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    bound[alias.asname or top] = alias.name if alias.asname else top
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name == "*":
                        exports = _module_exports(os.path.join(folder, f"{node.module}.py"))
                        bound.update({n: f"{node.module}:{n}" for n in exports})
                    else:
                        bound[alias.asname or alias.name] = f"{node.module}:{alias.name}"
        if meta.get("solution"):
            solution_names |= set(bound)
        elif not meta.get("grade"):  # test cells bind only their own scratch names
            names.update(bound)
    return {k: v for k, v in names.items() if k not in solution_names}


def _module_exports(path):
    if not os.path.exists(path):
        return set()
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return {elt.value for elt in node.value.elts if isinstance(elt, ast.Constant)}
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")}


def _defined_functions(code):
    try:
        tree = ast.parse(_transformer.transform_cell(code))
    except SyntaxError:
        return set()
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _normal(text):
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def check(submitted, source, release, folder):
    """Repair `submitted` (a notebook, changed in place) and judge it.

    Arguments:
    submitted -- the learner's notebook
    source -- the instructor notebook (solutions and hidden tests)
    release -- the student release (what the learner was given)
    folder -- the assignment's source folder (for the helper modules' exported names)

    Returns:
    notes -- list of str: repairs made (graded normally)
    tampering -- list of str: reasons to give zero and flag
    """
    notes, tampering = [], []
    src_cells = [c for c in source.cells if notebooks.grade_id(c)]
    rel_by_id = notebooks.cells_by_id(release)
    sub_by_id = {}
    for cell in submitted.cells:
        gid = notebooks.grade_id(cell)
        if gid in sub_by_id:
            notes.append(f"duplicate cell {gid!r}: the copy after the first was unlabelled")
            cell.metadata.pop("nbgrader", None)
        elif gid:
            sub_by_id[gid] = cell
    unlabelled = [c for c in submitted.cells if not notebooks.grade_id(c)]
    # put metadata back on cells that lost it
    for src in src_cells:
        gid = notebooks.grade_id(src)
        if gid in sub_by_id:
            continue
        meta = src.metadata["nbgrader"]
        if meta.get("solution"):
            wanted = _defined_functions(notebooks.strip_markers(src.source))
            match = next((c for c in unlabelled if c.cell_type == "code" and wanted
                          and wanted <= _defined_functions(c.source)), None)
        else:
            text = _normal(rel_by_id[gid].source) if gid in rel_by_id else None
            match = next((c for c in unlabelled if c.cell_type == src.cell_type and _normal(c.source) == text), None)
        if match is not None:
            match.metadata["nbgrader"] = copy.deepcopy(meta)
            unlabelled.remove(match)
            sub_by_id[gid] = match
            notes.append(f"cell {gid!r} had lost its nbgrader metadata: restored")
    # put deleted cells back, after the cell that precedes them in the source
    for i, src in enumerate(src_cells):
        gid = notebooks.grade_id(src)
        if gid in sub_by_id:
            continue
        restored = copy.deepcopy(rel_by_id[gid] if src.metadata["nbgrader"].get("solution") else src)
        restored.pop("id", None)
        if restored.cell_type == "code":
            restored.outputs, restored.execution_count = [], None
        previous = next((sub_by_id[notebooks.grade_id(s)] for s in reversed(src_cells[:i])
                         if notebooks.grade_id(s) in sub_by_id), None)
        position = submitted.cells.index(previous) + 1 if previous is not None else 0
        submitted.cells.insert(position, restored)
        sub_by_id[gid] = restored
        kind = "solution cell (restored empty: no credit)" if src.metadata["nbgrader"].get("solution") else "cell"
        notes.append(f"{kind} {gid!r} was deleted: restored from the source")
    # edited test cells (nbgrader restores their text; say so)
    for gid, cell in sub_by_id.items():
        meta = cell.metadata.get("nbgrader", {})
        edited = gid in rel_by_id and _normal(cell.source) != _normal(rel_by_id[gid].source)
        if meta.get("grade") and not meta.get("solution") and edited:
            notes.append(f"test cell {gid!r} was edited: graded with the original")
    # what the learner wrote: solution cells and cells of their own
    protected = protected_names(source, folder)
    for cell in submitted.cells:
        meta = cell.metadata.get("nbgrader", {})
        authored = meta.get("solution") or not notebooks.grade_id(cell)
        if cell.cell_type == "code" and authored:
            where = notebooks.grade_id(cell) or "a cell of its own"
            tampering += [f"{where}: {r}" for r in scan(cell.source, protected)]
    return notes, tampering
