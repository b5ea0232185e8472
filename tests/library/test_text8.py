"""
Unit tests for utils/text8.py and the shipped sample: the normaliser's rule, the zip loader's
error messages (missing, wrong size, corrupt, wrong member), and the sample's format, size and
reproducible build.
"""

import os
import sys
import zipfile

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tools"))
from utils import text8 as T  # noqa: E402

SAMPLE = os.path.join(ROOT, "data", "text8_sample.txt")


# -----------------------------------------------------------------------------
# normaliser


@pytest.mark.parametrize("raw, expected", [
    ("Hello, World!", "hello world"),
    ("In 1984 it rained", "in one nine eight four it rained"),
    ("3.5 kg", "three five kg"),
    ("R2D2", "r two d two"),
    ("don't  STOP\n\nnow", "dont stop now"),
    ("Übermensch, café, naïve", "ubermensch cafe naive"),
    ("  --leading and trailing--  ", "leading and trailing"),
    ("tab\tand\r\nnewline", "tab and newline"),
    ("", ""),
    ("!!! 0 ???", "zero"),
])
def test_normalize_facts(raw, expected):
    assert T.normalize_text8(raw) == expected


def test_normalize_is_idempotent_and_in_format():
    with open(os.path.join(ROOT, "data", "shakespeare.txt"), encoding="utf-8") as f:
        out = T.normalize_text8(f.read())
    T.check_text8_format(out)
    assert T.normalize_text8(out) == out


def test_normalize_rejects_bytes():
    with pytest.raises(TypeError, match="expects a str"):
        T.normalize_text8(b"abc")


@pytest.mark.parametrize("bad, match", [
    ("", "is empty"),
    ("Hello world", "outside"),
    ("a  b", "double"),
    (" ab", "leading"),
    ("ab\n", "outside"),
])
def test_check_format_errors(bad, match):
    with pytest.raises(T.Text8Error, match=match):
        T.check_text8_format(bad)


# -----------------------------------------------------------------------------
# zip loader


def test_missing_zip(tmp_path):
    path = tmp_path / "text8.zip"
    with pytest.raises(T.Text8Error, match="does not exist.*31,344,016 bytes"):
        T.load_text8_zip(path)


def test_wrong_size_small(tmp_path):
    path = tmp_path / "text8.zip"
    path.write_bytes(b"x" * 1000)
    with pytest.raises(T.Text8Error, match="has 1,000 bytes but .* exactly 31,344,016.*incomplete"):
        T.load_text8_zip(path)


def test_wrong_size_large(tmp_path):
    path = tmp_path / "text8.zip"
    with open(path, "wb") as f:
        f.truncate(T.TEXT8_ZIP_BYTES + 1)
    with pytest.raises(T.Text8Error, match="not the official"):
        T.load_text8_zip(path)


def test_corrupt_zip_of_right_size(tmp_path):
    path = tmp_path / "text8.zip"
    with open(path, "wb") as f:
        f.truncate(T.TEXT8_ZIP_BYTES)  # all zeros: right size, not a zip
    with pytest.raises(T.Text8Error, match="right size but is not a readable zip"):
        T.load_text8_zip(path)


def _padded_zip(path, member, data):
    """A valid zip of exactly TEXT8_ZIP_BYTES bytes (padded with a stored filler member)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(member, data)
    overhead = os.path.getsize(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(member, data)
        zf.writestr("pad", b"")
    filler_overhead = os.path.getsize(path) - overhead
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(member, data)
        zf.writestr("pad", b"\0" * (T.TEXT8_ZIP_BYTES - overhead - filler_overhead))
    assert os.path.getsize(path) == T.TEXT8_ZIP_BYTES


def test_zip_without_text8_member(tmp_path):
    path = tmp_path / "text8.zip"
    _padded_zip(path, "other", b"abc")
    with pytest.raises(T.Text8Error, match="no member 'text8'"):
        T.load_text8_zip(path)


def test_zip_with_short_member(tmp_path):
    path = tmp_path / "text8.zip"
    _padded_zip(path, "text8", b" anarchism originated")
    with pytest.raises(T.Text8Error, match="expected 100,000,000"):
        T.load_text8_zip(path)


def test_directory_is_not_a_file(tmp_path):
    with pytest.raises(T.Text8Error, match="not a file"):
        T.load_text8_zip(tmp_path)


def test_load_corpus_falls_back_to_sample(tmp_path):
    text, name = T.load_corpus(tmp_path / "absent.zip", SAMPLE)
    assert name == "sample" and text.startswith("preface supposing that truth is a woman")


def test_load_sample_errors(tmp_path):
    with pytest.raises(T.Text8Error, match="does not exist"):
        T.load_text8_sample(tmp_path / "none.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("Not text8.\n")
    with pytest.raises(T.Text8Error, match="not in text8 format"):
        T.load_text8_sample(bad)


# -----------------------------------------------------------------------------
# the shipped sample


def test_sample_properties():
    with open(SAMPLE, "rb") as f:
        raw = f.read()
    assert 300_000 <= len(raw) <= 1_000_000, len(raw)
    assert set(raw) <= set(b" abcdefghijklmnopqrstuvwxyz")
    text = raw.decode("ascii")
    T.check_text8_format(text, SAMPLE)
    assert len(set(text)) == 27  # every symbol occurs


def test_sample_rebuilds_identically():
    import make_text8_sample
    with open(SAMPLE, encoding="ascii") as f:
        assert make_text8_sample.build() == f.read(), "rebuild with python tools/make_text8_sample.py"
