"""Learner content made safe and bounded for the browsers that show it: the instructor's formgrader and the
learner's feedback page.

Whatever a learner's notebook would put in front of a browser (outputs, Markdown cells, raw cells, metadata)
passes through here when the judge writes the graded notebook (grader/judge.py) and again when feedback is
rendered (grader/feedback.py); doing it twice changes nothing the second time.

- HTML (text/html outputs, rendered Markdown) is cleaned by nh3, the Python binding of the Ammonia sanitiser,
  with an allow-list: text formatting, tables, lists, the course's progress bar, MathML, images only as
  data: URIs of image types. No script, style element, event handler, frame, object, embed, form, meta or
  base survives; links go only to http(s), mailto or a #fragment of the page; style attributes keep only
  properties that cannot load anything.
- Markdown: a learner's cell is kept as written when it is plain (no `<`, no link or image syntax `](` or
  `]:`, no TeX at all), since nothing nbconvert renders from such text can be active; otherwise it is
  rendered here (nbconvert's own Markdown renderer, math pre-rendered to MathML), cleaned, and stored as one
  line of HTML in a `<div>` (one HTML block, which every Markdown renderer passes through as it is). Markdown
  the course wrote (a cell identical to a Markdown cell of the release) is trusted. `[x](javascript:...)` is
  Markdown, not HTML, until it is rendered: it is caught after rendering, like raw HTML.
- Rendering is bounded: Markdown's emphasis parsing costs time that grows much faster than the text (a 48 KB
  cell of nested emphasis takes 90 s in mistune), so a learner cell longer than MAX_MARKDOWN_CELL characters,
  with more than MAX_EMPHASIS emphasis marks, or past MAX_MARKDOWN_TOTAL characters of Markdown in the
  notebook, is shown as text (an indented code block, rendered in linear time) with a one-line note.
- SVG outputs (shown as <img>, where a browser runs nothing, but opened by other tools too) are kept only when
  they hold nothing active; PNG and JPEG outputs only when they are plain base64; image sizes only as numbers.
- A notebook's outputs are capped in total: past MAX_NOTEBOOK_OUTPUT characters, a cell's outputs are
  replaced by a note saying they were cut (the judge's verdicts in test cells are never cut).
- Text that any UTF-8 writer accepts: lone surrogates (a learner printing undecodable bytes) become escapes.
- Metadata that templates print: nbgrader metadata only with a plain grade_id, no widget state, no raw cell
  that a template would emit as HTML, no Markdown attachments (a rendered cell carries its images inline).
"""

import base64
import html
import re

import nbformat
import nh3

from course import notebooks

MAX_NOTEBOOK_OUTPUT = 10_000_000  # characters of learner outputs kept per graded notebook (figures are ~50,000)
MAX_MARKDOWN_CELL = 10_000  # characters of one learner Markdown cell that is rendered
MAX_EMPHASIS = 500  # '*' and '_' in one learner Markdown cell that is rendered (nested emphasis: 0.1 s at most)
MAX_MARKDOWN_TOTAL = 200_000  # characters of learner Markdown rendered per notebook; later cells are shown as text

CUT_NOTE = "[outputs not kept: this notebook's outputs passed the limit of {limit:,} characters]\n"
TEXT_NOTE = "*(This Markdown cell is shown as text: {why}.)*"
RENDERED_CLASS = "charlm-markdown"  # the <div> that holds a learner's Markdown rendered and cleaned

GRADE_ID = re.compile(r"[A-Za-z0-9_.-]{1,200}")
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+")
SAFE_LINK = re.compile(r"(https?|mailto):|#", re.I)
# anything in an SVG that could run, load or navigate: scripts, handlers, foreign HTML, links out of the file
SVG_ACTIVE = re.compile(r"<\s*(script|foreignobject|iframe|object|embed|handler|listener)\b|\bon[a-z]+\s*="
                        r"|javascript:|data:text|\bhref\s*=\s*(?![\"']?#)|@import|url\s*\(\s*(?![\"']?#)", re.I)
