"""Find the submissions of one assignment in a folder or a .zip, reading them without trusting them.

Three layouts are recognised (in this order):

1. **nbgrader's** (what `nbgrader collect` and `zip_collect` produce): `<student>/<assignment>/<notebook>.ipynb`,
   possibly under one wrapping folder (e.g. `submitted/`). The notebook named in tools/assignments.py is graded;
   if it is absent, the only other `.ipynb` in that folder is; every other entry of the folder is listed to the
   unit as `files` (name, kind, size), never read.
2. **A flat folder or .zip of notebooks**, as an LMS exports them. The student id is taken from the file name:
   - Canvas:  `<name>[_late]_<user id>_<submission id>_<original name>.ipynb` -> the Canvas user id;
   - Moodle:  `<Full Name>_<participant id>_assignsubmission_file_<original name>.ipynb` (also as a folder of
     that name holding the notebook) -> the participant id;
   - anything else: `<student>.ipynb`, `<student>_<assignment>.ipynb` or `<student>__<anything>.ipynb` -> student.
   `--student-pattern REGEX` (a regular expression with a group named `student`, matched against the file name)
   overrides these.
3. Several notebooks for one student: the last by name is graded (LMS exports number resubmissions in
   increasing order) and the submission is flagged with a note saying which.

Student ids are made safe as folder names (letters, digits and `._@+-`; others become `_`), with a note when that
changed anything.

Safety: symbolic links are never followed (entries are listed with lstat; notebooks are opened with O_NOFOLLOW),
nothing under the submissions is ever written, and a .zip is read in memory with limits: no absolute paths or
`..`, at most MAX_ENTRIES entries, MAX_NOTEBOOK_BYTES per notebook, MAX_ZIP_TOTAL bytes uncompressed in all,
each member's actual size checked while it is read (a forged header cannot make a bomb).
"""

import os
import re
import stat
import zipfile
from dataclasses import dataclass, field

from tools.assignments import ASSIGNMENTS

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024   # a larger notebook is not read: it is graded as unreadable, with a note
MAX_ENTRIES = 200_000                    # entries listed in a folder tree or a zip
MAX_ZIP_TOTAL = 8 * 1024 ** 3            # uncompressed bytes read from one zip in all
MAX_DEPTH = 8                            # folder levels walked below --submissions

CANVAS = re.compile(r"^(?P<name>[a-z0-9-]+)(?:_late)?_(?P<student>\d+)_\d+_(?P<rest>.+)$", re.I)
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<student>\d+)_assignsubmission_(?:file|onlinetext)_?(?P<rest>.*)$")
UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


class InputError(Exception):
    """The submissions cannot be read at all (bad path, not a folder or a zip): the message says why."""


@dataclass
class Entry:
    parts: tuple            # path inside the submissions, split
    kind: str               # "file" | "symlink" | "dir" | "other"
    size: int
    read: object = None     # callable returning bytes (files only)


@dataclass
class Submission:
    student: str
    files: list             # [{"name", "kind", "size"}] other entries beside the notebook
    origin: str             # where it came from, for messages
    notes: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    reader: object = None   # returns the notebook's bytes (None: none, or too large); read when needed, so a
                            # class of 20,000 is never held in memory at once

    def text(self):
        """The notebook's text ("" when there is none or it cannot be read)."""
        data = self.reader() if self.reader else None
        return "" if data is None else data.decode("utf-8", errors="replace")


def safe_student(raw):
    """A student id usable as a folder name, and whether it had to change."""
    sid = UNSAFE.sub("_", raw.strip())[:100].lstrip(".") or "unnamed"
    return sid, sid != raw


