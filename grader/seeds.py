"""Hidden inputs of the learner's own: the course's secret, each learner's seed token, each submission's seed.

    python -m grader.seeds --course DIR --student ID [--student ID ...]   one seed token per learner, to hand out
    python -m grader.seeds --course DIR --roster FILE                     the same for every id in FILE (one a line)

The hidden tests draw their inputs from `grading.hidden_rng(tag)` (utils/grading.py), seeded from the seed the
judge is given with each submission, so that a leaked instructor notebook does not tell a class what its hidden
tests ask: each learner gets inputs of their own, and the same ones at every regrade.

    secret       <course>/grader-secret: 64 random hex digits, made with permissions 0600 the first time `grade`
                 or this command needs it (never by `grade --dry-run`), kept beside the course's results, never
                 in release/ or the repository, never printed, logged, written into a result or sent to a worker
    learner key  HMAC-SHA256(secret, "charlm-student" NUL student id)            one per learner
    seed         HMAC-SHA256(learner key, "charlm-assignment" NUL assignment),  one per (student, assignment),
                 its first 16 hex digits (64 bits): what the job carries (grader.unit.make_job), the judge puts
                 into the tests' namespace and the result records (results/<assignment>/<student>.json)

A learner's seed token is "charlm-seed-1:<student id>:<learner key>". The instructor hands each learner theirs
(printed by this command, with the student ids `grade` will use: the submission's folder, Canvas or Moodle id);
the learner saves it as `seed.txt` in their workspace, where the self-check (grader/selfcheck.py) finds it and
checks with the very seed `grade` will use. The token opens that learner's seeds only: the secret cannot be
recovered from it, nor another learner's key. Without a token the self-check uses PRACTICE_SEED, whose inputs
differ from the grade's.
"""

import argparse
import contextlib
import hashlib
import hmac
import os
import re
import secrets
import stat
import sys

SECRET_FILE = "grader-secret"
TOKEN_PREFIX = "charlm-seed-1"
TOKEN_FILE = "seed.txt"             # in the learner's workspace
PRACTICE_SEED = "practice"          # the self-check's seed when the learner has no token
SEED = re.compile(r"^[0-9a-f]{16}$")
KEY = re.compile(r"^[0-9a-f]{64}$")
MIN_SECRET = 16                     # characters (a made secret has 64)


class SeedError(Exception):
    """A secret or a token that cannot be used, in one line."""


def secret_path(course):
    return os.path.join(course, SECRET_FILE)


def read_secret(course):
    """The course's secret, or None when it has none (nothing is created)."""
    path = secret_path(course)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise SeedError(f"{path}: cannot be read ({getattr(err, 'strerror', None) or type(err).__name__})") from None
    if len(text) < MIN_SECRET or len(text.split()) != 1:
        raise SeedError(f"{path}: not a course secret (one line of at least {MIN_SECRET} characters, no spaces); "
                        "move it away and the next grade makes a new one (every learner's hidden inputs change)")
    return text


def course_secret(course):
    """The course's secret, made (64 random hex digits, permissions 0600) the first time it is needed.

    Made atomically: written to a private temporary file, then linked to its name, so that two runs starting at
    once end with the same secret and a reader never sees half of one.
    """
    found = read_secret(course)
    if found is not None:
        return found
    os.makedirs(course, exist_ok=True)
    path = secret_path(course)
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):  # another run made it first: theirs holds
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return read_secret(course)


def exposed(course):
    """A warning when the course's secret can be read by others than its owner, else ''."""
    try:
        mode = os.stat(secret_path(course)).st_mode
    except OSError:
        return ""
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (f"{secret_path(course)} can be read by others (mode {stat.S_IMODE(mode):o}): `chmod 600` it; "
                "with it anyone can work out every learner's hidden inputs")
    return ""


def _hmac(key, message):
    return hmac.new(key.encode("utf-8"), message.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def learner_key(secret, student):
    """One learner's key: HMAC-SHA256 of the student id under the course's secret (64 hex digits)."""
    return _hmac(secret, f"charlm-student\0{student}")


def seed_from_key(key, assignment):
    """The seed of one assignment under a learner's key (16 hex digits)."""
    return _hmac(key, f"charlm-assignment\0{assignment}")[:16]


def seed_for(secret, student, assignment):
    """The seed of one (student, assignment) under the course's secret: what `grade` puts into its job."""
    return seed_from_key(learner_key(secret, student), assignment)


def token(secret, student):
    """The seed token of one learner, for the self-check: their id and their key, never the secret."""
    return f"{TOKEN_PREFIX}:{student}:{learner_key(secret, student)}"


def parse_token(text):
    """(student, key) of a seed token; SeedError saying what is wrong with anything else."""
    text = str(text).strip()
    head, _, rest = text.partition(":")
    student, _, key = rest.rpartition(":")
    if head != TOKEN_PREFIX or not student or not KEY.match(key):
        raise SeedError(f"not a seed token (it looks like {TOKEN_PREFIX}:<your student id>:<64 hex digits>, "
                        "as your instructor gave it)")
    return student, key


def valid_seed(seed):
    """Whether a job's seed is one `grade` or the self-check makes (or the practice seed)."""
    return isinstance(seed, str) and (seed == PRACTICE_SEED or bool(SEED.match(seed)))


# ---------------------------------------------------------------------------------------------------------------
# the instructor's command


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m grader.seeds",
                                 description="Print each learner's seed token (for the self-check to use the hidden "
                                             "inputs `grade` will use); makes the course's secret if it has none.")
    ap.add_argument("--course", required=True, help="the course folder `python -m grader grade --course` uses")
    ap.add_argument("--student", action="append", default=[], help="a student id as `grade` names the student "
                                                                    "(repeat for several)")
    ap.add_argument("--roster", help="a file of student ids, one a line")
    args = ap.parse_args(argv)
    students = list(args.student)
    if args.roster:
        try:
            with open(args.roster, encoding="utf-8") as f:
                students += [line.strip() for line in f if line.strip() and not line.startswith("#")]
        except OSError as err:
            print(f"error: --roster {args.roster}: cannot be read ({err.strerror})", file=sys.stderr)
            return 2
    if not students:
        print("error: give --student ID (one or more) or --roster FILE", file=sys.stderr)
        return 2
    bad = [s for s in students if any(ch in s for ch in "\t\n\r\0")]
    if bad:
        print(f"error: not a student id: {bad[0]!r}", file=sys.stderr)
        return 2
    course = os.path.abspath(args.course)
    if os.path.exists(course) and not os.path.isdir(course):
        print(f"error: --course {args.course}: exists and is not a folder", file=sys.stderr)
        return 2
    try:
        made = read_secret(course) is None
        secret = course_secret(course)
    except (SeedError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if made:
        print(f"note: made the course's secret {secret_path(course)} (keep it there, private; never share it)",
              file=sys.stderr)
    warning = exposed(course)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    for student in students:
        print(f"{student}\t{token(secret, student)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
