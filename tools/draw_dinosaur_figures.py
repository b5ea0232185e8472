"""
Draw the two diagrams of the Dinosaur Island notebook and save them as PNGs in its folder.

  source/dinosaur_island/figures/rnn_unrolled.png   the RNN unrolled over the name "trex": one
      cell per time step, the inputs [None, t, r, e, x] below, the targets [t, r, e, x, \\n]
      above, the state a<0> carried in from the previous name, and the last step's equations
      written beside its arrows
  source/dinosaur_island/figures/sampling_loop.png  the sampling loop of exercise 2: step ->
      softmax -> draw an index -> one-hot -> fed back as the next input, until a newline

Both are plain matplotlib (boxes, arrows and text), drawn by this script only: the notebook shows
the PNGs, and nbgrader copies the figures/ folder into release/ with the notebook. The output is
deterministic (no date or software stamp in the PNG metadata), so `make release-check` stays
stable. Rerun after editing:

    python tools/draw_dinosaur_figures.py          (or: make figures)
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "source", "dinosaur_island", "figures")
CELL = "#dbe9f6"  # the recurrent cell
SOFT = "#fde7c8"  # softmax / output
DRAW = "#e3f1dc"  # sampling
EDGE = "#33475b"


# -----------------------------------------------------------------------------
# drawing helpers


def box(ax, x, y, w, h, text, color, size=11, weight="normal"):
    """A rounded box centred at (x, y) with centred text."""
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                fc=color, ec=EDGE, lw=1.3))
    ax.text(x, y, text, ha="center", va="center", fontsize=size, weight=weight)


def arrow(ax, start, end, color=EDGE, lw=1.4, style="-|>", connection="arc3"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=14, color=color, lw=lw,
                                 connectionstyle=connection, shrinkA=0, shrinkB=0))


def save(fig, name):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    print(f"wrote {os.path.relpath(path, ROOT)}")


# -----------------------------------------------------------------------------
# figure 1: the unrolled RNN


def draw_unrolled():
    inputs = ["zeros\n(None)", "t", "r", "e", "x"]
    targets = ["t", "r", "e", "x", "\\n"]
    fig, ax = plt.subplots(figsize=(13, 5.0))
    ax.set_xlim(-1.2, 16.2)
    ax.set_ylim(-0.95, 5.1)
    ax.axis("off")
    xs = [1.2 + 2.2 * k for k in range(5)]
    y_in, y_cell, y_out, y_tgt = 0.0, 2.0, 3.7, 4.55
    highlight = 4  # the step whose equations are written on its arrows (the last: nothing to its right)
    box(ax, -0.35, y_cell, 0.9, 0.6, r"$a^{\langle 0\rangle}$", "white", size=11)
    # model() hands each name the state the previous one ended with; only the first name starts from zeros
    ax.text(-0.35, y_cell - 0.45, "the state the\nprevious name\nended with\n(zeros for the\nfirst name)",
            ha="center", va="top", fontsize=8.5, color="#333333")
    arrow(ax, (0.1, y_cell), (xs[0] - 0.55, y_cell))
    for k, x in enumerate(xs):  # step k reads x<k> and a<k>, and gives a<k+1> and y^<k+1>
        lw = 2.6 if k == highlight else 1.4
        label = r"$x^{\langle %d\rangle}$" % k + ("\n" if "\n" in inputs[k] else " ") + inputs[k]
        box(ax, x, y_in, 1.1, 0.75, label.replace("\n(None)", " (None)"), "white", size=9.5)
        box(ax, x, y_cell, 1.1, 0.8, "RNN\nstep", CELL, size=10, weight="bold" if k == highlight else "normal")
        box(ax, x, y_out, 1.0, 0.6, r"$\hat y^{\langle %d\rangle}$" % (k + 1), SOFT, size=11)
        ax.text(x, y_tgt, f"target '{targets[k]}'", ha="center", va="center", fontsize=9.5, color="#555555")
        arrow(ax, (x, y_in + 0.38), (x, y_cell - 0.4), lw=lw)
        arrow(ax, (x, y_cell + 0.4), (x, y_out - 0.3), lw=lw)
        if k < 4:
            arrow(ax, (x + 0.55, y_cell), (xs[k + 1] - 0.55, y_cell), lw=2.6 if k + 1 == highlight else 1.4)
            ax.text((x + xs[k + 1]) / 2, y_cell + 0.17, r"$a^{\langle %d\rangle}$" % (k + 1), ha="center",
                    fontsize=10)
    x = xs[highlight]
    arrow(ax, (x + 0.55, y_cell), (x + 1.5, y_cell), lw=2.6)  # a<5> leaves the last step
    # one step's equations, written beside the arrows they compute
    ax.text(x + 1.6, y_cell, r"$a^{\langle 5\rangle} = \tanh\left(W_{ax}\, x^{\langle 4\rangle} + "
            r"W_{aa}\, a^{\langle 4\rangle} + b\right)$", fontsize=12, color="#1f4e79", ha="left", va="center")
    ax.annotate(r"$\hat y^{\langle 5\rangle} = \mathrm{softmax}\left(W_{ya}\, a^{\langle 5\rangle} + "
                r"b_y\right)$", xy=(x + 0.06, (y_cell + y_out) / 2), xytext=(x + 1.6, (y_cell + y_out) / 2 + 0.25),
                fontsize=12, color="#8a4b08", ha="left", va="center",
                arrowprops=dict(arrowstyle="-", color="#8a4b08", lw=0.9, ls="--"))
    ax.annotate(r"$x^{\langle 4\rangle}$: the one-hot vector of 'x'", xy=(x + 0.06, (y_in + y_cell) / 2),
                xytext=(x + 1.6, (y_in + y_cell) / 2 - 0.2), fontsize=11, color="#333333", ha="left",
                va="center", arrowprops=dict(arrowstyle="-", color="#333333", lw=0.9, ls="--"))
    ax.text(5.6, -0.85, "loss = the sum over the five steps of  -log(the probability that step's output gives "
            "its target)", ha="center", fontsize=10, color="#333333")
    ax.text(-1.1, 5.0, 'Training on the name "trex": the same weights at every step', fontsize=12, weight="bold")
    save(fig, "rnn_unrolled.png")


# -----------------------------------------------------------------------------
# figure 2: the sampling loop


def draw_sampling():
    fig, ax = plt.subplots(figsize=(13, 4.6))
    ax.set_xlim(-0.2, 12.8)
    ax.set_ylim(-1.0, 4.3)
    ax.axis("off")
    y = 1.9
    steps = [  # (centre x, width, text, colour)
        (1.5, 2.8, "RNN step\n" + r"$a = \tanh(W_{ax}\,x + W_{aa}\,a_{prev} + b)$", CELL),
        (4.75, 2.5, "softmax\n" + r"$y = \mathrm{softmax}(W_{ya}\,a + b_y)$", SOFT),
        (8.2, 3.3, "draw an index\nnp.random.seed(counter + seed)\nnp.random.choice(range(27), p=y)", DRAW),
        (11.55, 2.1, "one-hot x\nzeros, with a 1 at\nthe drawn index", "white"),
    ]
    for cx, w, text, color in steps:
        box(ax, cx, y, w, 1.15, text, color, size=9.5)
    for (cx, w, _, _), (nx, nw, _, _), label in zip(steps, steps[1:], ["a", "y", "index"]):
        arrow(ax, (cx + w / 2, y), (nx - nw / 2, y))
        ax.text((cx + w / 2 + nx - nw / 2) / 2, y + 0.12, label, ha="center", fontsize=10)
    # the drawn character goes back in as the next input
    arrow(ax, (11.55, y + 0.6), (1.5, y + 0.6), connection="arc3,rad=0.18", lw=1.8)
    ax.text(6.5, 3.55, "the next step's input x: the character just drawn", ha="center", fontsize=10.5)
    # the hidden state is carried from step to step
    arrow(ax, (0.7, y - 0.6), (2.3, y - 0.6), connection="arc3,rad=0.9")
    ax.text(1.5, y - 1.75, r"$a_{prev} \leftarrow a$" + " (carried)", ha="center", fontsize=10)
    # when it stops
    box(ax, 8.2, -0.45, 3.6, 0.75, "stop when the index is the newline (0)\nor 50 have been drawn (then append 0)",
        "white", size=9)
    arrow(ax, (8.2, y - 0.6), (8.2, -0.08))
    ax.text(8.35, 0.55, "append to indices;\nseed += 1, counter += 1", fontsize=9, ha="left", va="center")
    ax.text(-0.1, 4.2, "Sampling: the first input x is the zero vector; every drawn character becomes the next input",
            fontsize=12, weight="bold")
    save(fig, "sampling_loop.png")


def main():
    draw_unrolled()
    draw_sampling()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
