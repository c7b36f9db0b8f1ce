"""The experiments behind sklarith's published tables, one module each.

This package is a client of sklarith: it imports the library only through
its public names, as a user's script would, and ``sklarith reproduce`` and
``sklarith demo`` are a command line over it. Every experiment module has the
same shape:

- ``COMMAND``: the command line that runs it, ``sklarith reproduce adder``;
- ``OPTIONS``: the command line's help for the options of its own;
- ``run(*, data="auto", quick=False, random_state=0, verbose=1, ...)``:
  runs it and returns its :class:`Figures`, with the command, the machine
  and the date; defaults live in ``run``'s signature and the module;
- ``format_table(figures)``: the table, in Markdown.

:func:`write` writes figures to results files: the figures as JSON, and the
table with its provenance as Markdown (quoted by README.md) and
reStructuredText (included by the documentation). :mod:`.results` defines
that format; the helpers its tables are made with (:func:`mean_std`,
:func:`percent`, :func:`seconds_text`, :func:`markdown_table`) serve any
script that writes results files of its own, as the benchmarks do.

Examples
--------
>>> from sklarith.experiments import adder, write
>>> figures = adder.run(quick=True, verbose=0)  # doctest: +SKIP
>>> write(figures, "results")  # doctest: +SKIP
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
from ._common import Images, load_images, split_digits
from ._files import UnreadableFileWarning
from .results import (
    Figures,
    UnreadableResultsError,
    format_rows,
    markdown_table,
    mean_std,
    percent,
    read_figures,
    refresh_quotes,
    seconds_text,
    stem,
    to_markdown,
    write_results,
)

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
    """The module of the experiment whose figures are named ``name``.

    Parameters
    ----------
    name : str
        The last word of the experiment's command, as
        :attr:`Figures.experiment` holds it: ``"mnist-addition"``.

    Returns
    -------
    module : module or None
        The experiment of :data:`EXPERIMENTS` of that name, or None when no
        experiment has it (the figures of a benchmark).
    """
    for module in EXPERIMENTS:
        if module.COMMAND.split()[-1] == name:
            return module
    return None


def format_figures(figures):
    """The table of any figures, in Markdown.

    Parameters
    ----------
    figures : Figures
        The figures of an experiment, or figures that carry their own table
        in their results (see :func:`format_rows`), as the benchmarks' do.

    Returns
    -------
    table : str
        By the ``format_table`` of the experiment that wrote the figures, or
        by :func:`format_rows` for figures of no experiment.
    """
    module = experiment_named(figures.experiment)
    return module.format_table(figures) if module else format_rows(figures)


def write(figures, folder, name=None):
    """Write ``figures`` and their table to results files in ``folder``.

    :func:`write_results` with the table of :func:`format_figures`: the same
    parameters but the table, and the same files.

    Returns
    -------
    paths : list of pathlib.Path
        The files written.
    """
    return write_results(figures, format_figures(figures), folder, name)


__all__ = [
    "EXPERIMENTS",
    "Figures",
    "Images",
    "UnreadableFileWarning",
    "UnreadableResultsError",
    "adder",
    "arithmetic",
    "compare",
    "demo",
    "experiment_named",
    "format_figures",
    "format_rows",
    "identity_adder",
    "load_images",
    "markdown_table",
    "mean_std",
    "mnist_addition",
    "percent",
    "read_figures",
    "refresh_quotes",
    "seconds_text",
    "single_layer",
    "split_digits",
    "stem",
    "to_markdown",
    "write",
    "write_results",
]
