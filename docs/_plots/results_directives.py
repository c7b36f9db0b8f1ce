"""Sphinx directives that put results files into the docs as they arrive.

- ``mnist-addition-summary``: the table of ``mnist_addition_summary``, parsed
  in place from every MNIST addition results file there is;
  ``mnist-addition-published``: the published figures it compares with.
- ``include-results``: the results files (``.rst``) that a glob pattern,
  relative to the page, matches, each parsed in place, in order of name; when
  none exists yet, the directive's content instead (what to run to write
  them). A page can so name a measurement before it is made, and show it
  once made, without failing the build in between.

Pages that use them are read again at every build: a results file written
since the last build is no dependency of theirs yet, and the published figures
live in sklarith's code.
"""

import glob
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from mnist_addition_summary import PATTERN, RESULTS, published_rst, summary_rst
from sphinx.util.docutils import SphinxDirective


class _ResultsDirective(SphinxDirective):
    """A directive whose page is read again at every build."""

    def parse(self, lines, offset=0):
        """The nodes of reStructuredText ``lines`` (a ``StringList``)."""
        docs = getattr(self.env, "results_directive_docs", set())
        self.env.results_directive_docs = docs | {self.env.docname}
        container = nodes.container()
        self.state.nested_parse(lines, offset, container)
        return container.children


class MnistAdditionSummary(_ResultsDirective):
    """The summary table of :func:`mnist_addition_summary.summary_rst`."""

    def run(self):
        for path in RESULTS.glob(PATTERN):
            self.env.note_dependency(str(path))
        return self.parse(StringList(summary_rst(), source=str(RESULTS / PATTERN)))


class MnistAdditionPublished(_ResultsDirective):
    """The table of :func:`mnist_addition_summary.published_rst`."""

    def run(self):
        return self.parse(StringList(published_rst(), source="PUBLISHED"))


class IncludeResults(_ResultsDirective):
    """Every results file the pattern matches, else the directive's content."""

    required_arguments = 1
    has_content = True

    def run(self):
        _, pattern = self.env.relfn2path(self.arguments[0])
        paths = sorted(glob.glob(str(pattern)))
        if not paths:
            return self.parse(self.content, self.content_offset)
        parsed = []
        for path in paths:
            self.env.note_dependency(path)
            if any(c in self.arguments[0] for c in "*?["):
                # Files found by a pattern are named, each above its table.
                name = Path(path).name
                parsed.append(nodes.rubric(name, "", nodes.literal(name, name)))
            text = Path(path).read_text(encoding="utf-8")
            parsed += self.parse(StringList(text.splitlines(), source=path))
        return parsed


def _outdated(app, env, added, changed, removed):
    return sorted(getattr(env, "results_directive_docs", set()) - removed)


def _purge(app, env, docname):
    getattr(env, "results_directive_docs", set()).discard(docname)


def _merge(app, env, docnames, other):
    env.results_directive_docs = getattr(env, "results_directive_docs", set()) | (
        getattr(other, "results_directive_docs", set()) & set(docnames)
    )


def setup(app):
    app.add_directive("mnist-addition-summary", MnistAdditionSummary)
    app.add_directive("mnist-addition-published", MnistAdditionPublished)
    app.add_directive("include-results", IncludeResults)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
