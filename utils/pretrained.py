"""
The course's pretrained models: find a model file, check it, and load it for the notebooks' own code.

Each model was trained once at its original's settings by `make pretrain` (tools/pretrain*.py in
the course repository) and ships as <name>.npz beside the notebook that uses it (in the course
repository: data/<name>.npz). Every file is checked before use: its sha256 against the manifest
below, and the name, shape and dtype (float32) of every array. A missing, damaged or mismatched
file raises PretrainedError, whose message is one line naming the file and what is wrong.

    load_pretrained(name)               -> Pretrained(params, chars, log) for any model below
    nietzsche_model(stage, forward)     -> (model, chars, log): a Nietzsche stage, ready for the notebook
    training_table(log)                 -> its training log beside the original's, as text
    shakespeare_model()                 -> (CharRNN, chars, config), as CharRNN.load returns them

`log` is the training log stored in the file: the settings, every epoch's (or report's) loss,
the original's numbers beside them and the held-out loss, each labelled; data/<name>.log.json in
the course repository holds the same with the wall times.

This file is the single hand-maintained copy; the build copies it into the assignment folders
that use it (course/assignments.py).
"""

import hashlib
import importlib
import json
import os
import sys
import zipfile
from typing import NamedTuple

import numpy as np

FORMAT = "utils.lstm/1"  # the checkpoint format of lstm.save_checkpoint


class PretrainedError(ValueError):
    """A pretrained model file is missing, damaged, or not the one the course ships."""

    def _render_traceback_(self):  # IPython shows this one line instead of a long traceback
        return [f"PretrainedError: {self}"]


class Pretrained(NamedTuple):
    params: dict  # name -> float32 array
    chars: list  # the vocabulary: index i is the character chars[i]
    log: dict  # the training log stored with the weights


def _lstm_layer(prefix, n_in, n_a):
    return {f"{prefix}Wx": (4 * n_a, n_in), f"{prefix}Wh": (4 * n_a, n_a), f"{prefix}b": (4 * n_a, 1)}


_UNROLLED = {"We": (42, 57), "Wc": (256, 42), "bc": (256, 1), "Wh": (256, 256), "bh": (256, 1), "Wy": (57, 256),
             "by": (57, 1)}
_NIETZSCHE_RNN = {"We": (42, 57), "Wx0": (256, 42), "Wh0": (256, 256), "b0": (256, 1), "Wy": (57, 256),
                  "by": (57, 1)}
_TEXT8_LSTM = {**{g + "x": (27, 64) for g in "ifco"}, **{g + "m": (64, 64) for g in "ifco"},
               **{g + "b": (1, 64) for g in "ifco"}, "w": (64, 27), "b": (1, 27)}

_SEQ2SEQ = {**_lstm_layer("e", 29, 128), **_lstm_layer("d", 29, 128), "Wy": (29, 256), "by": (29, 1)}
_SHAKESPEARE = {"Wx0": (512, 38), "Wh0": (512, 128), "b0": (512, 1), "Wx1": (512, 128), "Wh1": (512, 128),
                "b1": (512, 1), "Wy": (38, 128), "by": (38, 1)}
_NIETZSCHE_LSTM = {"We": (42, 57), "Wx0": (2048, 42), "Wh0": (2048, 512), "b0": (2048, 1), "Wy": (57, 512),
                   "by": (57, 1)}

