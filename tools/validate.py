"""Run a notebook and fail unless its graded tests pass (or, with --expect-fail, unless they all fail).

nbgrader's own `validate` prints its findings but exits 0 either way. This one is the course's gate on its own
notebooks (`make validate`):

    python -m tools.validate source/*/*.ipynb                                 # instructor notebooks pass
    python -m tools.validate --expect-fail release/*/*.ipynb                  # untouched releases fail

It runs the visible tests in a kernel. A learner checks a notebook with the grader itself instead
(grader/selfcheck.py, `./check` in the workspace, Validate in the learner's lab), hidden tests included.

It runs the notebook in its own folder as the autograder would (NBGRADER_EXECUTION=validate, so
demonstration cells are skipped), then reports every graded cell (a release's hidden-test cells,
which have nothing to run, are left out). Exit status 1 when a graded cell fails, when a read-only
or test cell was changed (its text no longer matches the checksum nbgrader stored in the release),
or, with --expect-fail, when any graded cell passes.
"""

import argparse
import ast
import os
import sys

from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbgrader.utils import compute_checksum

from course import notebooks


def changed_cells(nb):
    """grade_ids of locked or graded cells whose checksum no longer matches (release notebooks carry them)."""
    changed = []
    for cell in nb.cells:
        meta = notebooks.nbgrader(cell)
        guarded = meta.get("checksum") and (meta.get("locked") or meta.get("grade")) and not meta.get("solution")
        if guarded and compute_checksum(cell) != meta["checksum"]:
            changed.append(meta.get("grade_id"))
    return changed


def hidden_only(source):
    """True for a test cell with nothing to run: in a release, a cell whose tests were all hidden."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body)


def run(path, timeout):
    """Execute the notebook; return {grade_id: error line or None} for its graded cells, and changed cells.

    Cells with nothing to run (the hidden tests of a release) are left out: only the autograder runs them.
    """
    nb = notebooks.read(path)
    changed = changed_cells(nb)
    before = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "validate"  # the kernel inherits it; put back after (a caller's later kernels)
    try:
        # CurveZMQ keys made by the kernel manager: the kernel's sockets are encrypted, and it prints no warning
        km = KernelManager(kernel_name="python3", transport_encryption="auto")
        client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=True, kernel_name="python3",
                                resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
        client.execute()
    finally:
        if before is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = before
    results = {}
    for cell in nb.cells:
        meta = notebooks.nbgrader(cell)
        if meta.get("grade") and meta.get("points") and not hidden_only(cell.source):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            results[meta["grade_id"]] = f"{errors[0].ename}: {errors[0].evalue}"[:300] if errors else None
    return results, changed


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("--expect-fail", action="store_true", help="every graded cell must fail (an untouched release)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = ap.parse_args(argv)
    status = 0
    for path in args.notebooks:
        results, changed = run(path, args.timeout)
        if not results:
            print(f"{path}: no graded cells found")
            status = 1
            continue
        passed = [g for g, err in results.items() if err is None]
        for gid in changed:
            print(f"{path}: test cell {gid!r} was changed; the autograder will use the original")
        if args.expect_fail:
            ok = not passed
            detail = f"all {len(results)} graded cells fail before the exercises are done" if ok else \
                f"these graded cells pass on the untouched notebook: {passed}"
        else:
            ok = len(passed) == len(results) and not changed
            failing = [f"  {g}: {err}" for g, err in results.items() if err]
            detail = f"{len(passed)} of {len(results)} graded cells pass"
            if changed:  # the summary says why it failed when every cell passes
                detail += f", but {len(changed)} test cell(s) were changed (the autograder uses the originals)"
            detail += "".join("\n" + line for line in failing)
        print(f"{path}: {'OK' if ok else 'FAILED'}: {detail}")
        status |= 0 if ok else 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
