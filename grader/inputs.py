"""Find the submissions of one assignment in a folder or a .zip, reading them without trusting them.

Three layouts are recognised (in this order):

1. **nbgrader's** (what `nbgrader collect` and `zip_collect` produce): `<student>/<assignment>/<notebook>.ipynb`,
   possibly under one wrapping folder (e.g. `submitted/`). The notebook named in course/assignments.py is graded;
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
`..`, at most MAX_ZIP_MEMBERS members, MAX_NOTEBOOK_BYTES per notebook, MAX_ZIP_TOTAL bytes uncompressed in all,
each member's actual size checked while it is read (a forged header cannot make a bomb).

One student's folder is that student's problem alone: it is listed (never read) breadth first, its own entries
first, within MAX_STUDENT_ENTRIES entries, MAX_STUDENT_SECONDS and MAX_DEPTH levels; the notebook is looked up by
its name whatever the listing holds. A listing cut short is a review flag of that student, and their notebook is
graded. Names are made printable (an undecodable byte becomes an escape) before they reach any message.
"""

import math
import os
import re
import stat
import time
import zipfile
from collections import deque
from dataclasses import dataclass, field

from course.assignments import ASSIGNMENTS
from grader.store import printable

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024   # a larger notebook is not read: it is graded as unreadable, with a note
MAX_STUDENT_ENTRIES = 10_000             # entries listed in one student's folder (then the listing stops, flagged)
MAX_STUDENT_SECONDS = 10.0               # seconds spent listing one student's folder
MAX_DEPTH = 8                            # folder levels listed below a student's folder
MAX_TOP_ENTRIES = 2_000_000              # entries at the top of --submissions (students, or flat notebooks)
MAX_ZIP_MEMBERS = 2_000_000              # members of one zip
MAX_ZIP_TOTAL = 8 * 1024 ** 3            # uncompressed bytes read from one zip in all

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
# a folder tree or a zip, read one folder at a time

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


class FolderTree:
    """A folder, listed one folder at a time with lstat (symbolic links listed, never followed)."""

    def __init__(self, root):
        self.root = root

    def _entry(self, parts, st):
        kind = _kind(st.st_mode)
        entry = Entry(parts, kind, st.st_size if kind == "file" else 0)
        if kind == "file":
            full = os.path.join(self.root, *parts)
            entry.read = lambda: _read_file_nofollow(full, MAX_NOTEBOOK_BYTES)
        return entry

    def entry(self, parts):
        """The entry at parts, or None."""
        try:
            return self._entry(parts, os.lstat(os.path.join(self.root, *parts)))
        except OSError:
            return None

    def scan(self, parts, limit, deadline=math.inf):
        """(the entries of the folder at parts, sorted; whether it holds more): at most limit of them, read until
        the deadline (time.monotonic)."""
        found, more = [], False
        try:
            with os.scandir(os.path.join(self.root, *parts)) as it:
                for d in it:
                    if len(found) >= limit or time.monotonic() > deadline:
                        more = True
                        break
                    try:
                        found.append(self._entry(parts + (d.name,), d.stat(follow_symlinks=False)))
                    except OSError:
                        continue
        except OSError:
            pass
        found.sort(key=lambda e: e.parts)
        return found, more


class ZipTree:
    """A zip read in memory with limits; unsafe names are listed under '(unsafe path)' as kind 'other', never
    read."""

    def __init__(self, path):
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise InputError(f"{path}: not a readable zip file ({e})") from None
        infos = self.archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise InputError(f"{path}: more than {MAX_ZIP_MEMBERS:,} members; is this a class's submissions?")
        self.budget = {"left": MAX_ZIP_TOTAL}
        self.children = {(): {}}   # folder parts -> {name: Entry}
        for info in infos:
            name = info.filename.replace("\\", "/")
            parts = tuple(p for p in name.split("/") if p not in ("", "."))
            if not parts:
                continue
            if name.startswith("/") or ".." in parts or ":" in parts[0]:
                self._add(("(unsafe path)", name), "other", info.file_size)
                continue
            if info.is_dir():
                self._add(parts, "dir", 0)
                continue
            kind = "symlink" if stat.S_ISLNK(info.external_attr >> 16) else "file"
            entry = self._add(parts, kind, info.file_size)
            if kind == "file" and entry.read is None:
                entry.read = lambda i=info: _read_member(self.archive, i, self.budget)

    def _add(self, parts, kind, size):
        for i in range(1, len(parts)):   # the folders above it
            folder = self.children.setdefault(parts[:i - 1], {})
            if parts[i - 1] not in folder:
                folder[parts[i - 1]] = Entry(parts[:i], "dir", 0)
            self.children.setdefault(parts[:i], {})
        folder = self.children.setdefault(parts[:-1], {})
        if parts[-1] not in folder:
            folder[parts[-1]] = Entry(parts, kind, size)
        if kind == "dir":
            self.children.setdefault(parts, {})
        return folder[parts[-1]]

    def entry(self, parts):
        return self.children.get(parts[:-1], {}).get(parts[-1]) if parts else None

    def scan(self, parts, limit, deadline=math.inf):
        found = sorted(self.children.get(parts, {}).values(), key=lambda e: e.parts)
        return found[:limit], len(found) > limit


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