# sha256 of each <name>.npz; also in data/SOURCES.md and course/assignments.py (tests/library/test_pretrained.py
# checks that the three agree; after a retrain `python -m tools.pretrain` in the course repository prints the new sums).
# An empty sum: the model is planned but not shipped yet (loading it says so, naming the command that makes it).
SHA256 = {
    "nietzsche_3char": "39c3cebac6d5bcf6011cec123a5d13d70c0deb370414827868658c35dd0230b1",
    "nietzsche_8char": "f7072766fbca6e5c1d7441e93ca1fe6d226a2e9fc229ab0dde86407db9b97037",
    "nietzsche_rnn": "d71a166a7e6ba82fc48cdf6f7921415e40d7fdb4acfa5cb5bac68b4fe14306b3",
    "nietzsche_stateful_rnn": "56fb43ef85739f4f6ba4bb1c8ca30cbed4f95d67de591be7ba11a41e0db36fa3",
    "nietzsche_lstm": "81464194cdbdd3193ddad81ed9d166e77c5b69927089d43104d01a2456c01108",
    "text8_lstm": "a7614f8003f21388bc60d1875a5bf914e096683269267ee55e269b46a218571f",
    "text8_seq2seq": "8ac1f8f0bc399fbbe0a67d1d0d8e1d17f2f47977a2959b59d946e265cbc24efe",
    "shakespeare_lstm": "bf390c1d02234ebac3e617e98d1de2ef4c9444cd607b8dbdcd745680a8983684",
}

# name -> (sha256, vocabulary size, {parameter: shape})
MODELS = {
    "nietzsche_3char": (SHA256["nietzsche_3char"], 57, _UNROLLED),
    "nietzsche_8char": (SHA256["nietzsche_8char"], 57, _UNROLLED),
    "nietzsche_rnn": (SHA256["nietzsche_rnn"], 57, _NIETZSCHE_RNN),
    "nietzsche_stateful_rnn": (SHA256["nietzsche_stateful_rnn"], 57, _NIETZSCHE_RNN),
    "nietzsche_lstm": (SHA256["nietzsche_lstm"], 57, _NIETZSCHE_LSTM),
    "text8_lstm": (SHA256["text8_lstm"], 27, _TEXT8_LSTM),
    "text8_seq2seq": (SHA256["text8_seq2seq"], 27, _SEQ2SEQ),
    "shakespeare_lstm": (SHA256["shakespeare_lstm"], 38, _SHAKESPEARE),
}

# how each file is made in the course repository (named in the error for a missing file)
MAKE = {name: f"make pretrain-{name.replace('_', '-', 1)}" for name in MODELS}
MAKE["shakespeare_lstm"] = "make pretrain-shakespeare"

SHIPPED = [name for name, (digest, _, _) in MODELS.items() if digest]  # the models the course ships today


def _here():
    return os.path.dirname(os.path.abspath(__file__))


def find(name, folder=None):
    """
    The path of <name>.npz: in `folder` if given, else beside this module (an assignment folder),
    in ../data from it (the course repository, the lab workspace), in the current folder or ../data.

    Raises:
    PretrainedError if the name is unknown or the file is in none of these places
    """
    if name not in MODELS:
        raise PretrainedError(f"no pretrained model called {name!r}; the course ships {', '.join(MODELS)}")
    file = f"{name}.npz"
    places = [folder] if folder is not None else [_here(), os.path.join(_here(), "..", "data"), os.getcwd(),
                                                  os.path.join(os.getcwd(), "..", "data")]
    for place in places:
        path = os.path.join(place, file)
        if os.path.isfile(path):
            return os.path.normpath(path)
    looked = ", ".join(dict.fromkeys(os.path.normpath(p) for p in places))
    raise PretrainedError(f"{file} is missing (looked in {looked}): it ships with the course; in the course "
                          f"repository restore it with `git checkout -- data/{file}` or retrain it with `{MAKE[name]}`")


