"""
LSTM training throughput: our numpy toolkit (utils/lstm.py) against PyTorch's CPU nn.LSTM.

Both sides do the same work per iteration, on the same sizes, in float32:
one-hot character input (vocab_size, T_x, m) -> one LSTM layer (n_a units, zero initial
state) -> dense layer -> softmax cross-entropy (mean over T_x*m characters) -> backward
(no gradient for the one-hot input or for the zero initial state) -> plain SGD update of
every parameter.
Throughput is characters per second = T_x * m / (seconds per iteration).

Fairness: each measurement runs in a fresh subprocess (OpenBLAS and PyTorch's OpenMP thread
pools otherwise spin against each other on a small machine), with the same thread count for
both sides (OPENBLAS_NUM_THREADS for numpy, torch.set_num_threads for PyTorch; default 1,
because on a shared 2-core machine a second thread mostly measures the neighbours); the sides
alternate and the median over rounds is reported.

On x86 CPUs PyTorch runs nn.LSTM training through oneDNN's fused RNN kernel
(aten::mkldnn_rnn_layer). The last column, for reference, is PyTorch with oneDNN switched off
(torch.backends.mkldnn.flags(enabled=False)): its native ATen LSTM, per-step ops + autograd.
The ratio is always against the default (oneDNN) PyTorch.

PyTorch is not a course dependency. If it is not installed the PyTorch column is skipped
with a message; to include it: .venv/bin/pip install torch==2.13.0 (a CPU-only wheel).

Usage:
    python bench/lstm_throughput.py                 # both configurations, 1 thread per side
    python bench/lstm_throughput.py --threads 1 --rounds 7
    python bench/lstm_throughput.py --threads 2     # both cores per side
"""

import argparse
import json
import os
import subprocess
import sys
import time

# -----------------------------------------------------------------------------
# configurations: (name, m, T_x, vocab_size, n_a)

CONFIGS = [
    ("small", 64, 10, 27, 64),
    ("large", 64, 8, 57, 512),
]


# -----------------------------------------------------------------------------
# one measurement (runs inside a worker subprocess)


