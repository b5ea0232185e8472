"""The shipped corpora: checksums and the facts the spec states about them."""

import hashlib
import os

import pytest

from course.assignments import DATA_SHA256
from tools.sync import check_data

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("rel", sorted(DATA_SHA256))
def test_checksum(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == DATA_SHA256[rel]


def test_checksums_agree_with_sources_md():
    with open(os.path.join(ROOT, "data", "SOURCES.md"), encoding="utf-8") as f:
        sources = f.read()
    for rel, digest in DATA_SHA256.items():
        assert f"| {os.path.basename(rel)} | {digest} |" in sources


def read(name):
    with open(os.path.join(ROOT, "data", name), encoding="utf-8") as f:
        return f.read()


def test_file_sizes():
    sizes = {name: os.path.getsize(os.path.join(ROOT, "data", name))
             for name in ("dinos.txt", "shakespeare.txt", "nietzsche.txt")}
    assert sizes == {"dinos.txt": 19_909, "shakespeare.txt": 94_275, "nietzsche.txt": 600_901}


def test_shakespeare_facts():
    text = read("shakespeare.txt").lower()
    assert len(set(text)) == 38
    assert len(range(0, len(text) - 40, 3)) == 31_412  # windows of 40 with stride 3


def test_nietzsche_facts():
    text = read("nietzsche.txt").lower()
    assert len(text) == 600_893
    assert "".join(sorted(set(text))) == "\n !\"'(),-.0123456789:;=?[]_abcdefghijklmnopqrstuvwxyz\xe4\xe6\xe9\xeb"


def test_check_data_reports_missing_empty_and_corrupt_files(tmp_path, monkeypatch):
    import tools.sync as sync

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "dinos.txt").write_text("")
    (tmp_path / "data" / "shakespeare.txt").write_text("not the sonnets")
    monkeypatch.setattr(sync, "ROOT", str(tmp_path))
    problems = check_data()
    assert any("dinos.txt is empty" in p for p in problems)
    assert any("shakespeare.txt does not match its checksum" in p for p in problems)
    assert any("nietzsche.txt is missing" in p for p in problems)
    assert all("\n" not in p for p in problems)
