"""The ``sklarith`` command line: a registry over the experiments.

Every command runs one experiment of :mod:`sklarith._experiments` and prints
its table, with the command, the machine and the date. The words of a command
are the experiment's ``COMMAND`` (``sklarith reproduce adder``); its options
are the parameters of the experiment's ``run``, spelt the same way
(``n_pairs`` is ``--n-pairs``) and with ``run``'s defaults. Four mean the same
in every command that takes them: ``--data``, ``--quick``, ``--random-state``
and ``--verbose``. Every command takes ``--output DIR``: write the results
files there (``DIR/<command>.json``, ``.md`` and ``.rst``); without it,
nothing is written.
"""

import argparse
import inspect
import sys

from .._experiments import EXPERIMENTS, format_figures, write
from .._experiments._results import to_markdown

#: Options shared by the experiments that take them.
SHARED_OPTIONS = {
    "data": {
        "choices": ["auto", "mnist", "digits"],
        "help": "auto: MNIST when it is in scikit-learn's data home or can be "
        "downloaded there, else the bundled 8x8 digits",
    },
    "quick": {"action": "store_true", "help": "fewer pairs and epochs: a smoke run"},
    "random_state": {
        "type": int,
        "help": "seeds the pairs, the initial weights, the splits and the shuffling",
    },
    "verbose": {
        "type": int,
        "help": "0: the table only; 1: a line per step and a table per epoch; "
        "2: progress bars within epochs too",
    },
}

#: Groups of commands: ``sklarith reproduce <experiment>``.
GROUPS = {
    "reproduce": "re-run the experiment of a post and print its table, beside "
    "the post's",
}

#: Old command names, kept for one release: old words to the new words.
DEPRECATED_COMMANDS = {"sklarith reproduce seed-000": "sklarith reproduce arithmetic"}


class _Deprecated(argparse.Action):
    """An old option: says what replaces it, then sets the new one."""

    def __init__(self, option_strings, dest, replacement, convert, **kwargs):
        self.replacement, self.convert = replacement, convert
        super().__init__(option_strings, dest, help=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(
            f"sklarith: {option_string} is deprecated and will be removed in the "
            f"next release; use {self.replacement}.",
            file=sys.stderr,
        )
        for name, value in self.convert(parser, values).items():
            setattr(namespace, name, value)


def _seeds(parser, seeds):
    if list(seeds) != list(range(seeds[0], seeds[0] + len(seeds))):
        parser.error(
            "--seeds takes consecutive random states; use --random-state and --n-runs"
        )
    return {"random_state": seeds[0], "n_runs": len(seeds)}


#: Old options, kept for one release: flag, what replaces it, the parameters
#: of ``run`` the command must take, argparse keywords, and the conversion.
DEPRECATED_OPTIONS = [
    (
        "--quiet",
        "--verbose 0",
        {"verbose"},
        {"nargs": 0},
        lambda parser, values: {"verbose": 0},
    ),
    (
        "--seeds",
        "--random-state R --n-runs N",
        {"n_runs"},
        {"nargs": "+", "type": int},
        _seeds,
    ),
    (
        "--digits",
        "--n-digits",
        {"n_digits"},
        {"nargs": "+", "type": int},
        lambda parser, values: {"n_digits": values},
    ),
]


def _at_least(minimum):
    """An argparse type: a whole number of at least ``minimum``."""

    def whole_number(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    return whole_number


def _default_text(default):
    if isinstance(default, tuple | list):
        return " ".join(map(str, default))
    return f"{default:,}" if isinstance(default, int) else str(default)


def _add_options(parser, experiment):
    """The options of ``experiment.run``, with its defaults, then ``--output``."""
    parameters = inspect.signature(experiment.run).parameters
    for name, parameter in parameters.items():
        spec = dict(SHARED_OPTIONS.get(name) or experiment.OPTIONS[name])
        if spec.get("type") is int:
            # Counts of pairs, epochs or runs start at 1; seeds and verbosity at 0.
            spec["type"] = _at_least(0 if name in SHARED_OPTIONS else 1)
        default = parameter.default
        if default is not None and spec.get("action") != "store_true":
            spec["help"] += f" (default: {_default_text(default)})"
        parser.add_argument("--" + name.replace("_", "-"), default=default, **spec)
    for flag, replacement, needs, kwargs, convert in DEPRECATED_OPTIONS:
        if needs <= set(parameters):
            parser.add_argument(
                flag,
                action=_Deprecated,
                replacement=replacement,
                convert=convert,
                dest=argparse.SUPPRESS,
                **kwargs,
            )
    parser.add_argument(
        "--output",
        metavar="DIR",
        help="write the results files to DIR: <command>.json, and the table "
        "with the command, machine and date as .md and .rst (default: write "
        "nothing)",
    )


def _first_line(text):
    return text.strip().splitlines()[0].rstrip(".")


def build_parser():
    """The parser of every command, built from the experiments."""
    parser = argparse.ArgumentParser(
        prog="sklarith",
        description="scikit-learn estimators that learn arithmetic on digits.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups = {}
    for experiment in EXPERIMENTS:
        for command in [experiment.COMMAND] + [
            old for old, new in DEPRECATED_COMMANDS.items() if new == experiment.COMMAND
        ]:
            *group, name = command.split()[1:]
            subparsers = commands
            if group:
                if group[0] not in groups:
                    group_parser = commands.add_parser(
                        group[0], help=GROUPS[group[0]], description=GROUPS[group[0]]
                    )
                    groups[group[0]] = group_parser.add_subparsers(
                        dest="experiment", required=True, metavar="EXPERIMENT"
                    )
                subparsers = groups[group[0]]
            deprecated = command != experiment.COMMAND
            kwargs = {} if deprecated else {"help": _first_line(experiment.__doc__)}
            subparser = subparsers.add_parser(
                name,
                description=experiment.__doc__.strip().replace("``", "")
                if not deprecated
                else f"Deprecated: use {experiment.COMMAND}.",
                formatter_class=argparse.RawDescriptionHelpFormatter,
                **kwargs,
            )
            _add_options(subparser, experiment)
            subparser.set_defaults(run_experiment=experiment, typed=command)
    return parser


def main(argv=None):
    """Entry point of the ``sklarith`` command."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    experiment = args.run_experiment
    if args.typed in DEPRECATED_COMMANDS:
        print(
            f"sklarith: `{args.typed}` is deprecated and will be removed in the next "
            f"release; use `{DEPRECATED_COMMANDS[args.typed]}`.",
            file=sys.stderr,
        )
    parameters = inspect.signature(experiment.run).parameters
    try:
        figures = experiment.run(**{name: getattr(args, name) for name in parameters})
    except (OSError, ValueError) as exc:
        # Data that cannot be found or settings the estimators refuse: the
        # message says what to change; --verbose 2 shows where it came from.
        if args.verbose >= 2:
            raise
        parser.exit(1, f"sklarith: error: {exc}\n")
    print()
    print(to_markdown(figures, format_figures(figures)), end="", flush=True)
    if args.output:
        paths = write(figures, args.output)
        print(f"\nWrote {', '.join(map(str, paths))}.")
