"""Hidden inputs of the learner's own (grader/seeds.py, issue 20 point 3).

- The seed of a (student, assignment) is a function of the course's secret, the student id and the assignment:
  the same every time, different for two students, two assignments or two secrets; a learner's seed token gives
  that learner's seeds and nothing of the secret.
- The secret is made 0600 on the first real grade, never by a dry run, and is found in no file the grade writes
  (results, feedback, summary, gradebook), in no job handed to a worker, in no output, and never in release/.
- Each result records its student's seed; a regrade gives every student the same seed again.
- Two students with the same correct notebook get different seeds and full marks from the real judge; the
  self-check with a student's token gives exactly that student's grade; without one it says it used practice
  inputs; a bad token gets a one-line error.
- `hidden_rng` draws depend on the seed and the tag, and a plain run of a notebook draws the same every time.
(The corpora under 20 secrets: `make grader-seeds`, tools/grader_seeds.py.)
"""

import json
import os
import stat
import subprocess
import sys

import nbformat
import pytest

from grader import seeds, selfcheck
from grader import specs as submissions
from tests.helpers.grader_helpers import ROOT, build_class, grade_args, grader
from tools import lab_server
from utils import grading

A = "dinosaur_island"


def test_the_seed_is_one_function_of_secret_student_and_assignment():
    secret = "0123456789abcdef" * 4
    seed = seeds.seed_for(secret, "alice", A)
    assert seed == seeds.seed_for(secret, "alice", A) and seeds.valid_seed(seed)
    others = {seeds.seed_for(secret, "bob", A), seeds.seed_for(secret, "alice", "lstm_text8"),
              seeds.seed_for("f" * 64, "alice", A), seeds.seed_for(secret, "alice ", A)}
    assert seed not in others and len(others) == 4
    # the token gives the learner's own seeds, and holds neither the secret nor another learner's key
    tok = seeds.token(secret, "alice")
    student, key = seeds.parse_token(tok)
    assert student == "alice" and seeds.seed_from_key(key, A) == seed
    assert secret not in tok and seeds.learner_key(secret, "bob") not in tok
    # ids with the token's separator in them still parse back to themselves
    assert seeds.parse_token(seeds.token(secret, "a:b"))[0] == "a:b"


@pytest.mark.parametrize("bad", ["", "hello", "charlm-seed-1:alice:" + "0" * 63, "charlm-seed-1::" + "0" * 64,
                                 "charlm-seed-2:alice:" + "0" * 64, "charlm-seed-1:alice:" + "G" * 64])
def test_a_bad_token_is_refused_in_one_line(bad):
    with pytest.raises(seeds.SeedError) as err:
        seeds.parse_token(bad)
    assert "\n" not in str(err.value) and "seed token" in str(err.value)


def test_the_secret_is_made_once_private_and_refused_when_unusable(tmp_path):
    course = tmp_path / "course"
    assert seeds.read_secret(str(course)) is None and not course.exists()   # reading never makes it
    secret = seeds.course_secret(str(course))
    path = course / seeds.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(secret) == 64
    assert seeds.course_secret(str(course)) == secret and seeds.exposed(str(course)) == ""
    path.chmod(0o644)
    assert "chmod 600" in seeds.exposed(str(course))
    path.write_text("short\n")
    with pytest.raises(seeds.SeedError) as err:
        seeds.course_secret(str(course))
    assert "\n" not in str(err.value) and path.read_text() == "short\n"   # never replaced behind the owner's back


def test_hidden_rng_depends_on_the_seed_and_the_tag_and_a_plain_run_is_fixed():
    def draw(seed, tag="clip"):
        old, grading._hidden_seed = grading._hidden_seed, seed
        try:
            return grading.hidden_rng(tag).integers(2**62, size=4).tolist()
        finally:
            grading._hidden_seed = old
    a, b = seeds.seed_for("s" * 64, "alice", A), seeds.seed_for("s" * 64, "bob", A)
    assert draw(a) == draw(a) and draw(a) != draw(b) and draw(a) != draw(a, "sample")
    assert draw(None) == draw(grading.DEFAULT_SEED) != draw(seeds.PRACTICE_SEED)


def files_holding(root, text):
    found = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                if text.encode() in f.read():
                    found.append(os.path.relpath(path, root))
    return sorted(found)


def test_dry_run_makes_no_secret_then_grade_regrade_and_dry_run_give_each_student_the_same_seed(tmp_path):
    subs = build_class(tmp_path / "subs", 3)
    course, jobs = tmp_path / "course", tmp_path / "jobs"
    jobs.mkdir()
    dry = grader(*grade_args(subs, course, "--dry-run", "--scratch", str(tmp_path / "scratch")))
    assert not (course / seeds.SECRET_FILE).exists() and "does not exist yet" in dry.stdout

    first = grader(*grade_args(subs, course), CHARLM_FAKE_UNIT_JOBS=str(jobs))
    secret = seeds.read_secret(str(course))
    assert secret and stat.S_IMODE((course / seeds.SECRET_FILE).stat().st_mode) == 0o600
    students = sorted(os.listdir(subs))
    recorded = {}
    for student in students:
        with open(course / "results" / A / f"{student}.json", encoding="utf-8") as f:
            recorded[student] = json.load(f)["result"]["seed"]
        with open(jobs / f"{student}.json", encoding="utf-8") as f:
            assert json.load(f)["seed"] == recorded[student]   # what the worker got: the seed, not the secret
    assert recorded == {s: seeds.seed_for(secret, s, A) for s in students} and len(set(recorded.values())) == 3
    # the secret is in no file the grade wrote (results, feedback, summary, gradebook, grades.csv), no job, no output
    assert files_holding(course, secret) == [seeds.SECRET_FILE] and files_holding(jobs, secret) == []
    assert secret not in first.stdout + first.stderr + dry.stdout + dry.stderr
    assert files_holding(os.path.join(ROOT, "release"), secret) == []

    grader(*grade_args(subs, course, "--regrade"))
    scratch = tmp_path / "scratch2"   # a dry run once the course has a secret: the course's seeds, no secret copied
    grader(*grade_args(subs, course, "--regrade", "--dry-run", "--scratch", str(scratch)))
    assert not (scratch / seeds.SECRET_FILE).exists()
    for folder in (course, scratch):
        for student in students:
            with open(folder / "results" / A / f"{student}.json", encoding="utf-8") as f:
                assert json.load(f)["result"]["seed"] == recorded[student]


