"""The experiments as one registry: their modules, and the functions that
find an experiment's table for its figures and write them."""

import importlib

from . import EXPERIMENT_MODULES
from .results import format_rows, write_results

#: The experiments' modules, in the order ``sklarith --help`` lists their
#: commands.
EXPERIMENTS = [
    importlib.import_module(f".{name}", __package__) for name in EXPERIMENT_MODULES
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
