"""Loaded before any test module: the repository root importable (utils, tools, tests.helpers) whichever directory
pytest starts from; and one BLAS thread, set before anything imports numpy, as `make pretrain` trains
(tools/pretrain_*.py set it the same way), so the pretraining logs' exact losses reproduce in a full run whatever
module imported numpy first."""

import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