def student_from_name(name, assignment, pattern=None):
    """The student id a file (or Moodle folder) name stands for, or None."""
    stem = name[:-6] if name.endswith(".ipynb") else name
    if pattern is not None:
        m = pattern.search(name)
        return m.group("student") if m else None
    for lms in (MOODLE, CANVAS):
        m = lms.match(stem)
        if m:
            return m.group("student")
    if "__" in stem:
        return stem.split("__", 1)[0] or None
    for suffix in (f"_{assignment}", f"-{assignment}"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    return stem or None


# ---------------------------------------------------------------------------------------------------------------
# listing a folder tree or a zip as Entry objects

def _read_file_nofollow(path, limit):
    """The bytes of a regular file, never through a symbolic link; None when it is larger than limit."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > limit:
                return None
            chunks.append(chunk)
    finally:
        os.close(fd)


def _kind(mode):
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return "other"


def list_folder(root):
    """Every entry below root (symbolic links listed, never followed)."""
    entries = []

    def walk(path, parts):
        if len(parts) >= MAX_DEPTH:
            return
        try:
            names = sorted(os.listdir(path))
        except OSError:
            return
        for name in names:
            full = os.path.join(path, name)
            try:
                st = os.lstat(full)
            except OSError:
                continue
            kind = _kind(st.st_mode)
            entry = Entry(parts + (name,), kind, st.st_size if kind == "file" else 0)
            if kind == "file":
                entry.read = lambda p=full: _read_file_nofollow(p, MAX_NOTEBOOK_BYTES)
            entries.append(entry)
            if len(entries) > MAX_ENTRIES:
                raise InputError(f"{root}: more than {MAX_ENTRIES:,} entries; is this the submissions folder?")
            if kind == "dir":
                walk(full, parts + (name,))

    walk(root, ())
    return entries


def list_zip(path):
    """Every member of a zip as an entry; unsafe names are reported as entries of kind 'other' and never read."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"{path}: not a readable zip file ({e})") from None
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise InputError(f"{path}: more than {MAX_ENTRIES:,} members")
    budget = {"left": MAX_ZIP_TOTAL}
    entries, seen_dirs = [], set()
    for info in infos:
        name = info.filename.replace("\\", "/")
        parts = tuple(p for p in name.split("/") if p not in ("", "."))
        if not parts:
            continue
        unsafe = name.startswith("/") or ".." in parts or ":" in parts[0]
        mode = info.external_attr >> 16
        if unsafe:
            entries.append(Entry(("(unsafe path)", name), "other", info.file_size))
            continue
        for i in range(1, len(parts)):
            if parts[:i] not in seen_dirs:
                seen_dirs.add(parts[:i])
                entries.append(Entry(parts[:i], "dir", 0))
        if info.is_dir():
            if parts not in seen_dirs:
                seen_dirs.add(parts)
                entries.append(Entry(parts, "dir", 0))
            continue
        kind = "symlink" if stat.S_ISLNK(mode) else "file"
        entry = Entry(parts, kind, info.file_size)
        if kind == "file":
            entry.read = lambda i=info: _read_member(archive, i, budget)
        entries.append(entry)
    return entries


def _read_member(archive, info, budget):
    """A member's bytes, reading at most MAX_NOTEBOOK_BYTES of it whatever its header says; None if larger."""
    limit = min(MAX_NOTEBOOK_BYTES, budget["left"])
    if info.file_size > limit:
        return None
    chunks, total = [], 0
    with archive.open(info) as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                return None
            chunks.append(chunk)
    budget["left"] -= total
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------------------------
# recognising the layout

def _strip_wrapper(entries, assignment):
    """Drop single wrapping folders (e.g. `submitted/`, or the folder a zip was made from)."""
    while True:
        tops = {e.parts[0] for e in entries}
        if len(tops) != 1 or any(len(e.parts) == 1 and e.kind != "dir" for e in entries):
            return entries
        if any(len(e.parts) >= 2 and e.parts[1] == assignment for e in entries) or MOODLE.match(next(iter(tops))):
            return entries   # the students' level of nbgrader's layout, or one Moodle folder
        inner = [Entry(e.parts[1:], e.kind, e.size, e.read) for e in entries if len(e.parts) > 1]
        if not inner:
            return entries
        entries = inner


def _file_list(entries, skip):
    return [{"name": "/".join(e.parts), "kind": e.kind, "size": e.size} for e in entries if e is not skip]


def find_submissions(path, assignment, pattern=None):
    """The submissions of `assignment` under path (a folder or a .zip): a list of Submission, sorted by student."""
    if assignment not in ASSIGNMENTS:
        raise InputError(f"unknown assignment {assignment!r}; known: {', '.join(sorted(ASSIGNMENTS))}")
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or folder")
    if os.path.isdir(path):
        entries = list_folder(path)
    elif zipfile.is_zipfile(path):
        entries = list_zip(path)
    else:
        raise InputError(f"{path}: neither a folder nor a .zip file")
    entries = _strip_wrapper(entries, assignment)
    nbgrader_layout = any(len(e.parts) >= 2 and e.parts[1] == assignment and e.kind == "dir" for e in entries)
    groups = {}   # student -> list of (candidate notebook entry or None, other entries, origin)
    if nbgrader_layout:
        by_student = {}
        for e in entries:
            if len(e.parts) >= 3 and e.parts[1] == assignment:
                by_student.setdefault(e.parts[0], []).append(e)
            elif len(e.parts) == 2 and e.parts[1] == assignment:
                by_student.setdefault(e.parts[0], [])
        for raw, inside in by_student.items():
            rel = [Entry(e.parts[2:], e.kind, e.size, e.read) for e in inside]
            wanted = ASSIGNMENTS[assignment][0]
            top_nbs = [e for e in rel if len(e.parts) == 1 and e.parts[0].endswith(".ipynb")]
            named = [e for e in top_nbs if e.parts[0] == wanted]
            candidates = named or top_nbs
            groups.setdefault(raw, []).append((candidates, rel, f"{raw}/{assignment}/"))
    else:
        for e in entries:
            if len(e.parts) == 1 and e.parts[0].endswith(".ipynb") and not e.parts[0].startswith("."):
                raw = student_from_name(e.parts[0], assignment, pattern)
                if raw:
                    groups.setdefault(raw, []).append(([e], [e], e.parts[0]))
            elif len(e.parts) == 1 and e.kind == "dir" and MOODLE.match(e.parts[0]):
                raw = student_from_name(e.parts[0], assignment, pattern)
                inside = [Entry(x.parts[1:], x.kind, x.size, x.read) for x in entries
                          if len(x.parts) > 1 and x.parts[0] == e.parts[0]]
                nbs = [x for x in inside if len(x.parts) == 1 and x.parts[0].endswith(".ipynb")]
                if raw:
                    groups.setdefault(raw, []).append((nbs, inside, e.parts[0] + "/"))
    submissions = {}
    for raw, found in groups.items():
        sid, changed = safe_student(raw)
        sub = submissions.get(sid)
        if sub is None:
            sub = submissions[sid] = Submission(sid, [], "")
            if changed:
                sub.notes.append(f"student id {raw!r} written as {sid!r}")
            sub._candidates = []
        for candidates, others, origin in found:
            sub._candidates += [(c, others, origin) for c in candidates] or [(None, others, origin)]
    result = []
    for sid in sorted(submissions):
        sub = submissions[sid]
        picks = sorted(sub._candidates, key=lambda t: (t[0] is not None, t[2], t[0].parts if t[0] else ()))
        chosen, others, origin = picks[-1]
        real = [p for p in picks if p[0] is not None]
        if len(real) > 1:
            names = ", ".join(p[2] + ("/".join(p[0].parts) if p[2].endswith("/") else "") for p in real)
            sub.flags.append(f"several notebooks for this student ({names}); graded the last: "
                             f"{origin}{'/'.join(chosen.parts) if origin.endswith('/') else ''}")
        sub.origin = origin
        if chosen is None:
            sub.notes.append(f"no notebook in {origin}")
            sub.files = _file_list(others, None)
        elif chosen.kind != "file":
            sub.notes.append(f"{'/'.join(chosen.parts)} is a {chosen.kind}, not a file; not read")
            sub.files = _file_list(others, None)
        else:
            if chosen.size > MAX_NOTEBOOK_BYTES:
                sub.notes.append(f"{'/'.join(chosen.parts)} is larger than {MAX_NOTEBOOK_BYTES:,} bytes; not read")
            else:
                sub.reader = chosen.read
            sub.files = _file_list(others, chosen)
        del sub._candidates
        result.append(sub)
    return result
