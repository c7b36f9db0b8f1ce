"""The ``sklarith`` command line.

Each sub-command lives in a module of this package with an ``add_parser``
function; ``main`` registers them all.
"""

import argparse
import sys

from . import compare, demo, reproduce

#: Modules of the sub-commands, in the order ``sklarith --help`` lists them.
COMMANDS = [demo, compare, reproduce]


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sklarith",
        description="scikit-learn estimators that learn arithmetic on digits.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv=None):
    """Entry point of the ``sklarith`` command."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    args.func(args)
