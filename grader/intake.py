"""Read a submitted notebook as data: repair what can be repaired, note what a human should look at.

Repairs, in the steps of nbgrader's autograde (DeduplicateIds, then OverwriteCells with missing cells
added back), so that the notebook is graded as the assignment's:
- nbgrader metadata that is not a mapping, or carries a grade_id the assignment does not have, is
  dropped (that cell is graded as a cell of the learner's own: it runs, and counts for nothing);
- a grade_id found on several cells stays on the last copy (of the released cell type, if any);
- a cell whose metadata was stripped gets it back when it can be recognised (a read-only cell by
  its text, a solution cell by the functions it defines);
- every cell of the assignment gets the course's metadata and cell type back (a test cell turned
  into Markdown runs again as code); test and read-only cells get their released text back;
- a deleted test or read-only cell is put back from the release, after the assignment's cell that
  precedes it; a deleted solution cell comes back only with what no cell of the learner defines
  (the given lines, the stubs of functions never written): never a stub over the learner's own
  definitions. A solution stub set aside as Markdown is left as the learner's, and never run.
Repairs that grade the notebook as the learner's own run of it would are notes (a stripped metadata,
a changed cell type, a duplicate); repairs that change what is graded (a deleted or edited test, an
edited read-only code cell, an invented graded cell) are reasons, one line per kind, however many
cells. A notebook that is not this assignment's (most of its exercise and test cells missing, or the
cells of another assignment in it) gets one reason naming what it looks like, and its repairs are notes.

Findings (a flag for the instructor's review; they never take points away, since the judge runs
outside the learner's process and only evidence changes a grade): code the learner wrote that
rebinds a name the tests rely on, changes attributes of modules, imports machinery with no place
in these exercises (ctypes, gc, subprocess, socket, signal, ...), ends or signals its process,
reaches into frames, tracebacks, globals of functions or IPython's hooks, runs shell commands, or
opens paths outside its own folder. Importing sys, inspect, time or copy, %timeit, globals(), and
writing a file of its own into its folder are what learners do, and are not findings.

Bounds: the reading of the learner's code (parse and scan) stops after INTAKE_SECONDS (a timer, so
one slow cell cannot hold it) and skips cells of more than MAX_CODE_CHARS; either is a reason, the
repairs are always made, and the notebook is graded as usual.
"""

import ast
import contextlib
import copy
import os
import re
import signal
import threading
import time

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from nbformat.v4.nbbase import random_cell_id

from course import notebooks
from course.assignments import ASSIGNMENTS, course_modules, release_notebook

MACHINERY_IMPORTS = {"builtins", "ctypes", "cffi", "gc", "signal", "subprocess", "socket", "multiprocessing",
                     "pty", "marshal", "resource", "fcntl", "mmap", "faulthandler", "tracemalloc"}
# modules whose attributes a notebook changing is a finding: the standard ones the tests use and every module the
# assignments' folders carry (course/assignments.py)
MODULE_NAMES = {"np", "numpy", "builtins", "sys", "os", "importlib", "random", "math"} | course_modules()
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
TOP_LEVEL_NAME = re.compile(r"^(?:async[ \t]+def|def|class)[ \t]+(\w+)|^(\w+)[ \t]*(?::[^=\n]*)?=(?!=)", re.M)
TOO_DEEP = "code too deeply nested to be read (not a verdict: look at it)"
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


def parse(code):
    """The syntax tree of a cell's code, IPython syntax allowed (plain Python is parsed as it is: faster, same tree).

    Raises SyntaxError or ValueError for code that does not parse, RecursionError or MemoryError for code
    nested too deeply to be read.
    """
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):
        pass
    try:
        python = _transformer.transform_cell(code)
    except (RecursionError, MemoryError):
        raise
    except Exception as err:  # noqa: BLE001 (IPython gives up on some cells, e.g. 500 rounds of transforms: so does the kernel)
        raise SyntaxError(f"IPython cannot transform this cell ({type(err).__name__})") from None
    return ast.parse(python)


