"""utils/progress.py: live bars in a notebook, nothing where outputs must not depend on timing."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "utils"))
import progress  # noqa: E402


@pytest.mark.parametrize("env, mode", [
    ({"CHARLM_PROGRESS": "off"}, "off"),
    ({"CHARLM_PROGRESS": "text"}, "text"),
    ({"NBGRADER_EXECUTION": "autograde"}, "off"),
    ({}, "off"),  # pytest: no notebook kernel, stderr is not a terminal
])
def test_mode_follows_the_environment(monkeypatch, env, mode):
    monkeypatch.delenv("CHARLM_PROGRESS", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert progress.ProgressBar(3).mode == mode


def test_off_draws_nothing_and_track_yields_everything(capsys):
    assert list(progress.track(range(5), desc="x", mode="off")) == [0, 1, 2, 3, 4]
    assert capsys.readouterr() == ("", "")


def test_text_bar_counts_to_the_end(capsys):
    bar = progress.progress_bar(4, "epoch 1", mode="text", interval=0)
    for _ in range(4):
        bar.update(1, loss=1.25)
    bar.close()
    err = capsys.readouterr().err
    assert err.endswith("\n") and "\r" in err
    last = err.strip().split("\r")[-1]
    assert last.startswith("epoch 1: [" + "#" * 30 + "] 4/4 ") and last.endswith(", loss 1.25")


def test_html_bundle_is_plain_output_not_a_widget():
    bar = progress.ProgressBar(10, "training", mode="off")
    bar.n = 3
    bundle = bar._bundle()
    assert set(bundle) == {"text/html", "text/plain"}
    assert '<progress value="3" max="10"' in bundle["text/html"]
    assert bundle["text/plain"].startswith("training: [" + "#" * 9 + "." * 21 + "] 3/10 00:00<")