@dataclass
class Listing:
    """One student's folder, listed within bounds: entries relative to it, and what was left out."""

    entries: list
    cut: str = ""          # why the listing stopped early ("" when it is complete)
    too_deep: bool = False  # folders deeper than MAX_DEPTH were not listed


def walk(tree, parts, limit=None, seconds=None, depth=None):
    """Every entry below the folder at parts, breadth first (the folder's own entries first), within bounds:
    at most `limit` entries, `seconds` of listing, `depth` folder levels."""
    limit = MAX_STUDENT_ENTRIES if limit is None else limit
    deadline = time.monotonic() + (MAX_STUDENT_SECONDS if seconds is None else seconds)
    depth = MAX_DEPTH if depth is None else depth
    found, queue, listing = [], deque([parts]), Listing([])
    while queue:
        folder = queue.popleft()
        if len(folder) - len(parts) >= depth:
            listing.too_deep = True
            continue
        inside, more = tree.scan(folder, limit - len(found), deadline)
        found += inside
        if more:
            listing.cut = (f"took more than {MAX_STUDENT_SECONDS if seconds is None else seconds:g} s"
                           if time.monotonic() > deadline else f"holds more than {limit:,} entries")
            break
        queue.extend(e.parts for e in inside if e.kind == "dir")
    n = len(parts)
    listing.entries = [Entry(e.parts[n:], e.kind, e.size, e.read) for e in found]
    return listing


# ---------------------------------------------------------------------------------------------------------------
# recognising the layout

def _strip_wrapper(tree, assignment):
    """The folder below single wrapping folders (e.g. `submitted/`, or the folder a zip was made from)."""
    base = ()
    for _ in range(MAX_DEPTH):
        top, more = tree.scan(base, 1)
        if more or len(top) != 1 or top[0].kind != "dir":
            return base
        only = top[0].parts
        if tree.entry(only + (assignment,)) is not None or MOODLE.match(only[-1]):
            return base   # the students' level of nbgrader's layout, or one Moodle folder
        if not tree.scan(only, 1)[0]:
            return base
        base = only
    return base


def _file_list(entries, skip):
    """What the unit is told of the entries beside the notebook (names printable: any bytes may be in a name)."""
    return [{"name": printable("/".join(e.parts)), "kind": e.kind, "size": e.size} for e in entries
            if skip is None or e.parts != skip.parts]


def _listing_notes(listing, where):
    """(flags, notes) about a student's folder listed within bounds."""
    flags, notes = [], []
    if listing.cut:
        flags.append(f"{where} {listing.cut}: listing stopped after {len(listing.entries):,} "
                     "(the files beside a notebook are never read; only the notebook was looked for)")
    if listing.too_deep:
        notes.append(f"{where} has folders more than {MAX_DEPTH} levels deep: not listed")
    return flags, notes