def scan(code, protected, modules=MODULE_NAMES):
    """Return a list of tamper reasons found in a cell's code (IPython syntax allowed).

    `protected` maps the names the tests rely on to where the notebook imports them from
    (see protected_names); importing the same thing again under the same name is allowed.
    """
    try:
        tree = parse(code)
    except (SyntaxError, ValueError):
        return []  # code that does not parse cannot run either; its tests fail on their own
    except (RecursionError, MemoryError):
        return [TOO_DEEP]
    return scan_tree(tree, protected, modules)


def scan_tree(tree, protected, modules=MODULE_NAMES):
    """scan() of code already parsed."""
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
        meta = notebooks.nbgrader(cell)
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
        tree = parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _normal(text):
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def _binds(node):
    """Names a statement binds in the namespace it runs in (not inside the functions or classes it defines)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    else:
        targets = []
    names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for child in ast.iter_child_nodes(node):  # the bodies of if, for, while, with, try and match statements
        if isinstance(child, ast.stmt):
            names |= _binds(child)
        elif isinstance(child, (ast.excepthandler, ast.match_case)):
            for stmt in child.body:
                names |= _binds(stmt)
    return names


def _without(code, names):
    """`code` less its top-level statements that bind nothing but `names`: (the rest, the names of what was left out).

    How a deleted solution cell comes back when the learner wrote its functions elsewhere: only what
    they did not write (the given lines, the stubs of what they never defined) is put back.
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return code, set()
    lines, drop, dropped = code.split("\n"), set(), set()
    for node in tree.body:
        bound = _binds(node)
        if bound and bound <= names:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            drop.update(range(first - 1, node.end_lineno))
            dropped |= bound
    rest = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    return re.sub(r"\n{3,}", "\n\n", rest).strip("\n"), dropped


# ---------------------------------------------------------------------------------------------
# repairs: the submission brought back to the assignment's cells, as nbgrader's autograde does

INTAKE_SECONDS = 10.0     # the intake reads one notebook's code for this long at most; the rest is not scanned
MAX_CODE_CHARS = 100_000  # a cell of more code than this is not read (a reason says so); it still runs
MAX_FINDINGS = 20         # findings listed one by one; the others are counted
MAX_LISTED = 8            # cells named in one line of repairs; the others are counted
NOTE, REASON = "note", "reason"