PLAIN_BREAKERS = re.compile(r"<|\]\(|\]:|\$|\\[(\[]|\\begin\b")

MATHML_TAGS = {"math", "mi", "mn", "mo", "ms", "mspace", "mtext", "mrow", "mfrac", "msqrt", "mroot", "msub",
               "msup", "msubsup", "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
               "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts", "none", "semantics",
               "annotation"}
MATHML_ATTRIBUTES = {"display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent",
                     "accentunder", "columnalign", "columnspacing", "rowspacing", "rowalign", "displaystyle",
                     "scriptlevel", "width", "height", "depth", "linethickness", "notation", "movablelimits",
                     "largeop", "symmetric", "minsize", "maxsize", "form", "encoding", "columnlines",
                     "rowlines", "frame", "voffset", "xmlns"}
TAGS = (set(nh3.ALLOWED_TAGS) - {"area", "map"}) | {"progress"} | MATHML_TAGS
CLEAN_CONTENT_TAGS = {"script", "style", "template", "noscript", "iframe", "object", "embed", "textarea", "title",
                      "xmp", "noembed", "noframes", "svg", "select", "button", "option"}
ATTRIBUTES = {
    "*": {"class", "title", "dir", "lang", "align", "style"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "progress": {"value", "max"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "col": {"span"}, "colgroup": {"span"},
    "table": {"border", "summary"},
    **{tag: MATHML_ATTRIBUTES for tag in MATHML_TAGS},
}
# style properties that take no URL (no background, list-style, cursor, content, border-image, ...)
STYLE_PROPERTIES = {"color", "background-color", "width", "height", "min-width", "max-width", "min-height",
                    "max-height", "text-align", "vertical-align", "font-weight", "font-style", "font-size",
                    "font-family", "font-variant", "line-height", "text-decoration", "white-space", "padding",
                    "padding-top", "padding-right", "padding-bottom", "padding-left", "margin", "margin-top",
                    "margin-right", "margin-bottom", "margin-left", "border", "border-top", "border-right",
                    "border-bottom", "border-left", "border-color", "border-width", "border-style",
                    "border-collapse", "border-spacing", "text-indent", "letter-spacing", "word-spacing"}


def text(value):
    """A string that any UTF-8 writer accepts: lone surrogates (from bytes a learner printed) as \\udcxx escapes."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _attribute(tag, name, value):
    """nh3's last word on an attribute: where a URL may point (called for every attribute kept so far)."""
    if name == "href":
        return value if SAFE_LINK.match(value.strip()) else None
    if name == "src":
        return value if tag == "img" and DATA_IMAGE.fullmatch(value.strip()) else None
    return value


_CLEANER = nh3.Cleaner(tags=TAGS, clean_content_tags=CLEAN_CONTENT_TAGS, attributes=ATTRIBUTES,
                       attribute_filter=_attribute, url_schemes={"http", "https", "mailto", "data"},
                       url_relative=lambda url: url if url.startswith("#") else None,
                       filter_style_properties=STYLE_PROPERTIES, link_rel="noopener noreferrer nofollow")


def clean_html(text):
    """HTML with nothing active left in it (see the module docstring for what is kept)."""
    return _CLEANER.clean(str(text))


# ---------------------------------------------------------------------------------------------------------------
# Markdown


def mathml(tex, display):
    """TeX rendered to MathML (no script, no network); TeX that cannot be converted is shown as code."""
    from latex2mathml.converter import convert

    try:
        return convert(tex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 (any TeX the converter cannot read, however broken, is shown as written)
        fence = "$$" if display else "$"
        return f'<code class="charlm-tex">{html.escape(fence + tex + fence)}</code>'


def _renderer_class():
    from nbconvert.filters.markdown_mistune import IPythonRenderer

    class Renderer(IPythonRenderer):
        """nbconvert's renderer with math as MathML and images from `figures` (name -> data: URI) only."""

        def __init__(self, figures=None, **kwargs):
            super().__init__(escape=False, exclude_anchor_links=True, **kwargs)
            self.figures = figures

        def block_math(self, body):
            return mathml(body, True)

        def inline_math(self, body):
            return mathml(body, False)

        def latex_environment(self, name, body):
            return mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", True)

        def image(self, text, url, title=None):
            if self.figures is not None and not url.startswith("attachment:"):
                url = self.figures.get(url, "")
            return super().image(text, url, title)

    return Renderer


_RENDERER = []


def render_markdown(text, attachments=None, figures=None):
    """Markdown rendered to HTML as nbconvert renders it, with math as MathML. Not cleaned: see learner_html.

    figures: {relative path: data URI} of images the page may show by name (others lose their source)."""
    from nbconvert.filters.markdown_mistune import InvalidNotebook, MarkdownWithMath

    if not _RENDERER:
        _RENDERER.append(_renderer_class())
    renderer = _RENDERER[0](figures=figures, attachments=_image_attachments(attachments))
    try:
        return MarkdownWithMath(renderer=renderer).render(text)
    except InvalidNotebook:  # an image names an attachment the cell does not have
        renderer = _RENDERER[0](figures=figures, attachments=None)
        return MarkdownWithMath(renderer=renderer).render(re.sub(r"\]\(attachment:", "](", text))


def _image_attachments(attachments):
    """A cell's attachments that are images in plain base64 (any other is dropped)."""
    kept = {}
    if isinstance(attachments, dict):
        for name, bundle in attachments.items():
            if isinstance(bundle, dict):
                images = {m: v for m, v in bundle.items() if isinstance(v, str) and
                          m in ("image/png", "image/jpeg", "image/gif") and BASE64.fullmatch(v)}
                if images:
                    kept[str(name)] = images
    return kept


def learner_html(text, attachments=None):
    """A learner's Markdown rendered and cleaned, as one line of HTML in a <div> (one Markdown HTML block)."""
    return _one_line(f'<div class="{RENDERED_CLASS}">' + clean_html(render_markdown(text, attachments)) + "</div>")


def _one_line(text):
    """Clean HTML on one line (line breaks as character references), so Markdown reads it as one HTML block."""
    return text.replace("\r", "&#13;").replace("\n", "&#10;")


def as_text(text, why):
    """Markdown that shows `text` literally (an indented code block: rendered in linear time), with a note."""
    shown = text[:MAX_MARKDOWN_CELL]
    more = f"\n[... {len(text) - len(shown):,} more characters not shown]" if len(text) > len(shown) else ""
    code = "\n".join("    " + line for line in (shown + more).split("\n"))
    return TEXT_NOTE.format(why=why) + "\n\n" + code


def _unrenderable(text, spent):
    """Why a learner's Markdown cell must be shown as text rather than rendered ('' when it may be rendered)."""
    if len(text) > MAX_MARKDOWN_CELL:
        return f"{len(text):,} characters, more than the {MAX_MARKDOWN_CELL:,} rendered"
    if text.count("*") + text.count("_") > MAX_EMPHASIS:
        return f"more than {MAX_EMPHASIS} emphasis marks ('*', '_')"
    if spent + len(text) > MAX_MARKDOWN_TOTAL:
        return f"the notebook's Markdown passed the {MAX_MARKDOWN_TOTAL:,} characters rendered"
    return ""


def is_plain(text):
    """True when nothing rendered from this Markdown can be active: no raw HTML, link or image syntax, or TeX."""
    return not PLAIN_BREAKERS.search(text)


def markdown_sources(nb):
    """The text of every Markdown cell of a notebook (the release's: Markdown the course wrote)."""
    return {c.source for c in nb.cells if c.get("cell_type") == "markdown" and isinstance(c.get("source"), str)}


def clean_markdown_cell(cell, trusted, spent):
    """Make one Markdown cell safe in place. Returns (characters of learner Markdown left to render, why it is
    shown as text or '')."""
    text = cell.source if isinstance(cell.get("source"), str) else ""
    attachments = cell.pop("attachments", None)
    if text in trusted or _is_rendered(text):
        return 0, ""
    why = _unrenderable(text, spent)
    if why:
        cell.source = as_text(text, why)
        return 0, why
    if not is_plain(text):
        cell.source = learner_html(text, attachments)
    return len(text), ""


def _is_rendered(text):
    """True for a cell this module already turned into clean HTML (cleaning it again would change nothing)."""
    return (text.startswith(f'<div class="{RENDERED_CLASS}">') and "\n" not in text and "\r" not in text
            and _one_line(clean_html(text)) == text)


# ---------------------------------------------------------------------------------------------------------------
# outputs


def _size(output):
    """Characters an output holds (the measure of the per-notebook cap)."""
    total = 0
    for key in ("text", "evalue", "ename"):
        if isinstance(output.get(key), str):
            total += len(output[key])
    for line in output.get("traceback") or []:
        total += len(line) if isinstance(line, str) else 0
    for value in (output.get("data") or {}).values():
        total += len(value) if isinstance(value, str) else 0
    return total


def _image_metadata(meta):
    """Image output metadata reduced to numeric width/height per image type and a known background hint."""
    kept = {}
    if not isinstance(meta, dict):
        return kept
    for mime, values in meta.items():
        if mime in ("image/png", "image/jpeg", "image/svg+xml") and isinstance(values, dict):
            one = {k: v for k, v in values.items() if k in ("width", "height") and isinstance(v, (int, float))
                   and not isinstance(v, bool)}
            if values.get("needs_background") in ("light", "dark"):
                one["needs_background"] = values["needs_background"]
            if one:
                kept[mime] = one
    return kept


def _image_ok(mime, value):
    """PNG and JPEG as plain base64 (templates put them in a src attribute); SVG with nothing active in it."""
    if mime in ("image/png", "image/jpeg"):
        return bool(BASE64.fullmatch(value))
    return mime == "image/svg+xml" and not SVG_ACTIVE.search(value)


def clean_output(output):
    """One output made safe in place (text/html cleaned, text/markdown rendered and cleaned, images checked);
    returns it, or None when nothing showable is left."""
    kind = output.get("output_type")
    if kind == "stream":
        if not isinstance(output.get("text"), str) or output.get("name") not in ("stdout", "stderr"):
            return None
        output["text"] = text(output["text"])
        return output
    if kind == "error":
        if not (all(isinstance(output.get(k), str) for k in ("ename", "evalue")) and isinstance(
                output.get("traceback"), list) and all(isinstance(line, str) for line in output["traceback"])):
            return None
        output["ename"], output["evalue"] = text(output["ename"]), text(output["evalue"])
        output["traceback"] = [text(line) for line in output["traceback"]]
        return output
    if kind not in ("display_data", "execute_result"):
        return None
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    kept = {}
    for mime, value in data.items():
        if not isinstance(value, str):
            continue
        value = text(value)
        if mime in ("text/plain", "text/latex"):
            kept[mime] = value
        elif mime == "text/html":
            kept[mime] = clean_html(value)
        elif mime == "text/markdown" and "text/html" not in data:
            if not _unrenderable(value, 0):
                kept["text/html"] = learner_html(value)
        elif _image_ok(mime, value):
            kept[mime] = value
    if not kept:
        return None
    output["data"] = kept
    output["metadata"] = _image_metadata(output.get("metadata"))
    return output


def cut_note(limit=MAX_NOTEBOOK_OUTPUT):
    """The output that stands where a cell's outputs were cut."""
    return nbformat.v4.new_output("stream", name="stderr", text=CUT_NOTE.format(limit=limit))


def is_cut_note(output, limit=MAX_NOTEBOOK_OUTPUT):
    return output.get("output_type") == "stream" and output.get("text") == CUT_NOTE.format(limit=limit)


class NotebookOutputs(dict):
    """cell index -> a cell's outputs, each made safe as it is stored, and the notebook's total capped: from the
    first output that would pass MAX_NOTEBOOK_OUTPUT characters on, a cell's outputs are stored as one note that
    they were cut (so the judge never holds more than the cap, whatever a notebook prints)."""

    def __init__(self, limit=MAX_NOTEBOOK_OUTPUT):
        super().__init__()
        self.limit, self.kept, self.full = limit, 0, False
        self.notes = []

    def __setitem__(self, index, outputs):
        safe = [o for o in (clean_output(o) for o in outputs) if o is not None]
        safe, self.kept, cut = _capped(safe, self.kept, self.limit, self.full)
        if cut and not self.full:
            self.notes.append(f"outputs cut from cell {index + 1} on: a notebook's outputs are limited to "
                              f"{self.limit:,} characters")
        self.full |= cut
        super().__setitem__(index, safe)


def _capped(outputs, kept, limit, full):
    """(the outputs that fit, characters kept in all, whether any was cut); past the cap, one note instead."""
    safe = []
    for output in outputs:
        if is_cut_note(output, limit):  # cut before (by NotebookOutputs): it stays cut
            return [*safe, output], kept, True
        if full or kept + _size(output) > limit:
            return [*safe, cut_note(limit)], kept, True
        kept += _size(output)
        safe.append(output)
    return safe, kept, False


# ---------------------------------------------------------------------------------------------------------------
# the whole notebook


def _clean_nbgrader(cell):
    meta = cell.metadata.get("nbgrader")
    if meta is None:
        return
    if not isinstance(meta, dict) or not GRADE_ID.fullmatch(str(meta.get("grade_id", ""))):
        cell.metadata.pop("nbgrader")
        return
    for key in ("points", "score"):
        if key in meta and not isinstance(meta[key], (int, float)):
            meta.pop(key)


def clean_notebook(nb, trusted=(), limit=MAX_NOTEBOOK_OUTPUT):
    """Make a graded notebook safe to show, in place; returns notes for the instructor about what was cut.

    trusted: Markdown sources the course wrote (markdown_sources of the release), kept as they are."""
    notes = []
    nb.metadata = nbformat.NotebookNode({k: v for k, v in nb.metadata.items()
                                         if k in ("kernelspec", "language_info") and isinstance(v, dict)})
    trusted = set(trusted)
    spent, kept, cut, shown_as_text, full = 0, 0, 0, 0, False
    for cell in nb.cells:
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = nbformat.NotebookNode()
        _clean_nbgrader(cell)
        cell["source"] = text(cell.get("source")) if isinstance(cell.get("source"), str) else ""
        kind = cell.get("cell_type")
        if kind == "raw":  # a template would emit raw text/html cells as they are: never as HTML here
            for key in ("raw_mimetype", "format"):
                cell.metadata.pop(key, None)
        elif kind == "markdown":
            rendered, why = clean_markdown_cell(cell, trusted, spent)
            spent += rendered
            shown_as_text += bool(why)
        elif kind == "code":
            if not isinstance(cell.get("execution_count"), int) or isinstance(cell.get("execution_count"), bool):
                cell["execution_count"] = None
            outputs = [clean_output(o) for o in cell.get("outputs", []) if isinstance(o, dict)]
            outputs = [o for o in outputs if o is not None]
            if notebooks.nbgrader(cell).get("grade"):  # the judge's verdict: small, never cut
                cell.outputs = outputs
                continue
            cell.outputs, kept, was_cut = _capped(outputs, kept, limit, full)
            cut += was_cut and not any(is_cut_note(o, limit) for o in outputs)
            full |= was_cut
    if cut:
        notes.append(f"outputs of {cut} cell(s) cut: a notebook's outputs are limited to {limit:,} characters")
    if shown_as_text:
        notes.append(f"{shown_as_text} Markdown cell(s) shown as text: too long or too heavily formatted to render")
    return notes


def data_uri(path):
    """A file as a data: URI of its image type (png, jpeg, gif, svg), or None for any other file."""
    types = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
             ".svg": "image/svg+xml"}
    mime = types.get(path[path.rfind("."):].lower()) if "." in path else None
    if mime is None:
        return None
    with open(path, "rb") as f:
        return f"data:{mime};base64,{base64.b64encode(f.read()).decode('ascii')}"