def time_step(step, chars_per_step, seconds):
    """Warm up, then time `step` in windows of ~seconds/5; return median chars/s."""
    for _ in range(3):
        step()
    t0 = time.perf_counter()
    step()
    per = max(time.perf_counter() - t0, 1e-6)
    n = max(1, int(seconds / 5 / per))
    rates = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        rates.append(chars_per_step * n / (time.perf_counter() - t0))
    rates.sort()
    return rates[len(rates) // 2]


def bench_ours(m, T_x, vocab_size, n_a, seconds):
    """Throughput of utils.lstm: lstm_forward/backward + dense + softmax cross-entropy + SGD."""
    import numpy as np

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from utils.lstm import (
        SGD,
        Workspace,
        dense_backward,
        dense_forward,
        lstm_backward,
        lstm_forward,
        one_hot,
        softmax_cross_entropy,
    )

    rng = np.random.default_rng(0)
    s = 1.0 / np.sqrt(n_a)
    P = {"Wx": rng.uniform(-s, s, (4 * n_a, vocab_size)), "Wh": rng.uniform(-s, s, (4 * n_a, n_a)),
         "b": np.zeros((4 * n_a, 1)), "Wy": rng.uniform(-s, s, (vocab_size, n_a)),
         "by": np.zeros((vocab_size, 1))}
    P = {k: v.astype(np.float32) for k, v in P.items()}
    opt = SGD(P, lr=0.01)
    idx = rng.integers(0, vocab_size, (T_x + 1, m))
    x = one_hot(idx[:-1], vocab_size, np.float32)  # (vocab_size, T_x, m)
    y = idx[1:].reshape(T_x * m)  # next character, in the same (step, example) order
    h0 = np.zeros((n_a, m), np.float32)
    c0 = np.zeros((n_a, m), np.float32)
    ws = Workspace()  # the LSTM's buffers, reused from one iteration to the next

    def step():
        h, _, cache = lstm_forward(x, h0, c0, P["Wx"], P["Wh"], P["b"], ws)  # (n_a, T_x, m)
        logits, dense_cache = dense_forward(h, P["Wy"], P["by"])  # (vocab_size, T_x, m)
        _, dlogits = softmax_cross_entropy(logits.reshape(vocab_size, T_x * m), y)
        dh, dWy, dby = dense_backward(dlogits.reshape(vocab_size, T_x, m), dense_cache)
        _, _, _, dWx, dWh, db = lstm_backward(dh, cache, input_grad=False, state_grad=False)
        opt.step({"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby})

    return time_step(step, T_x * m, seconds)


def bench_torch(m, T_x, vocab_size, n_a, seconds, threads, mkldnn=True):
    """Throughput of torch.nn.LSTM + nn.Linear + F.cross_entropy + torch.optim.SGD."""
    import torch

    torch.set_num_threads(threads)
    torch.backends.mkldnn.enabled = mkldnn
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(vocab_size, n_a)  # time-major input (T_x, m, vocab_size)
    dense = torch.nn.Linear(n_a, vocab_size)
    opt = torch.optim.SGD(list(lstm.parameters()) + list(dense.parameters()), lr=0.01)
    idx = torch.randint(0, vocab_size, (T_x + 1, m))
    x = torch.nn.functional.one_hot(idx[:-1], vocab_size).float()  # (T_x, m, vocab_size)
    y = idx[1:].reshape(T_x * m)

    def step():
        opt.zero_grad(set_to_none=True)
        h, _ = lstm(x)  # (T_x, m, n_a)
        loss = torch.nn.functional.cross_entropy(dense(h.reshape(T_x * m, n_a)), y)
        loss.backward()
        opt.step()

    return time_step(step, T_x * m, seconds)


def worker(side, config_name, threads, seconds):
    """Entry point of a measurement subprocess: print one JSON line."""
    _, m, T_x, vocab_size, n_a = next(c for c in CONFIGS if c[0] == config_name)
    if side == "ours":
        rate = bench_ours(m, T_x, vocab_size, n_a, seconds)
    else:
        rate = bench_torch(m, T_x, vocab_size, n_a, seconds, threads, side == "torch")
    print(json.dumps({"rate": rate}))


def run_worker(side, config_name, threads, seconds):
    """Run one measurement in a fresh interpreter with the thread count fixed in its env."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", side, "--config", config_name,
           "--threads", str(threads), "--seconds", str(seconds)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["rate"]


# -----------------------------------------------------------------------------
# main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--threads", type=int, default=1, help="threads for BOTH numpy and torch")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per config")
    parser.add_argument("--seconds", type=float, default=2.0, help="timed seconds per measurement")
    parser.add_argument("--worker", choices=["ours", "torch", "torch-native"], help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.config, args.threads, args.seconds)
        return

    try:
        import torch
        have_torch, torch_version = True, torch.__version__
    except ImportError:
        have_torch, torch_version = False, None
    import numpy as np

    print(f"numpy {np.__version__}, torch {torch_version or 'not installed'}, "
          f"threads per side: {args.threads}, rounds: {args.rounds}")
    if not have_torch:
        print("PyTorch is not installed (it is not a course dependency): skipping the torch "
              "side. Install it with `.venv/bin/pip install torch==2.13.0` to compare.")
    print(f"{'config':<44s} {'ours chars/s':>13s} {'torch chars/s':>14s} {'ratio':>6s} "
          f"{'torch, no oneDNN':>17s}")
    for name, m, T_x, vocab_size, n_a in CONFIGS:
        rates = {"ours": [], "torch": [], "torch-native": []}
        for _ in range(args.rounds):
            for side in rates if have_torch else ["ours"]:
                rates[side].append(run_worker(side, name, args.threads, args.seconds))
        ours_rate = float(np.median(rates["ours"]))
        label = f"{name}: m={m}, T_x={T_x}, vocab_size={vocab_size}, n_a={n_a}"
        if have_torch:
            torch_rate = float(np.median(rates["torch"]))
            native_rate = float(np.median(rates["torch-native"]))
            print(f"{label:<44s} {ours_rate:13,.0f} {torch_rate:14,.0f} "
                  f"{ours_rate / torch_rate:6.2f} {native_rate:17,.0f}", flush=True)
        else:
            print(f"{label:<44s} {ours_rate:13,.0f} {'skipped':>14s} {'-':>6s}", flush=True)


if __name__ == "__main__":
    main()