# One line per kind of repair, however many cells it concerns. A note is a repair that grades the notebook as
# the learner's own run of it would; a reason (a flag for review) is one that changes what is graded.
# kind -> (NOTE or REASON, the line for one cell, the line for several; {items} names them, {n} counts them)
REPAIRS = {
    "not-a-mapping": (NOTE, "a cell's nbgrader metadata was not a mapping: removed",
                      "{n} cells' nbgrader metadata was not a mapping: removed"),
    "foreign": (NOTE, "a cell carried nbgrader metadata the assignment does not have ({items}): graded as a cell of "
                      "the learner's own",
                "{n} cells carried nbgrader metadata the assignment does not have ({items}): graded as cells of the "
                "learner's own"),
    "foreign-graded": (REASON, "a cell carried nbgrader metadata the assignment does not have ({items}), claiming "
                               "points or a solution: graded as a cell of the learner's own, for no points",
                       "{n} cells carried nbgrader metadata the assignment does not have ({items}), claiming points "
                       "or solutions: graded as cells of the learner's own, for no points"),
    "duplicate": (NOTE, "cell {items} appeared more than once: the last copy is the assignment's, the others are "
                        "graded as cells of the learner's own",
                  "{n} cells appeared more than once ({items}): the last copy of each is the assignment's, the others "
                  "are graded as cells of the learner's own"),
    "relabelled": (NOTE, "cell {items} had lost its nbgrader metadata: restored",
                   "{n} cells had lost their nbgrader metadata: restored ({items})"),
    "metadata": (NOTE, "cell {items} had its nbgrader metadata changed: the course's is used",
                 "{n} cells had their nbgrader metadata changed: the course's is used ({items})"),
    "type": (NOTE, "cell {items} had changed type: restored as released",
             "{n} cells had changed type: restored as released ({items})"),
    "set-aside": (NOTE, "solution cell {items} was turned into a cell that is not code: left as the learner's "
                        "and not run",
                  "{n} solution cells were turned into cells that are not code: left as the learner's and not run "
                  "({items})"),
    "locked-text": (NOTE, "read-only cell {items} was edited: restored as released",
                    "{n} read-only cells were edited: restored as released ({items})"),
    "locked-code": (REASON, "read-only code cell {items} was edited: it runs as released, the edit does not",
                    "{n} read-only code cells were edited: they run as released, the edits do not ({items})"),
    "test-edited": (REASON, "test cell {items} was edited: graded with the original",
                    "{n} test cells were edited: graded with the originals ({items})"),
    "locked-deleted": (NOTE, "read-only cell {items} was deleted: restored from the release",
                       "{n} read-only cells were deleted: restored from the release ({items})"),
    "test-deleted": (REASON, "test cell {items} was deleted: restored from the release",
                     "{n} test cells were deleted: restored from the release ({items})"),
    "solution-elsewhere": (NOTE, "solution cell {items} was deleted; the learner's own definitions in other cells "
                                 "are graded",
                           "{n} solution cells were deleted; the learner's own definitions in other cells are "
                           "graded ({items})"),
    "solution-stub": (NOTE, "solution cell {items} was deleted and no other cell defines what it should: restored "
                            "as released (no credit)",
                      "{n} solution cells were deleted and no other cell defines what they should: restored as "
                      "released, no credit ({items})"),
}
TYPE_NAMES = {"code": "code", "markdown": "Markdown", "raw": "raw"}


def _listing(items):
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def _named(gid, names):
    """'char_ids' (char2id, id2char): a cell and the names it concerns (just 'sample' when they are its name)."""
    return repr(gid) if list(names) == [gid] else f"{gid!r} ({', '.join(names)})"


def _lines(repairs, level):
    """The note or reason lines of the repairs made ({kind: [item, ...]}), one a kind."""
    lines = []
    for kind, (kind_level, one, several) in REPAIRS.items():
        items = repairs.get(kind) or []
        if items and kind_level == level:
            lines.append((one if len(items) == 1 else several).format(items=_listing(items), n=len(items)))
    return lines


def _strip_unknown(submitted, known):
    """Make every cell's metadata a mapping and drop nbgrader metadata that is not the assignment's.

    Returns the repairs made ({kind: [item]}) and {id(cell): grade_id} of the cells whose grade_id was dropped.
    """
    repairs, dropped = {"not-a-mapping": [], "foreign": [], "foreign-graded": []}, {}
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
            repairs["not-a-mapping"].append("")
        elif not isinstance(gid, str) or gid not in known:
            meta.pop("nbgrader")
            claims = nb_meta.get("grade") or nb_meta.get("solution")
            repairs["foreign-graded" if claims else "foreign"].append(repr(str(gid)[:40]))
            if isinstance(gid, str):
                dropped[id(cell)] = gid
    return repairs, dropped


def normalize_metadata(submitted, known):
    """Make every cell's metadata a mapping and drop nbgrader metadata that is not the assignment's.

    Returns notes saying what was dropped. Idempotent: the judge calls it again if a later step fails.
    """
    repairs, _ = _strip_unknown(submitted, known)
    return _lines(repairs, NOTE) + _lines(repairs, REASON)


_COURSE = {}  # assignment -> its grade ids, the graded ones, the texts of its read-only cells (from its release)


def _course():
    if not _COURSE:
        for name in ASSIGNMENTS:
            path = release_notebook(name)
            try:
                cells = notebooks.read(path).cells
            except (OSError, ValueError):
                continue
            ids = {notebooks.grade_id(c) for c in cells} - {None}
            graded = {notebooks.grade_id(c) for c in cells if notebooks.is_test(c) or notebooks.is_solution(c)}
            texts = {_normal(c.source) for c in cells if notebooks.is_locked(c) and c.source.strip()}
            _COURSE[name] = (ids, graded - {None}, texts)
    return _COURSE


