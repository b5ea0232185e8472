"""Build data/text8_sample.txt, a small text8-format corpus, from the course's own texts.

The sample is Beyond Good and Evil (data/nietzsche.txt) followed by the Sonnets
(data/shakespeare.txt), each normalised with utils.text8.normalize_text8 (lower-case a-z, single
spaces, digits spelled out one by one) and joined by one space. Nietzsche comes first, so the
assignment's validation set (the first 1,000 characters) is prose like most of the training text.
The build is deterministic: the same inputs always give the same bytes (tests/library/test_text8.py
rebuilds it and compares).

usage: python tools/make_text8_sample.py [--check]   (--check: only verify the committed file)
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from utils.text8 import normalize_text8  # noqa: E402

SOURCES = ("data/nietzsche.txt", "data/shakespeare.txt")
OUT = "data/text8_sample.txt"


def build():
    """The sample's text, built from SOURCES."""
    parts = []
    for rel in SOURCES:
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            parts.append(normalize_text8(f.read()))
    return " ".join(parts)


def main(argv):
    text = build()
    path = os.path.join(ROOT, OUT)
    if "--check" in argv:
        with open(path, encoding="ascii") as f:
            same = f.read() == text
        print(f"{OUT} is {'up to date' if same else 'STALE: rebuild it'}")
        return 0 if same else 1
    with open(path, "w", encoding="ascii", newline="") as f:
        f.write(text)
    print(f"wrote {OUT}: {len(text):,} characters, {len(text.split()):,} words")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