def test_the_seeds_command_prints_tokens_and_never_the_secret(tmp_path):
    course = tmp_path / "course"
    done = subprocess.run([sys.executable, "-m", "grader.seeds", "--course", str(course), "--student", "alice",
                           "--student", "bob"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    secret = seeds.read_secret(str(course))
    assert done.stdout.splitlines() == [f"{s}\t{seeds.token(secret, s)}" for s in ("alice", "bob")]
    assert secret not in done.stdout + done.stderr and "made the course's secret" in done.stderr
    bad = subprocess.run([sys.executable, "-m", "grader.seeds", "--course", str(course)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_no_release_file_holds_a_secret_a_token_or_the_hidden_draws():
    release = os.path.join(ROOT, "release")
    for folder, _dirs, files in os.walk(release):
        assert seeds.SECRET_FILE not in files and seeds.TOKEN_FILE not in files, folder
    assert files_holding(release, seeds.TOKEN_PREFIX) == []
    # the hidden tests' draws are stripped with them: a release notebook never calls hidden_rng
    assert [p for p in files_holding(release, "hidden_rng(") if p.endswith(".ipynb")] == []


# ---------------------------------------------------------------------------------------------------------------
# the real judge: two learners, one correct notebook; the self-check with a token is that learner's grade

B = "nietzsche_rnn"


@pytest.fixture(scope="module")
def two_learners(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("seeds")
    subs, course = tmp / "subs", tmp / "course"
    text = nbformat.writes(submissions.build(*submissions.parse(
        os.path.join(ROOT, "grader_tests", "samples", f"{B}_solution.py"))))
    for student in ("alice", "bob"):
        (subs / student / B).mkdir(parents=True)
        (subs / student / B / f"{B}.ipynb").write_text(text, encoding="utf-8")
    grader(*grade_args(subs, course, "--no-feedback", "--workers", "2", assignment=B), fake=False, timeout=900)
    results = {}
    for student in ("alice", "bob"):
        with open(course / "results" / B / f"{student}.json", encoding="utf-8") as f:
            results[student] = json.load(f)["result"]
    return subs, course, results


def test_two_learners_get_their_own_seeds_and_full_marks(two_learners):
    _subs, course, results = two_learners
    secret = seeds.read_secret(str(course))
    for student, result in results.items():
        assert result["seed"] == seeds.seed_for(secret, student, B)
        assert result["score"] == result["max_score"] > 0, result["cells"]
    assert results["alice"]["seed"] != results["bob"]["seed"]


def test_the_selfcheck_with_a_token_is_that_learners_grade(two_learners, tmp_path):
    subs, course, results = two_learners
    notebook = str(subs / "alice" / B / f"{B}.ipynb")
    token = seeds.token(seeds.read_secret(str(course)), "alice")
    report = selfcheck.check(notebook, token=token)
    assert report["seed"]["source"] == "token" and "drew the inputs your grade will draw" in report["seed"]["note"]
    assert {c["id"]: (c["points"], c["outcome"]) for c in report["cells"]} == {
        gid: (c["points"], c["outcome"]) for gid, c in results["alice"]["cells"].items()}

    # saved as seed.txt in the workspace, `check` finds it; a token of another student, or a bad one, is one line
    ws = tmp_path / "ws"
    ws.mkdir()
    assert selfcheck.main(["--workspace", str(ws), "--save-seed", token]) == 0
    assert stat.S_IMODE((ws / seeds.TOKEN_FILE).stat().st_mode) == 0o600
    assert selfcheck.find_token(notebook, str(ws)) == ((ws / seeds.TOKEN_FILE).read_text(), str(ws / "seed.txt"))
    with pytest.raises(selfcheck.CheckError, match="'alice''s, not 'bob''s"):
        selfcheck.check(notebook, student="bob", token=token)


def test_without_a_token_the_selfcheck_says_it_used_practice_inputs(two_learners, capsys, tmp_path):
    subs, _course, _results = two_learners
    notebook = str(subs / "bob" / B / f"{B}.ipynb")
    assert selfcheck.main(["--workspace", str(tmp_path), notebook]) == 0   # correct: passes practice inputs too
    out = capsys.readouterr().out
    assert "practice seed" in out and "no seed token found" in out and "all 12 graded tests pass" in out, out
    assert selfcheck.main(["--json", "--workspace", str(tmp_path), notebook]) == 0
    dialog = lab_server.short_list(json.loads(capsys.readouterr().out))   # the lab's Validate says so too
    assert dialog["ok"] and dialog["lines"][-1].startswith("Note: practice seed")
    assert selfcheck.main(["--seed", "charlm-seed-1:bob:nothex", notebook]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a seed token" in err