class _Overrun(BaseException):
    """The intake's time for reading code ran out in the middle of a parse or a scan."""


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise _Overrun inside the block after `seconds` (a SIGALRM timer, restored after the block).

    Only in the main thread and when no other timer runs; elsewhere the block runs unbounded and the
    intake's deadline, checked between cells, is the only bound.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return
    armed = [True]

    def ring(signum, frame):
        if armed[0]:
            armed[0] = False
            raise _Overrun()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        try:
            armed[0] = False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class _Reader:
    """Parses and scans the learner's cells, each at most once, within the intake's time and size bounds."""

    def __init__(self, seconds):
        self.seconds, self.deadline = seconds, time.monotonic() + seconds
        self.trees, self.too_large, self.too_deep = {}, set(), set()

    def left(self):
        return self.deadline - time.monotonic()

    def unread(self, cell):
        """Whether the cell's code could not be read (too large, too deep, or time ran out), as opposed to read."""
        key = id(cell)
        return key in self.too_large or key in self.too_deep or key not in self.trees

    def tree(self, cell):
        """The cell's syntax tree; None when it does not parse, is too large or too deep, or time is up."""
        key = id(cell)
        if key not in self.trees:
            tree = None
            if len(cell.source) > MAX_CODE_CHARS:
                self.too_large.add(key)
            elif self.left() <= 0:
                return None  # not cached: the scan says where it stopped
            else:
                try:
                    with _time_limit(self.left()):
                        tree = parse(cell.source)
                except (SyntaxError, ValueError):
                    pass
                except (RecursionError, MemoryError):
                    self.too_deep.add(key)
                except _Overrun:
                    return None
            self.trees[key] = tree
        return self.trees[key]

    def scan(self, tree, protected):
        """scan_tree() within the time left; None when time ran out."""
        try:
            with _time_limit(self.left()):
                return scan_tree(tree, protected)
        except _Overrun:
            return None