def sha256(path):
    """The sha256 of a file, as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_model(path, vocab_size, shapes, digest=None):
    """
    Read and check one model file.

    Arguments:
    path -- the .npz file
    vocab_size -- the number of characters its vocabulary must have
    shapes -- {parameter name: shape} it must hold, every one float32, and nothing else
    digest -- the sha256 it must have, or None to skip that check (a model just retrained)

    Returns:
    Pretrained(params, chars, log)

    Raises:
    PretrainedError (one line, naming the file) if anything is missing or different
    """
    file = os.path.basename(path)
    if not os.path.isfile(path):
        raise PretrainedError(f"{file} is missing (no file at {path})")
    try:
        with np.load(path, allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}  # read everything now: a truncated member shows up here
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as e:
        raise PretrainedError(f"{file} is not a readable .npz file (truncated or corrupt?): "
                              f"{type(e).__name__}: {e}".replace("\n", " ")) from None
    if str(data.get("format", "")) != FORMAT or "vocab" not in data or "config" not in data:
        raise PretrainedError(f"{file} is not a model file of the course (expected format {FORMAT} with a "
                              f"vocabulary and a config; found arrays {sorted(data)})")
    params = {k[len("param."):]: v for k, v in data.items() if k.startswith("param.")}
    missing, extra = sorted(set(shapes) - set(params)), sorted(set(params) - set(shapes))
    if missing or extra:
        raise PretrainedError(f"{file} does not hold the expected parameters (missing: {missing or 'none'}; "
                              f"unexpected: {extra or 'none'})")
    for name in sorted(shapes):
        p = params[name]
        if p.shape != tuple(shapes[name]):
            raise PretrainedError(f"{file}: parameter {name} has shape {p.shape}, expected {tuple(shapes[name])}")
        if p.dtype != np.float32:
            raise PretrainedError(f"{file}: parameter {name} has dtype {p.dtype}, expected float32")
    chars = [str(ch) for ch in data["vocab"]]
    if len(chars) != vocab_size:
        raise PretrainedError(f"{file}: the vocabulary has {len(chars)} characters, expected {vocab_size}")
    try:
        log = json.loads(str(data["config"]))
    except json.JSONDecodeError as e:
        raise PretrainedError(f"{file}: the stored training log is not valid JSON ({e})") from None
    if digest is not None:
        got = sha256(path)
        if got != digest:
            raise PretrainedError(f"{file} does not match its sha256 in the course's manifest (expected "
                                  f"{digest[:12]}..., the file has {got[:12]}...): it was changed or damaged; "
                                  f"restore the shipped file (in the course repository `git checkout -- "
                                  f"data/{file}`)")
    return Pretrained(params, chars, log)


def load_pretrained(name, folder=None):
    """
    Load a pretrained model's parameters, vocabulary and training log, after checking the file.

    Arguments:
    name -- one of MODELS: nietzsche_3char, nietzsche_8char, nietzsche_rnn, nietzsche_stateful_rnn,
            nietzsche_lstm, text8_lstm, text8_seq2seq, shakespeare_lstm
    folder -- the folder holding <name>.npz (default: see find)

    Returns:
    Pretrained(params, chars, log) -- a named tuple: params, dict name -> float32 array in the
    layout the notebook's functions use (text8_lstm: ix, im, ib, ..., w, b for train_step and
    sample; text8_seq2seq: eWx, ..., Wy, by for encode_sentences and greedy_decode); chars, the
    vocabulary; log, the training log

    Raises:
    PretrainedError naming the file when it is missing, unreadable, of the wrong shape or dtype, or
    does not match its sha256
    """
    digest, vocab_size, shapes = MODELS.get(name, (None, 0, {}))
    if name in MODELS and not digest:
        raise PretrainedError(f"{name}.npz does not ship with this version of the course yet; in the course "
                              f"repository `{MAKE[name]}` trains it")
    path = find(name, folder)  # it names an unknown model
    return read_model(path, vocab_size, shapes, digest)


def _bare_import(module):
    """Import a sibling module by its bare name, as the assignment folders do (nietzsche imports lstm)."""
    if _here() not in sys.path:
        sys.path.insert(0, _here())
    return importlib.import_module(module)


NIETZSCHE_STAGES = ("3char", "8char", "rnn", "stateful_rnn", "lstm")


def nietzsche_model(stage, forward=None, folder=None):
    """
    A Nietzsche stage trained at the original's settings, as the notebook's model class.

    Arguments:
    stage -- "3char", "8char" (the hand-unrolled loops), "rnn" (the RNN layer), "stateful_rnn" or
             "lstm" (the stateful LSTM(512))
    forward -- for "3char" and "8char": your unrolled_forward(X, params) -> (logits, cache)
    folder -- the folder holding the model file (default: see find)

    Returns:
    model -- UnrolledModel(forward, ...), LastStepRNN or StatefulModel (from nietzsche.py) holding
             the trained parameters; model.predict(X) gives the logits of the next character(s)
    chars -- the vocabulary (57 characters)
    log -- the training log: log["train_loss"] per epoch, log["original_train_loss"] (epoch -> the
           original's), log["held_out"] (the 90% twin run's held-out loss per epoch), ...
    """
    if stage not in NIETZSCHE_STAGES:
        raise PretrainedError(f"no Nietzsche stage {stage!r}; the stages are {', '.join(NIETZSCHE_STAGES)}")
    name = f"nietzsche_{stage}"
    params, chars, log = load_pretrained(name, folder)
    nz = _bare_import("nietzsche")
    arch = log["architecture"]
    V = len(chars)
    if stage in ("3char", "8char"):
        if not callable(forward):
            raise PretrainedError(f"{name}.npz: the hand-unrolled model needs your forward function: "
                                  f"nietzsche_model({stage!r}, forward=unrolled_forward)")
        model = nz.UnrolledModel(forward, V, arch["n_embd"], arch["n_a"])
    elif stage == "rnn":
        model = nz.LastStepRNN(V, arch["n_embd"], arch["n_a"])
    else:
        model = nz.StatefulModel(V, arch["n_embd"], arch["n_a"], arch["cell"])
    for k, v in params.items():
        model.params[k][...] = v  # in place: a stateful model's net shares this dict
    return model, chars, log


def training_table(log):
    """
    A Nietzsche stage's training log beside the original's, one line per epoch, as text.

    Arguments:
    log -- the log nietzsche_model returns

    Returns:
    text -- a heading naming the settings, then for every epoch: its learning rate, the original's
            training loss where its log printed one, ours on the whole corpus (both the mean over the
            epoch's batches, as Keras prints it), and the twin run's held-out loss
    """
    s = log["settings"]
    plan = s["plan (epochs, learning rate)"]
    lrs = [lr for epochs, lr in plan for _ in range(epochs)]
    phases = ", then ".join(f"{epochs} epochs at lr {lr:g}" for epochs, lr in plan)
    held = log["held_out"]
    lines = [f"{log['stage']} at the original's settings: {log['architecture']['n_a']} units, batch {s['batch']}, "
             f"{phases}, on the whole corpus; {log['parameters']:,} parameters",
             "epoch      lr   the original   ours (whole corpus)   held out (the 90% twin)"]
    for e, (lr, ours, twin) in enumerate(zip(lrs, log["train_loss"], held["held_out_loss"]), 1):
        orig = log["original_train_loss"].get(str(e))
        orig = f"{orig:.4f}" if orig is not None else "-"
        lines.append(f"{e:5d} {lr:7g} {orig:>14} {ours:21.4f} {twin:25.4f}")
    return "\n".join(lines)


def shakespeare_model(folder=None):
    """
    The Shakespeare lab's two-layer LSTM(128), checked, as CharRNN.load returns it.

    Returns:
    model -- a CharRNN (float32) with the trained parameters
    chars -- the vocabulary (38 characters)
    config -- the architecture and the training log (see data/SOURCES.md): e.g. config["train_loss_last_char"],
              the loss on the 41st character of the 31,412 windows, beside config["original_last_char"] (2.5432)
    """
    params, chars, config = load_pretrained("shakespeare_lstm", folder)
    lstm = importlib.import_module(f"{__package__}.lstm") if __package__ else _bare_import("lstm")
    arch = {k: config[k] for k in ("vocab_size", "n_a", "n_layers", "cell", "n_embd", "dropout")}
    model = lstm.CharRNN(**arch, dtype=np.float32)
    model.params = params
    return model, chars, config
