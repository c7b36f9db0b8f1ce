"""Render results files again and refresh the Markdown that quotes them.

``python -m sklarith.experiments results README.md`` renders every
``results/*.json`` as ``.md`` and ``.rst`` again (after a change to an
experiment's ``format_table``), then copies the current content of every
results file README.md quotes into it. Re-measuring is one command with ``--output
results`` (``sklarith reproduce adder --output results``); this one brings
README.md up to date with it.
"""

import argparse
from pathlib import Path

from . import UnreadableResultsError, read_figures, refresh_quotes, write

parser = argparse.ArgumentParser(prog="python -m sklarith.experiments")
parser.add_argument("results", help="folder of results files")
parser.add_argument("documents", nargs="*", help="Markdown files that quote them")
args = parser.parse_args()
if not Path(args.results).is_dir():
    parser.error(f"{args.results} is not a folder of results files")
for document in args.documents:
    if not Path(document).is_file():
        parser.error(f"{document} is not a file")
# Every file read before any is written: one that is not a results file
# stops the command with nothing half done.
figures_of = {}
for path in sorted(Path(args.results).glob("*.json")):
    try:
        figures_of[path] = read_figures(path)
    except UnreadableResultsError as exc:
        parser.exit(1, f"{parser.prog}: error: {exc}; move it out of {args.results}\n")
for path, figures in figures_of.items():
    write(figures, path.parent, name=path.stem)
for document in args.documents:
    for path in refresh_quotes(document):
        print(f"{document}: refreshed the quote of {path}")