class _Intake:
    """One submission's repair, in the steps of nbgrader's autograde (DeduplicateIds, OverwriteCells), then its scan."""

    def __init__(self, submitted, source, release, seconds):
        self.nb = submitted
        self.source = notebooks.cells_by_id(source)
        self.released = notebooks.cells_by_id(release)
        self.order = [gid for gid in (notebooks.grade_id(c) for c in source.cells) if gid in self.released]
        self.graded = {gid for gid, c in self.released.items() if notebooks.is_test(c) or notebooks.is_solution(c)}
        self.reader = _Reader(seconds)
        self.repairs = {kind: [] for kind in REPAIRS}
        self.labelled = {}  # grade_id -> the submitted cell that is the assignment's
        self.dropped = {}  # id(cell) -> a grade_id the assignment does not have, which the cell carried

    def repair(self):
        found, self.dropped = _strip_unknown(self.nb, set(self.order))
        for kind, items in found.items():
            self.repairs[kind] += items
        self._deduplicate()
        self._relabel()
        for gid, cell in list(self.labelled.items()):
            self._overwrite(gid, cell)
        present = self.graded & set(self.labelled)
        mismatch = self._mismatch(present)
        self._restore_missing()
        return mismatch

    def _deduplicate(self):
        """One cell per grade_id: the last (as nbgrader keeps it), preferring a copy of the type released."""
        copies = {}
        for cell in self.nb.cells:
            gid = notebooks.grade_id(cell)
            if gid:
                copies.setdefault(gid, []).append(cell)
        for gid, cells in copies.items():
            right_type = [c for c in cells if c.cell_type == self.released[gid].cell_type]
            keep = (right_type or cells)[-1]
            self.labelled[gid] = keep
            for cell in cells:
                if cell is not keep:
                    cell.metadata.pop("nbgrader", None)
            if len(cells) > 1:
                self.repairs["duplicate"].append(repr(gid))

    def _relabel(self):
        """Give cells that lost their metadata it back: read-only cells by their text, solutions by what they define."""
        missing = [gid for gid in self.order if gid not in self.labelled]
        if not missing:
            return
        unlabelled = [c for c in self.nb.cells if not notebooks.grade_id(c)]
        texts = {}
        for gid in missing:
            if not notebooks.is_solution(self.released[gid]) and self.released[gid].source.strip():
                texts.setdefault(_normal(self.released[gid].source), []).append(gid)
        for cell in unlabelled:
            candidates = texts.get(_normal(cell.source)) if texts else None
            gid = next((g for g in candidates or [] if g not in self.labelled), None)
            if gid is not None:
                self._label(cell, gid)
        for gid in missing:
            if gid in self.labelled or not notebooks.is_solution(self.released[gid]):
                continue
            wanted = _defined_functions(notebooks.strip_markers(self.source[gid].source))
            for cell in unlabelled:
                if wanted and cell.cell_type == "code" and not notebooks.grade_id(cell):
                    tree = self.reader.tree(cell)
                    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))} \
                        if tree is not None else set()
                    if wanted <= defined:
                        self._label(cell, gid)
                        break

    def _label(self, cell, gid):
        cell.metadata["nbgrader"] = copy.deepcopy(self.released[gid].metadata["nbgrader"])
        self.labelled[gid] = cell
        self.repairs["relabelled"].append(repr(gid))

    def _overwrite(self, gid, cell):
        """As nbgrader's OverwriteCells: the course's metadata and cell type; read-only cells as released."""
        released = self.released[gid]
        meta, course = notebooks.nbgrader(cell), released.metadata["nbgrader"]
        fields = ("grade", "solution", "locked")
        changed = any(bool(meta.get(k)) != bool(course.get(k)) for k in fields)
        try:
            changed = changed or (float(meta.get("points") or 0) != float(course.get("points") or 0))
        except (TypeError, ValueError):
            changed = True
        if changed and repr(gid) not in self.repairs["relabelled"]:
            self.repairs["metadata"].append(repr(gid))
        cell.metadata["nbgrader"] = copy.deepcopy(course)
        for key in ("editable", "deletable"):
            if key in released.metadata:
                cell.metadata[key] = released.metadata[key]
        was = cell.cell_type
        change = f"{gid!r} ({TYPE_NAMES.get(released.cell_type)} handed in as {TYPE_NAMES.get(was, was)})"
        if notebooks.is_solution(released):
            if was != "code":
                stub = _normal(cell.source) == _normal(released.source)
                tree = None if stub else self.reader.tree(cell)
                if tree is not None and tree.body:  # the learner's code in a cell of another type: run it as code
                    notebooks.set_cell_type(cell, "code")
                    self.repairs["type"].append(change)
                else:  # a stub or prose set aside: never run it over the learner's own definitions
                    cell.metadata.pop("nbgrader")
                    del self.labelled[gid]
                    self.repairs["set-aside"].append(repr(gid))
            return
        if was != released.cell_type:
            notebooks.set_cell_type(cell, released.cell_type)
            self.repairs["type"].append(change)
        if _normal(cell.source) != _normal(released.source):
            kind = "test-edited" if notebooks.is_test(released) else "locked-code" if was == "code" else "locked-text"
            self.repairs[kind].append(repr(gid))
        cell.source = released.source

    def _learner_names(self):
        """Names the learner's own code binds at top level (solution cells and cells of their own)."""
        names = set()
        for cell in self.nb.cells:
            if cell.cell_type == "code" and (notebooks.is_solution(cell) or not notebooks.grade_id(cell)):
                tree = self.reader.tree(cell)
                for stmt in tree.body if tree is not None else []:
                    names |= _binds(stmt)
                if tree is None and self.reader.unread(cell):  # not read in time or too large: what it seems to define
                    names |= {m.group(1) or m.group(2) for m in TOP_LEVEL_NAME.finditer(cell.source)}
        return names

    def _restore_missing(self):
        """Put back deleted cells after the assignment's cell that precedes them; solutions only where nothing else
        defines what they should (never over the learner's own definitions)."""
        learner_names, after, anchor = None, {}, None
        with_ids = any("id" in cell for cell in self.nb.cells)  # nbformat 4.5 and later: every cell has one
        for gid in self.order:
            if gid in self.labelled:
                anchor = id(self.labelled[gid])
                continue
            released = self.released[gid]
            restored = copy.deepcopy(released)
            restored.pop("id", None)
            if with_ids:
                restored["id"] = random_cell_id()
            if restored.cell_type == "code":
                restored.outputs, restored.execution_count = [], None
            if notebooks.is_solution(released):
                if learner_names is None:
                    learner_names = self._learner_names()
                functions = sorted(_defined_functions(released.source))
                restored.source, dropped = _without(released.source, learner_names)
                elsewhere = [f for f in functions if f in dropped]
                stubbed = [f for f in functions if f not in dropped]
                if not functions:  # a solution of statements only: back unless the learner binds them all
                    self.repairs["solution-stub" if restored.source.strip() else "solution-elsewhere"].append(repr(gid))
                if elsewhere:
                    self.repairs["solution-elsewhere"].append(_named(gid, elsewhere))
                if stubbed:
                    self.repairs["solution-stub"].append(_named(gid, stubbed))
                if not restored.source.strip():
                    continue
            else:
                self.repairs["test-deleted" if notebooks.is_test(released) else "locked-deleted"].append(repr(gid))
            after.setdefault(anchor, []).append(restored)
            self.labelled[gid] = restored
        if after:
            cells = list(after.get(None, []))
            for cell in self.nb.cells:
                cells.append(cell)
                cells += after.get(id(cell), [])
            self.nb.cells = cells

    def _mismatch(self, present):
        """A reason when the notebook is not this assignment's (most of its exercise and test cells missing, or
        another assignment's cells in it), naming the assignment it looks like; None when it is this one's."""
        tests = {gid for gid in self.graded if notebooks.is_test(self.released[gid])}
        solutions = self.graded - tests
        # most of both kinds missing: a learner who deleted every test, or wrote every solution in one cell, is not
        # handing in another notebook
        missing = len(present & tests) * 2 < len(tests) and len(present & solutions) * 2 < len(solutions)
        if not missing and not self.dropped:
            return None  # (the common case, decided without reading the other assignments)
        course = _course()
        own_ids, own_texts = set(self.released), {_normal(c.source) for c in self.released.values()
                                                  if notebooks.is_locked(c)}
        ours = next((name for name, (ids, _, _) in course.items() if ids == own_ids), "this assignment")
        hits, graded_hits = {}, {}
        for cell in self.nb.cells:
            if notebooks.grade_id(cell):
                continue
            gid = self.dropped.get(id(cell))
            text = None if gid else _normal(cell.source)
            for name, (ids, graded, texts) in course.items():
                if name == ours:
                    continue
                if (gid in ids and gid not in own_ids) or (text and text in texts and text not in own_texts):
                    hits[name] = hits.get(name, 0) + 1
                if gid in graded:
                    graded_hits[name] = graded_hits.get(name, 0) + 1
        other = max(hits, key=hits.get) if hits else None
        held = (f"{len(present)} of the {len(self.graded)}" if present else f"none of the {len(self.graded)}")
        if missing:
            if other and hits[other] >= 3:
                return (f"this looks like the {other} notebook, not {ours}: it holds {hits[other]} of {other}'s cells "
                        f"and {held} exercise and test cells of {ours} (the missing ones were put back as released; "
                        "was the wrong notebook handed in?)")
            return (f"this does not look like the {ours} notebook: it holds {held} exercise and test cells of {ours} "
                    "(the missing ones were put back as released; was the wrong notebook handed in?)")
        if other and graded_hits.get(other, 0) * 2 >= len(course[other][1]):
            return (f"besides the cells of {ours}, this notebook holds {hits[other]} cells of the {other} notebook, "
                    f"{graded_hits[other]} of them its exercise and test cells (graded as cells of the learner's own; "
                    "were two notebooks handed in as one?)")
        return None

    def scan(self, protected):
        """Findings in the code the learner wrote (solution cells and cells of their own), within the bounds."""
        findings, bounds, at = [], [], [0]
        try:
            with _time_limit(max(self.reader.left(), 0.001)):  # one timer for the scan: the reads inside nest in it
                stopped = self._scan_cells(protected, findings, bounds, at)
        except _Overrun:  # (rang between two reads)
            stopped = True
        if stopped:
            bounds.append(f"the intake stopped reading the notebook's code after {self.reader.seconds:g} s, at cell "
                          f"{at[0] + 1} of {len(self.nb.cells)}: it and the cells after it were not scanned (they "
                          "still run; not a verdict: look at them)")
        if len(findings) > MAX_FINDINGS:
            findings = findings[:MAX_FINDINGS] + [f"... and {len(findings) - MAX_FINDINGS} more findings of the scan"]
        return findings + bounds

    def _scan_cells(self, protected, findings, bounds, at):
        """Scan cell after cell; True when time ran out (at[0] is then the cell where it stopped)."""
        reader = self.reader
        for index, cell in enumerate(self.nb.cells):
            at[0] = index
            if cell.cell_type != "code" or not (notebooks.is_solution(cell) or not notebooks.grade_id(cell)):
                continue
            where = notebooks.grade_id(cell) or "a cell of its own"
            tree = reader.tree(cell)
            found = reader.scan(tree, protected) if tree is not None else []
            if found is None or (tree is None and id(cell) not in reader.trees and id(cell) not in reader.too_large):
                return True
            if id(cell) in reader.too_large:
                bounds.append(f"cell {index + 1} ({where}) holds {len(cell.source):,} characters of code, more than "
                              f"the {MAX_CODE_CHARS:,} the intake reads: not scanned (it still runs; not a verdict: "
                              "look at it)")
            elif id(cell) in reader.too_deep:
                findings.append(f"{where}: {TOO_DEEP}")
            findings += [f"{where}: {r}" for r in found]
        return False


