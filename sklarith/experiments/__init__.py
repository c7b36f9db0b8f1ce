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

import importlib

#: The experiments' modules, in the order ``sklarith --help`` lists their
#: commands (:data:`EXPERIMENTS` holds the modules themselves).
EXPERIMENT_MODULES = (
    "demo",
    "compare",
    "arithmetic",
    "identity_adder",
    "adder",
    "mnist_addition",
    "single_layer",
)

# Each name is imported where it is first used: the experiments import
# torch, which takes seconds, and the command line's help needs none of it.
_NAMES = {
    "Images": "._common",
    "load_images": "._common",
    "split_digits": "._common",
    "UnreadableFileWarning": "._files",
    "EXPERIMENTS": "._registry",
    "experiment_named": "._registry",
    "format_figures": "._registry",
    "write": "._registry",
    **dict.fromkeys(
        [
            "Figures",
            "UnreadableResultsError",
            "format_rows",
            "markdown_table",
            "mean_std",
            "percent",
            "read_figures",
            "refresh_quotes",
            "seconds_text",
            "stem",
            "to_markdown",
            "write_results",
        ],
        ".results",
    ),
}


def __getattr__(name):
    if name in EXPERIMENT_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})


__all__ = [
    "EXPERIMENTS",
    "EXPERIMENT_MODULES",
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
