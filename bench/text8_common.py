"""
Shared loader of the bench/text8_*.py scripts: the LSTM-over-text8 assignment's own code, taken
from the instructor notebook (source/lstm_text8/lstm_text8.ipynb) so that the scripts and the
notebook can never drift apart. Nothing here is a second implementation: the loader itself is
tools/pretrain.py's text8_namespace, which `make pretrain` uses too.
"""

import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: one BLAS thread is fastest
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "utils"))

from tools.pretrain import TEXT8_CELLS as CELLS  # noqa: E402, F401  (the model cells, in notebook order)
from tools.pretrain import TEXT8_NOTEBOOK as NOTEBOOK  # noqa: E402, F401
from tools.pretrain import text8_namespace as load_assignment  # noqa: E402, F401
