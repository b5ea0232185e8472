"""nbgrader preprocessors the course adds (configured in nbgrader_config.py).

- LimitOutputSize: after a notebook runs under the autograder, cap each output's text by
  characters as well as by lines, so a submission that prints 100 MB on one line leaves a
  readable, small autograded notebook.
- HideHiddenTests: when feedback is generated, replace the text of every hidden-test region with
  a placeholder and cut tracebacks in cells that held hidden tests down to their last line (the
  error and its message: what was expected and what came back), so no hidden-test source reaches
  a learner, neither in cells nor in tracebacks.
- ClearWidgetState: when a release is generated, drop the widget state an executed notebook may carry in its
  metadata (`widgets`): a released notebook must open unchanged (JupyterLab rewrites that state on open, so
  an untouched notebook would ask to be saved). tools/check_release.py fails on any that is left.
"""

import re

from nbgrader.preprocessors import LimitOutput, NbGraderPreprocessor
from traitlets import Integer

from course import notebooks

ANSI = re.compile(r"\x1b\[[0-9;]*m")
PLACEHOLDER = "# (hidden tests: their code is not shown; their results are below)"


class LimitOutputSize(LimitOutput):
    """LimitOutput, plus a cap on the characters of each stream output and text result."""

    max_chars = Integer(20_000, help="maximum characters kept per output (-1 means no limit)").tag(config=True)

    def _cut(self, text):
        if self.max_chars == -1 or len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + f"\n... output truncated: {len(text):,} characters in all ..."

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "code":
            for output in cell.outputs:
                if output.output_type == "stream":
                    output.text = self._cut(output.text)
                elif "data" in output and "text/plain" in output.data:
                    output.data["text/plain"] = self._cut(output.data["text/plain"])
                elif output.output_type == "error":
                    output.evalue = self._cut(output.evalue)
                    output.traceback = [self._cut(line) for line in output.traceback]
        return cell, resources


WIDGET_STATE = "widgets"  # the notebook metadata key under which Jupyter stores widget state


class ClearWidgetState(NbGraderPreprocessor):
    """Remove saved widget state from the notebook's metadata."""

    def preprocess(self, nb, resources):
        nb.metadata.pop(WIDGET_STATE, None)
        return nb, resources


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden-test source from cells and tracebacks before feedback is rendered."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and notebooks.regions(cell.source, "HIDDEN TESTS"):
            cell.source = notebooks.without_regions(cell.source, "HIDDEN TESTS", PLACEHOLDER)
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {ANSI.sub('', output.evalue)}"]
        return cell, resources
