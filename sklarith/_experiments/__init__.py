"""The experiments behind sklarith's published tables, one module each.

Every module has the same shape:

- ``COMMAND``: the command line that runs it, ``sklarith reproduce adder``;
- ``OPTIONS``: the command line's help for the options of its own;
- ``run(*, data="auto", quick=False, random_state=0, verbose=1, ...)``:
  runs it and returns its :class:`~._results.Figures`, with the command, the
  machine and the date; defaults live in ``run``'s signature and the module;
- ``format(figures)``: the table, in Markdown.

:func:`~._results.write_results` writes the figures to a results file and
renders the table as Markdown (quoted by README.md) and reStructuredText
(included by the documentation). Experiments use sklarith's public API only.
"""

from . import (
    adder,
    arithmetic,
    compare,
    demo,
    identity_adder,
    mnist_addition,
    single_layer,
)
from ._results import format_rows, write_results

#: The experiments, in the order ``sklarith --help`` lists their commands.
EXPERIMENTS = [
    demo,
    compare,
    arithmetic,
    identity_adder,
    adder,
    mnist_addition,
    single_layer,
]


def experiment_named(name):
    """The module of the experiment whose figures are named ``name``."""
    for module in EXPERIMENTS:
        if module.COMMAND.split()[-1] == name:
            return module
    return None


def format_figures(figures):
    """The table of any figures: by their experiment's ``format``, or, for
    figures that carry their own rows (the benchmarks'), by those rows."""
    module = experiment_named(figures.experiment)
    return module.format(figures) if module else format_rows(figures)


def write(figures, folder, name=None):
    """Write ``figures`` and their table to ``folder``; return the paths.

    The files are named after the figures' command, or ``name``.
    """
    return write_results(figures, format_figures(figures), folder, name)


__all__ = ["EXPERIMENTS", "experiment_named", "format_figures", "write"]
