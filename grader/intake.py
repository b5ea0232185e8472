"""Read a submitted notebook as data: repair what can be repaired, note what a human should look at.

Repairs (the submission is then graded normally, and the instructor is told):
- a graded or read-only cell whose nbgrader metadata was stripped, or is not a mapping, gets it back
  when it can be recognised (a test cell by its text, a solution cell by the function it defines);
- a deleted test or read-only cell is put back from the source notebook; a deleted solution cell
  comes back as the release's empty stub (no credit for that exercise);
- a cell carrying a grade_id the assignment does not have loses its nbgrader metadata (it is graded
  as a cell of the learner's own: it runs, and counts for nothing);
- an edited test or read-only cell is noted (the judge runs the instructor's version).

Findings (a flag for the instructor's review; they never take points away, since the judge runs
outside the learner's process and only evidence changes a grade): code the learner wrote that
rebinds a name the tests rely on, changes attributes of modules, imports machinery with no place
in these exercises (ctypes, gc, subprocess, socket, signal, ...), ends or signals its process,
reaches into frames, tracebacks, globals of functions or IPython's hooks, runs shell commands, or
opens paths outside its own folder. Importing sys, inspect, time or copy, %timeit, globals(), and
writing a file of its own into its folder are what learners do, and are not findings.
"""

import ast
import copy
import os
import re

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

from tools import notebooks

MACHINERY_IMPORTS = {"builtins", "ctypes", "cffi", "gc", "signal", "subprocess", "socket", "multiprocessing",
                     "pty", "marshal", "resource", "fcntl", "mmap", "faulthandler", "tracemalloc"}
MODULE_NAMES = {"np", "numpy", "builtins", "sys", "os", "importlib", "grading", "rnn_utils", "lstm", "random", "math"}
FORBIDDEN_CALLS = {"exec", "eval", "compile", "setattr", "delattr", "__import__", "breakpoint", "exit", "quit"}
# IPython magics that are part of ordinary work (after IPython's transformation they are
# get_ipython().run_line_magic / run_cell_magic calls); any other use of get_ipython() is a finding
HARMLESS_MAGICS = {"timeit", "time", "matplotlib", "who", "whos", "who_ls", "pinfo", "pinfo2", "psource", "pdoc",
                   "pdef", "precision", "history", "page", "config", "env", "pwd", "ls", "lsmagic", "magic",
                   "prun", "capture", "demo", "load_ext", "autoreload"}
FORBIDDEN_ATTR_CALLS = {("os", "_exit"), ("os", "kill"), ("os", "killpg"), ("os", "abort"), ("os", "system"),
                        ("os", "popen"), ("os", "fork"), ("sys", "exit"), ("sys", "settrace"), ("sys", "setprofile"),
                        ("sys", "_getframe"),
                        ("sys", "_current_frames"), ("sys", "addaudithook"), ("sys", "displayhook"),
                        ("sys", "excepthook"), ("os", "setsid"), ("os", "execv"), ("os", "execve"),
                        ("os", "spawnv"), ("os", "posix_spawn"), ("os", "forkpty")}