def check(submitted, source, release, folder, seconds=INTAKE_SECONDS):
    """Repair `submitted` (a notebook, changed in place) and scan what the learner wrote.

    The repairs are nbgrader's (a deleted or retyped test or read-only cell comes back as released, an edited one
    runs as released, duplicated grade_ids keep the last copy, unknown ones are dropped), with two differences:
    a cell that lost its metadata is recognised and relabelled, and a deleted solution cell comes back only with
    what no other cell of the learner defines (never a stub over the learner's own definition).

    Arguments:
    submitted -- the learner's notebook
    source -- the instructor notebook (solutions and hidden tests)
    release -- the student release (what the learner was given)
    folder -- the assignment's source folder (for the helper modules' exported names)
    seconds -- how long the reading of the learner's code may take (the repairs are always made)

    Returns:
    notes -- list of str: repairs that grade the notebook as the learner's own run of it would
    reasons -- list of str, for the instructor's review (a flag, never a verdict): a notebook that is not this
               assignment's, repairs that change what is graded, findings of the scan in the code the learner
               wrote, and the cells the intake could not read
    """
    intake = _Intake(submitted, source, release, seconds)
    mismatch = intake.repair()
    notes, reasons = _lines(intake.repairs, NOTE), _lines(intake.repairs, REASON)
    if mismatch:  # the repairs follow from the wrong notebook: one reason says so, the details are notes
        notes, reasons = notes + reasons, [mismatch]
    try:
        reasons += intake.scan(protected_names(source, folder))
    except Exception as err:  # noqa: BLE001 (the repairs stand; the scan only ever flags)
        reasons.append(f"the static scan of the notebook's code failed ({type(err).__name__}): not a verdict, "
                       "look at it")
    return notes, reasons
