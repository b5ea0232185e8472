"""
Shared loader of the bench/text8_*.py scripts: the LSTM-over-text8 assignment's own code, taken
from the instructor notebook (source/lstm_text8/lstm_text8.ipynb) so that the scripts and the
notebook can never drift apart. Nothing here is a second implementation.
"""

import contextlib
import io
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: one BLAS thread is fastest
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "utils"))

from tools import notebooks  # noqa: E402

NOTEBOOK = os.path.join(ROOT, "source", "lstm_text8", "lstm_text8.ipynb")

# notebook cells (by grade_id) that define the model, in notebook order
CELLS = ("char_ids", "batch_generator", "batch_helpers", "logprob", "sample_distribution", "sample_helpers",
         "init_params", "lstm_cell", "clip_by_global_norm", "glue", "train_step", "train_helpers", "fused_cell",
         "seq2seq_data")

PRELUDE = """
import contextlib, math, string, sys, time, warnings
import numpy as np
from tqdm import tqdm
from lstm import Adam, clip_grad_norm, lstm_backward, lstm_forward, one_hot, sigmoid, softmax, softmax_cross_entropy
needs_exercises = contextlib.nullcontext()  # the notebook's one-line guard of its demo cells; here errors raise
"""


def load_assignment(extra_cells=(), **names):
    """Execute the model cells of the instructor notebook (solutions included); return their namespace.

    extra_cells -- grade_ids of further cells to run after the model cells (in the order given)
    names -- variables to define before any cell runs (e.g. text=..., which the data cells read)
    """
    cells = notebooks.cells_by_id(notebooks.read(NOTEBOOK))
    missing = [c for c in CELLS + tuple(extra_cells) if c not in cells]
    if missing:
        raise RuntimeError(f"{NOTEBOOK}: no cells with grade_id {missing}")
    ns = {"__name__": "lstm_text8", **names}
    exec(PRELUDE, ns)
    with contextlib.redirect_stdout(io.StringIO()):  # the cells' small demos print
        for gid in CELLS + tuple(extra_cells):
            exec(compile(notebooks.strip_markers(cells[gid].source), f"<{gid}>", "exec"), ns)
    return ns
