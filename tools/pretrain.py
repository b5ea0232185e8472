"""
What every `make pretrain` script shares: the instructor notebooks' solution code run as a module,
checkpoints a stopped run resumes from, the shipped model file and the training log beside it.

The pretraining scripts (tools/pretrain_nietzsche.py, tools/pretrain_text8.py,
tools/pretrain_shakespeare.py) train the course's models at the originals' settings and write
    data/<name>.npz       the weights (float32), the vocabulary and the training log (without wall times)
    data/<name>.log.json  the same log with the wall times and the machine's facts
Training state lives in build/pretrain/<name>...ckpt.npz, written atomically after every epoch
(or report) with the parameters, the optimiser's moments, the random generators' states and the
history so far: a stopped run, started again, continues where it stopped and ends with the same
numbers as a run that was never stopped.

A model file is written byte for byte the same way every time (fixed zip timestamps, sorted keys,
no wall times inside), so retraining on the same machine and numpy reproduces its sha256.
The loader that checks these files is utils/pretrained.py; `python -m tools.pretrain` prints every
model file's sha256 and size, for its manifest, tools/assignments.py and data/SOURCES.md after a retrain.

What it leaves out: any training logic (each script has its own loop, built on the notebooks' code).
"""

import contextlib
import io
import json
import os
import platform
import sys
import time
import zipfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "utils"))  # the notebooks' modules import each other by bare name
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from lstm import CHECKPOINT_FORMAT  # noqa: E402

from tools import notebooks  # noqa: E402

DATA = os.path.join(ROOT, "data")
BUILD = os.path.join(ROOT, "build", "pretrain")


# -----------------------------------------------------------------------------
# the notebooks' solution code

NIETZSCHE_NOTEBOOK = os.path.join(ROOT, "source", "nietzsche_rnn", "nietzsche_rnn.ipynb")
NIETZSCHE_CELLS = ("nonoverlapping_windows", "overlapping_windows", "stateful_batches", "unrolled_forward",
                   "get_next_char", "get_next_n_chars")

TEXT8_NOTEBOOK = os.path.join(ROOT, "source", "lstm_text8", "lstm_text8.ipynb")
# cells (by grade_id) that define the text8 model, in notebook order
TEXT8_CELLS = ("char_ids", "batch_generator", "batch_helpers", "logprob", "sample_distribution", "sample_helpers",
               "init_params", "lstm_cell", "clip_by_global_norm", "glue", "train_step", "train_helpers", "fused_cell",
               "seq2seq_data")
TEXT8_PRELUDE = """
import contextlib, math, string, sys, time, warnings
import numpy as np
from tqdm import tqdm
from lstm import Adam, clip_grad_norm, lstm_backward, lstm_forward, one_hot, sigmoid, softmax, softmax_cross_entropy
from progress import progress_bar, track
needs_exercises = contextlib.nullcontext()  # the notebook's one-line guard of its demo cells; here errors raise
"""


def nietzsche_functions():
    """Execute the Nietzsche notebook's solution cells (markers stripped); return their namespace."""
    import lstm
    import nietzsche

    cells = notebooks.cells_by_id(notebooks.read(NIETZSCHE_NOTEBOOK))
    namespace = {"np": np, "NietzscheDataError": nietzsche.NietzscheDataError}
    namespace.update({k: getattr(lstm, k) for k in dir(lstm) if not k.startswith("_")})
    for gid in NIETZSCHE_CELLS:
        exec(compile(notebooks.strip_markers(cells[gid].source), f"<{gid}>", "exec"), namespace)
    return namespace


def text8_namespace(extra_cells=(), **names):
    """Execute the model cells of the text8 notebook (solutions included); return their namespace.

    extra_cells -- grade_ids of further cells to run after the model cells (in the order given)
    names -- variables to define before any cell runs (e.g. text=..., which the data cells read)
    """
    cells = notebooks.cells_by_id(notebooks.read(TEXT8_NOTEBOOK))
    missing = [c for c in TEXT8_CELLS + tuple(extra_cells) if c not in cells]
    if missing:
        raise RuntimeError(f"{TEXT8_NOTEBOOK}: no cells with grade_id {missing}")
    ns = {"__name__": "lstm_text8", **names}
    exec(TEXT8_PRELUDE, ns)
    with contextlib.redirect_stdout(io.StringIO()):  # the cells' small demos print
        for gid in TEXT8_CELLS + tuple(extra_cells):
            exec(compile(notebooks.strip_markers(cells[gid].source), f"<{gid}>", "exec"), ns)
    return ns


