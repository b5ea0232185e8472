"""
text8 data for the LSTM assignment: load the real corpus from its zip, or a small sample in
the same format, and turn any text into that format.

text8 format: lower-case letters a-z separated by single spaces, nothing else (no newlines, no
punctuation, no leading or trailing space). The real file is the first 10^8 characters of a
cleaned English Wikipedia dump, shipped as `text8.zip` (31,344,016 bytes, one member `text8`).
The course does not ship it: place it in `data/` (or next to the notebook) to use it.

What this module leaves out: downloading (the course runs offline) and any vocabulary logic
(the assignment builds that itself).

The normaliser's rule, in order:
  1. Unicode NFKD, then combining marks are dropped, so accented letters lose their accents
     ("Übermensch" -> "ubermensch");
  2. upper case becomes lower case;
  3. every digit becomes its English name surrounded by spaces, digit by digit
     ("1984" -> "one nine eight four", "3.5" -> "three five");
  4. apostrophes inside words are removed ("don't" -> "dont"), as in text8;
  5. every other character that is not a-z becomes a space;
  6. runs of spaces collapse to one, and the ends are stripped.
"""

import os
import unicodedata
import zipfile

TEXT8_ZIP_BYTES = 31_344_016  # size of the official text8.zip
TEXT8_CHARS = 100_000_000  # characters in its single member `text8`
TEXT8_MEMBER = "text8"
ALPHABET = " abcdefghijklmnopqrstuvwxyz"  # the 27 symbols of text8: space, a-z

DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


class Text8Error(ValueError):
    """The text8 zip or sample is missing, has the wrong size, is corrupt, or is not in text8 format."""

    def _render_traceback_(self):  # IPython shows this one line instead of a long traceback
        return [f"Text8Error: {self}"]


# -----------------------------------------------------------------------------
# normaliser


def _letter_map():
    """Translation table for str.translate: digits -> ' name ', a-z kept, apostrophes dropped."""
    table = {ord(str(d)): f" {name} " for d, name in enumerate(DIGIT_NAMES)}
    table[ord("'")] = ""
    table[ord("\u2019")] = ""  # typographic apostrophe
    return table


_TABLE = _letter_map()


def normalize_text8(text):
    """
    Turn any text into text8 format (see the module docstring for the exact rule).

    Arguments:
    text -- a string

    Returns:
    out -- a string of a-z and single spaces, without leading or trailing space
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize_text8 expects a str, got {type(text).__name__}")
    decomposed = unicodedata.normalize("NFKD", text)
    no_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    spelled = no_marks.lower().translate(_TABLE)
    letters = "".join(ch if "a" <= ch <= "z" else " " for ch in spelled)
    return " ".join(letters.split())


def check_text8_format(text, name="text"):
    """
    Raise Text8Error unless `text` is non-empty text8-format text.

    Arguments:
    text -- a string
    name -- how to call it in the message (e.g. a file name)
    """
    if not text:
        raise Text8Error(f"{name} is empty")
    bad = sorted(set(text) - set(ALPHABET))
    if bad:
        shown = ", ".join(repr(ch) for ch in bad[:10])
        raise Text8Error(f"{name} is not in text8 format: it contains {len(bad)} character(s) outside "
                         f"'a'-'z' and space, e.g. {shown} (normalise it with normalize_text8)")
    if "  " in text or text[0] == " " or text[-1] == " ":
        raise Text8Error(f"{name} is not in text8 format: it has double, leading or trailing spaces")


# -----------------------------------------------------------------------------
# loaders


def load_text8_zip(path):
    """
    Read the real text8 corpus from its zip, checking that it is the official file.

    Arguments:
    path -- path to text8.zip

    Returns:
    text -- the corpus, a str of 100,000,000 characters

    Raises:
    Text8Error (a ValueError) saying exactly what is wrong: missing file, wrong size (with the
    size found), not a zip / corrupt, no member `text8`, or wrong content
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise Text8Error(f"{path} does not exist. Download text8.zip ({TEXT8_ZIP_BYTES:,} bytes, "
                         f"http://mattmahoney.net/dc/text8.zip) and place it there, or use the sample")
    if not os.path.isfile(path):
        raise Text8Error(f"{path} is not a file")
    size = os.path.getsize(path)
    if size != TEXT8_ZIP_BYTES:
        hint = "the download is incomplete" if size < TEXT8_ZIP_BYTES else "it is not the official text8.zip"
        raise Text8Error(f"{path} has {size:,} bytes but text8.zip has exactly {TEXT8_ZIP_BYTES:,}: {hint}")
    try:
        with zipfile.ZipFile(path) as zf:
            if TEXT8_MEMBER not in zf.namelist():
                raise Text8Error(f"{path} is a zip file but has no member {TEXT8_MEMBER!r} "
                                 f"(it holds {zf.namelist()[:5]})")
            data = zf.read(TEXT8_MEMBER)
    except zipfile.BadZipFile as e:
        raise Text8Error(f"{path} has the right size but is not a readable zip file (corrupt?): {e}") from e
    except (OSError, EOFError, zipfile.LargeZipFile) as e:
        raise Text8Error(f"{path} could not be read completely (corrupt?): {type(e).__name__}: {e}") from e
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as e:
        raise Text8Error(f"{path}: member {TEXT8_MEMBER!r} is not ASCII text: {e}") from e
    if len(text) != TEXT8_CHARS:
        raise Text8Error(f"{path}: member {TEXT8_MEMBER!r} has {len(text):,} characters, "
                         f"expected {TEXT8_CHARS:,}")
    return text


def load_text8_sample(path):
    """
    Read a text8-format text file (such as the shipped data/text8_sample.txt) and check its format.

    Arguments:
    path -- path to the text file

    Returns:
    text -- its content, a str of a-z and single spaces
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise Text8Error(f"{path} does not exist (rebuild it with `python tools/make_text8_sample.py`)")
    with open(path, encoding="ascii", errors="replace") as f:
        text = f.read()
    check_text8_format(text, path)
    return text


def load_corpus(zip_path="text8.zip", sample_path="text8_sample.txt"):
    """
    The real text8 when its zip is present, otherwise the sample.

    Arguments:
    zip_path -- where a real text8.zip may be
    sample_path -- the text8-format sample used otherwise

    Returns:
    text -- the corpus
    name -- "text8" or "sample", to say which one was loaded
    """
    if os.path.exists(zip_path):
        return load_text8_zip(zip_path), "text8"
    return load_text8_sample(sample_path), "sample"