DUNDER_ATTRS = {"__self__", "__globals__", "__code__", "__builtins__", "__subclasses__", "__defaults__",
                "__kwdefaults__", "__closure__", "__bases__", "__mro__", "__getattribute__", "__traceback__",
                "tb_frame", "tb_next", "f_back", "f_globals", "f_locals", "f_builtins", "gi_frame", "cr_frame",
                "input_transformers_post", "input_transformers_cleanup", "ast_transformers", "events", "run_code",
                "run_cell", "set_custom_exc", "user_ns", "user_global_ns", "displayhook", "display_pub"}
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
        self.scopes.append({n for stmt in node.body if isinstance(stmt, ast.Global) for n in stmt.names})
        self.generic_visit(node)
        self.scopes.pop()

    def visit_MatchAs(self, node):
        if node.name in self.protected and self._rebinds_global(node.name):
            self.flag(node, f"rebinds `{node.name}` by a match pattern")
        self.generic_visit(node)

    def visit_MatchStar(self, node):
        if node.name in self.protected and self._rebinds_global(node.name):
            self.flag(node, f"rebinds `{node.name}` by a match pattern")

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
        if isinstance(func, ast.Name) and func.id == "get_ipython":
            self.flag(node, "uses IPython's shell object (`get_ipython()`)")
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
                and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython"):
            magic = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
            if not (func.attr in ("run_line_magic", "run_cell_magic") and magic in HARMLESS_MAGICS):
                what = f"%{magic}" if func.attr.startswith("run_") and magic else f"get_ipython().{func.attr}"
                self.flag(node, f"uses `{what}` (a shell command or IPython's machinery)")
            for arg in node.args[1:]:
                self.visit(arg)
            return
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
            self.flag(node, f"calls `{func.id}()`")
        if (isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) > 1
                and not isinstance(node.args[1], ast.Constant)):
            self.flag(node, "calls `getattr()` with a computed name")
        dotted = _dotted(func)
        if dotted:
            parts = dotted.split(".")
            if len(parts) >= 2 and (parts[-2], parts[-1]) in FORBIDDEN_ATTR_CALLS:
                self.flag(node, f"calls `{dotted}()`")
            if parts[-1] in ("unlink", "rmdir", "chmod", "chown", "symlink_to", "hardlink_to"):
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
        writing = isinstance(mode, str) and any(ch in mode for ch in "wax+")
        if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            path = node.args[0].value
            if OUTSIDE_PATH.search(path):
                self.flag(node, f"opens {path!r}, outside its own folder")
            elif writing and (path.endswith(".py") or path.endswith(".ipynb")):
                self.flag(node, f"overwrites {path!r} (mode {mode!r})")


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
    except (RecursionError, MemoryError):
        return ["code too deeply nested to be read (not a verdict: look at it)"]
    scanner = _Scanner(protected, modules)
    try:
        scanner.visit(tree)
    except (RecursionError, MemoryError):
        scanner.reasons.append("code too deeply nested to be read to the end (not a verdict: look at it)")
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
        except (SyntaxError, ValueError, RecursionError, MemoryError):
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
    # what tampering would aim at: the checks, the expected values and the modules themselves; the
    # provided helpers are the learner's to shadow (their own code is what they would change)
    return {k: v for k, v in names.items() if k not in solution_names
            and (":" not in v or v.startswith("grading:") or v.split(":")[0].endswith("_expected"))}


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
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _normal(text):
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def normalize_metadata(submitted, known):
    """Make every cell's metadata a mapping and drop nbgrader metadata that is not the assignment's.

    Returns notes saying what was dropped. Idempotent: the judge calls it again if a later step fails.
    """
    notes = []
    for cell in submitted.cells:
        meta = cell.get("metadata")
        if not isinstance(meta, dict):
            cell["metadata"] = meta = nbformat.NotebookNode()
        nb_meta = meta.get("nbgrader")
        if nb_meta is None:
            continue
        gid = nb_meta.get("grade_id") if isinstance(nb_meta, dict) else None
        if not isinstance(nb_meta, dict):
            meta.pop("nbgrader")
            notes.append("a cell's nbgrader metadata was not a mapping: removed")
        elif not isinstance(gid, str) or gid not in known:
            meta.pop("nbgrader")
            notes.append(f"a cell carried nbgrader metadata the assignment does not have ({str(gid)[:40]!r}): "
                         "graded as a cell of the learner's own")
    return notes


def check(submitted, source, release, folder):
    """Repair `submitted` (a notebook, changed in place) and scan what the learner wrote.

    Arguments:
    submitted -- the learner's notebook
    source -- the instructor notebook (solutions and hidden tests)
    release -- the student release (what the learner was given)
    folder -- the assignment's source folder (for the helper modules' exported names)

    Returns:
    notes -- list of str: repairs made (graded normally)
    findings -- list of str: what the scan found in code the learner wrote (a flag for review, never a verdict)
    """
    notes, findings = [], []
    src_cells = [c for c in source.cells if notebooks.grade_id(c)]
    notes += normalize_metadata(submitted, {notebooks.grade_id(c) for c in src_cells})
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
            findings += [f"{where}: {r}" for r in scan(cell.source, protected)]
    return notes, findings