# -----------------------------------------------------------------------------
# files


def write_npz(path, arrays):
    """
    Write arrays to an uncompressed .npz that np.load reads, the same bytes for the same arrays.

    np.savez stamps every member with the current time; here every member has a fixed timestamp
    and the members are in sorted order. Written to a temporary file and renamed: a stop halfway
    leaves the previous file intact.

    Arguments:
    path -- file name (ending in .npz)
    arrays -- dict name -> array (no object arrays)
    """
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())
    os.replace(tmp, path)


def save_model(path, params, chars, config):
    """
    The shipped model file: float32 parameters, vocabulary and config in the utils.lstm checkpoint
    format (utils/lstm.py load_checkpoint and CharRNN.load read it; utils/pretrained.py checks it).

    Arguments:
    path -- data/<name>.npz
    params -- dict name -> array; stored as float32
    chars -- the vocabulary, a list of single characters
    config -- JSON-serialisable dict: the architecture and the training log without wall times
    """
    arrays = {f"param.{k}": np.asarray(v, dtype=np.float32) for k, v in params.items()}
    arrays["vocab"] = np.array(list(chars), dtype="<U1")
    arrays["config"] = np.array(json.dumps(config, sort_keys=True))
    arrays["format"] = np.array(CHECKPOINT_FORMAT)
    write_npz(path, arrays)


def write_log(path, log):
    """Write a training log as readable JSON (sorted keys, one value per line where short)."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(log, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def read_log(name):
    """The training log data/<name>.log.json, or None if there is none."""
    path = os.path.join(DATA, f"{name}.log.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def environment():
    """The facts a rerun must share to reproduce the logged losses bit for bit."""
    return {"numpy": np.__version__, "python": platform.python_version(), "machine": platform.machine(),
            "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "unset")}


# -----------------------------------------------------------------------------
# checkpoints


def save_state(path, arrays, meta):
    """
    A training checkpoint: named arrays (parameters, optimiser moments, ...) and a JSON-able dict
    (history, step counters, random generator states), written atomically.
    """
    os.makedirs(os.path.dirname(path), exist_ok=True)
    payload = {f"a.{k}": np.asarray(v) for k, v in arrays.items()}
    payload["meta"] = np.array(json.dumps(meta))
    write_npz(path, payload)


def load_state(path):
    """Read what save_state wrote: (arrays, meta), or (None, None) if there is no checkpoint."""
    if not os.path.exists(path):
        return None, None
    with np.load(path, allow_pickle=False) as f:
        arrays = {k[2:]: f[k] for k in f.files if k.startswith("a.")}
        meta = json.loads(str(f["meta"]))
    return arrays, meta


def optimizer_arrays(optimizer):
    """Adam's moments as named arrays for save_state."""
    out = {f"m.{k}": v for k, v in optimizer.m.items()}
    out.update({f"v.{k}": v for k, v in optimizer.v.items()})
    return out


def restore_optimizer(optimizer, arrays, t):
    """Put Adam's moments and step count back from save_state's arrays."""
    for k in optimizer.m:
        optimizer.m[k][...] = arrays[f"m.{k}"]
        optimizer.v[k][...] = arrays[f"v.{k}"]
    optimizer.t = t


def rng_state(rng):
    """A numpy Generator's state as JSON-able data (its bit generator's state dict)."""
    return rng.bit_generator.state


def set_rng_state(rng, state):
    """Restore a Generator to a state from rng_state."""
    rng.bit_generator.state = state


class Clock:
    """Wall time of a training run, summed over the processes that ran it (a resumed run adds up)."""

    def __init__(self, seconds=0.0):
        self.before, self.start = float(seconds), time.perf_counter()

    def total(self):
        return self.before + time.perf_counter() - self.start


def say(*args):
    """Print a progress line at once (the logs are read while the runs go on)."""
    print(*args, flush=True)


def manifest_lines():
    """For each model file in data/: its name, sha256 and size, as utils/pretrained.py, tools/assignments.py and
    data/SOURCES.md list them (to paste after a retrain)."""
    import hashlib

    lines = []
    for file in sorted(f for f in os.listdir(DATA) if f.endswith(".npz")):
        with open(os.path.join(DATA, file), "rb") as f:
            content = f.read()
        lines.append(f"{file}  {hashlib.sha256(content).hexdigest()}  {len(content):,} bytes")
    return lines


if __name__ == "__main__":  # python -m tools.pretrain: the sums and sizes of the shipped models
    print("\n".join(manifest_lines()))