def find_submissions(path, assignment, pattern=None):
    """The submissions of `assignment` under path (a folder or a .zip): a list of Submission, sorted by student.

    One student's folder never stops the others: it is listed within bounds (MAX_STUDENT_ENTRIES entries,
    MAX_STUDENT_SECONDS, MAX_DEPTH levels), and a folder cut short is flagged for that student, whose notebook is
    still graded when it was found. InputError only for what concerns the whole class (no such path, not a
    folder or a zip, an unreadable zip, more than MAX_TOP_ENTRIES entries at its top)."""
    if assignment not in ASSIGNMENTS:
        raise InputError(f"unknown assignment {assignment!r}; known: {', '.join(sorted(ASSIGNMENTS))}")
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or folder")
    if os.path.isdir(path):
        tree = FolderTree(path)
    elif zipfile.is_zipfile(path):
        tree = ZipTree(path)
    else:
        raise InputError(f"{path}: neither a folder nor a .zip file")
    base = _strip_wrapper(tree, assignment)
    top, more = tree.scan(base, MAX_TOP_ENTRIES)
    if more:
        raise InputError(f"{path}: more than {MAX_TOP_ENTRIES:,} entries at its top; is this the submissions folder?")
    wanted = ASSIGNMENTS[assignment][0]

    def is_dir(parts):
        e = tree.entry(parts)
        return e is not None and e.kind == "dir"

    nbgrader_layout = any(e.kind == "dir" and is_dir(e.parts + (assignment,)) for e in top)
    groups = {}   # student -> list of (candidate notebook entries, other entries, origin, flags, notes)
    if nbgrader_layout:
        for e in top:
            inside = e.parts + (assignment,)
            if e.kind != "dir" or tree.entry(inside) is None:
                continue
            raw = e.parts[-1]
            origin = f"{printable(raw)}/{assignment}/"
            listing = walk(tree, inside) if is_dir(inside) else Listing([])
            named = tree.entry(inside + (wanted,)) if is_dir(inside) else None
            if named is not None:
                named = Entry(named.parts[len(inside):], named.kind, named.size, named.read)
            top_nbs = [x for x in listing.entries if len(x.parts) == 1 and x.parts[0].endswith(".ipynb")]
            candidates = [named] if named is not None else top_nbs
            others = listing.entries
            if named is not None and not any(x.parts == named.parts for x in others):
                others = [named] + others   # found by its name beyond a listing cut short
            groups.setdefault(raw, []).append((candidates, others, origin, *_listing_notes(listing, origin)))
    else:
        for e in top:
            name = e.parts[-1]
            if name.endswith(".ipynb") and not name.startswith("."):
                raw = student_from_name(name, assignment, pattern)
                if raw:
                    e = Entry((name,), e.kind, e.size, e.read)
                    groups.setdefault(raw, []).append(([e], [e], printable(name), [], []))
            elif e.kind == "dir" and MOODLE.match(name):
                raw = student_from_name(name, assignment, pattern)
                if raw:
                    listing = walk(tree, e.parts)
                    nbs = [x for x in listing.entries if len(x.parts) == 1 and x.parts[0].endswith(".ipynb")]
                    origin = printable(name) + "/"
                    groups.setdefault(raw, []).append((nbs, listing.entries, origin,
                                                       *_listing_notes(listing, origin)))
    submissions = {}
    for raw, found in groups.items():
        sid, changed = safe_student(raw)
        sub = submissions.get(sid)
        if sub is None:
            sub = submissions[sid] = Submission(sid, [], "")
            if changed:
                sub.notes.append(f"student id {raw!r} written as {sid!r}")
            sub._candidates = []
        for candidates, others, origin, flags, notes in found:
            sub.flags += flags
            sub.notes += notes
            sub._candidates += [(c, others, origin) for c in candidates] or [(None, others, origin)]
    result = []
    for sid in sorted(submissions):
        sub = submissions[sid]
        picks = sorted(sub._candidates, key=lambda t: (t[0] is not None, t[2], t[0].parts if t[0] else ()))
        chosen, others, origin = picks[-1]
        real = [p for p in picks if p[0] is not None]

        def shown(pick):
            return pick[2] + (printable("/".join(pick[0].parts)) if pick[2].endswith("/") else "")

        if len(real) > 1:
            sub.flags.append(f"several notebooks for this student ({', '.join(shown(p) for p in real)}); "
                             f"graded the last: {shown(picks[-1])}")
        sub.origin = origin
        if chosen is None:
            sub.notes.append(f"no notebook in {origin}")
            sub.files = _file_list(others, None)
        elif chosen.kind != "file":
            sub.notes.append(f"{printable('/'.join(chosen.parts))} is a {chosen.kind}, not a file; not read")
            sub.files = _file_list(others, None)
        else:
            if chosen.size > MAX_NOTEBOOK_BYTES:
                sub.notes.append(f"{printable('/'.join(chosen.parts))} is larger than {MAX_NOTEBOOK_BYTES:,} bytes; "
                                 "not read")
            else:
                sub.reader = chosen.read
            sub.files = _file_list(others, chosen)
        del sub._candidates
        result.append(sub)
    return result
