"""The ``sklarith`` command line: a registry over the experiments.

Every command runs one experiment of :mod:`sklarith.experiments` and prints
its table, with the command, the machine and the date. The words of a command
are the experiment's ``COMMAND`` (``sklarith reproduce adder``); its options
are the parameters of the experiment's ``run``, spelt the same way
(``n_pairs`` is ``--n-pairs``) and with ``run``'s defaults. Six mean the same
in every command that takes them: ``--data``, ``--data-home``, ``--device``,
``--quick``, ``--random-state`` and ``--verbose``. Every command takes
``--output DIR``: write the results files there (``DIR/<command>.json``,
``.md`` and ``.rst``) and the run's fitted model (``DIR/<command>.joblib``:
the model, or a dict of models by name for a command that fits several);
without it, nothing is written.

A user's mistake never ends in a traceback, and is caught before any work:
every number is checked against the bounds its option declares, lists
against repeated values, ``--output`` and ``--data-home`` against what is on
disk, ``--device`` against the devices sklarith trains on, and options
against each other, all with argparse's usage error (exit status 2). A device
this machine lacks is one line of error (exit status 1), still before any
work. What only the run can find (MNIST unavailable, settings an estimator
refuses, too little memory, a full disk, a file in ``--output`` that is not
a results file) is one line of error too, naming the file where there is one
(exit status 1; ``--verbose 2`` shows the traceback); Ctrl-C is one line too
(exit status 130), from the moment :func:`main` starts: it loads the
experiments, and torch, under its handler.

Every file a command writes is written whole or not at all
(:func:`~sklarith.experiments.write`); a file it kept for itself
and cannot read back is set aside with one line of warning, and made again.
"""

import argparse
import ast
import contextlib
import dataclasses
import importlib
import importlib.resources
import inspect
import math
import os
import re
import signal
import sys
import threading
import warnings
from pathlib import Path

from .. import __version__, experiments

# ``experiments`` imports each experiment, and torch with it, where first
# used: by ``main``, under its handler of Ctrl-C (an import of torch takes
# seconds, and a Ctrl-C during it is one line too, not a traceback), and only
# once the arguments name a command to run.

#: The largest random state: numpy's and scikit-learn's seeds are 32-bit, and
#: a run with random state R also draws from R + 1 (its test pairs).
MAX_RANDOM_STATE = 2**32 - 1

#: How a device is spelt: what :func:`~sklarith.utils.resolve_device`
#: takes, whatever the machine has.
DEVICE = re.compile(r"auto|cpu|cuda(:[0-9]+)?")


def _device(text):
    """An argparse type: a device sklarith trains on. Whether this machine
    has it is checked before the run, by the estimators' own rules."""
    if not DEVICE.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"must be auto, cpu, cuda or cuda:N (N a device index), not {text!r}: "
            "sklarith trains on the CPU or on CUDA GPUs"
        )
    return text


def _nearest_folder(text):
    """The nearest folder that exists on the way to the folder ``text``, which
    is created there if need be; a file on the way is an argparse error."""
    if not text:
        raise argparse.ArgumentTypeError("needs the path of a folder")
    folder = Path(text)
    existing = folder
    while not os.path.exists(existing):
        existing = existing.parent
    if not os.path.isdir(existing):
        if existing == folder:
            raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
        raise argparse.ArgumentTypeError(
            f"cannot create the folder {text}: {existing} is a file"
        )
    return existing


def _data_home(text):
    """An argparse type: a data home, a folder that exists or can be made.
    It need not be writable: MNIST may already be there."""
    _nearest_folder(text)
    return text


def _output_folder(text):
    """An argparse type: a folder that exists, or that can be created, to
    write the results files in. Checked before the run, so that hours of
    training are not lost to a typo in the last step."""
    existing = _nearest_folder(text)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(
            f"cannot write in {text}: {existing} is not writable"
        )
    return text


#: Options shared by the experiments that take them. A number's option
#: declares its ``minimum`` (and ``maximum`` where there is one), as every
#: experiment's ``OPTIONS`` do; the command line refuses what lies outside.
SHARED_OPTIONS = {
    "data": {
        "choices": ["auto", "mnist", "digits"],
        "help": "auto: MNIST when it is in scikit-learn's data home or can be "
        "downloaded there, else the bundled 8x8 digits",
    },
    "data_home": {
        "type": _data_home,
        "metavar": "DIR",
        "help": "where MNIST is looked up, and downloaded if missing (default: "
        "scikit-learn's data home: $SCIKIT_LEARN_DATA, else ~/scikit_learn_data)",
    },
    "device": {
        "type": _device,
        "metavar": "DEVICE",
        "help": "where every model of the run trains: cpu, cuda, cuda:N, or auto "
        "(the first CUDA device if there is one, else the CPU)",
    },
    "quick": {
        "action": "store_true",
        "help": "fewer training pairs and epochs, the same models: the full "
        "run's story in less time, less precisely",
    },
    "random_state": {
        "type": int,
        "minimum": 0,
        "maximum": MAX_RANDOM_STATE - 1,
        "help": "seeds the pairs, the initial weights, the splits and the shuffling",
    },
    "verbose": {
        "type": int,
        "minimum": 0,
        "help": "0: the table only; 1: a line per step and a table per epoch; "
        "2: progress bars within epochs too",
    },
    # Every command takes it; an experiment whose run takes ``output`` gets
    # it too, and writes its results file as it goes (and resumes from it).
    "output": {
        "type": _output_folder,
        "metavar": "DIR",
        "help": "write the results files to DIR: <command>.json, and the table "
        "with the command, machine and date as .md and .rst; and the fitted "
        "model(s) as <command>.joblib; the files of the same command are "
        "replaced (default: write nothing)",
    },
}

#: Groups of commands: ``sklarith reproduce <experiment>``.
GROUPS = {
    "reproduce": "re-run the experiment of a post and print its table, beside "
    "the post's",
}


class _Store(argparse.Action):
    """Store an option's value; a list must not repeat a value
    (``--n-digits 1 1`` would run N = 1 twice and report one run's accuracy
    as the mean of two)."""

    def __call__(self, parser, namespace, values, option_string=None):
        if isinstance(values, list):
            repeated = [value for i, value in enumerate(values) if value in values[:i]]
            if repeated:
                raise argparse.ArgumentError(self, f"{repeated[0]} is given twice")
        setattr(namespace, self.dest, values)


def _number(kind, minimum, maximum=None):
    """An argparse type: an ``int`` or finite ``float`` within the bounds."""

    def number(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"invalid {kind.__name__} value: {text!r}"
            ) from None
        if kind is float and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, not {text}")
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"must be at least {minimum:,}, not {value}"
            )
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(
                f"must be at most {maximum:,}, not {value}"
            )
        return value

    return number


def _default_text(default):
    if isinstance(default, tuple | list):
        return " ".join(map(str, default))
    return f"{default:,}" if isinstance(default, int) else str(default)


def _add_options(parser, experiment):
    """The options of ``experiment.run``, with its defaults, then ``--output``."""
    parameters = inspect.signature(experiment.run).parameters
    for name, parameter in parameters.items():
        spec = dict(SHARED_OPTIONS.get(name) or experiment.OPTIONS[name])
        if spec.get("type") in (int, float):
            # Every number declares its bounds: a missing minimum is a KeyError
            # here, and a failing test, rather than an option left unchecked.
            spec["type"] = _number(
                spec["type"], spec.pop("minimum"), spec.pop("maximum", None)
            )
        spec.setdefault("action", _Store)
        default = parameter.default
        if default is not None and spec["action"] != "store_true":
            spec["help"] += f" (default: {_default_text(default)})"
        parser.add_argument("--" + name.replace("_", "-"), default=default, **spec)
    if "output" not in parameters:
        parser.add_argument("--output", **SHARED_OPTIONS["output"])


def _check_together(parser, args):
    """Refuse options that contradict each other, with a usage error."""
    random_state = getattr(args, "random_state", 0)
    n_runs = getattr(args, "n_runs", 1)
    if random_state + n_runs > MAX_RANDOM_STATE:
        parser.error(
            f"--random-state {random_state} with --n-runs {n_runs} would use "
            f"random states up to {random_state + n_runs:,}; the largest is "
            f"{MAX_RANDOM_STATE:,}"
        )


def _first_line(text):
    return text.strip().splitlines()[0].rstrip(".")


@dataclasses.dataclass(frozen=True)
class _Command:
    """An experiment's command, as its module's source states it."""

    words: tuple  # after "sklarith": ("reproduce", "adder")
    module: str  # in sklarith.experiments: "adder"
    description: str  # the module's docstring


def _commands():
    """The command of every experiment, in the order of
    :data:`~sklarith.experiments.EXPERIMENT_MODULES`, read from the
    modules' source (their ``COMMAND`` and docstring) without importing
    them: an experiment imports torch, which takes seconds, and the help of
    ``sklarith`` needs none of it."""
    package = importlib.resources.files(experiments)
    commands = []
    for module in experiments.EXPERIMENT_MODULES:
        tree = ast.parse((package / f"{module}.py").read_text(encoding="utf-8"))
        command = next(
            statement.value.value
            for statement in tree.body
            if isinstance(statement, ast.Assign)
            and [target.id for target in statement.targets] == ["COMMAND"]
        )
        commands.append(
            _Command(tuple(command.split()[1:]), module, ast.get_docstring(tree))
        )
    return commands


def _named_command(commands, argv):
    """The command whose words begin ``argv``, or None."""
    for command in commands:
        if tuple(argv[: len(command.words)]) == command.words:
            return command
    return None


def build_parser(argv=()):
    """The parser of every command, with the options of the one ``argv``
    names: only that command's experiment is imported (its options are its
    ``run``'s parameters)."""
    parser = argparse.ArgumentParser(
        prog="sklarith",
        description="scikit-learn estimators that learn arithmetic on digits.",
    )
    parser.add_argument(
        "--version", action="version", version=f"sklarith {__version__}"
    )
    subcommands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND"
    )
    groups = {}
    commands = _commands()
    named = _named_command(commands, argv)
    for command in commands:
        *group, name = command.words
        subparsers = subcommands
        if group:
            if group[0] not in groups:
                group_parser = subcommands.add_parser(
                    group[0], help=GROUPS[group[0]], description=GROUPS[group[0]]
                )
                groups[group[0]] = group_parser.add_subparsers(
                    dest="experiment", required=True, metavar="EXPERIMENT"
                )
            subparsers = groups[group[0]]
        subparser = subparsers.add_parser(
            name,
            help=_first_line(command.description),
            description=command.description.replace("``", ""),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if command == named:
            experiment = importlib.import_module(
                f".{command.module}", experiments.__name__
            )
            _add_options(subparser, experiment)
            subparser.set_defaults(run_experiment=experiment, parser=subparser)
    return parser


def _one_line(exc):
    """The message of ``exc`` on one line (torchvision's span several)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _one_line_warnings(show):
    """A ``warnings.showwarning`` that shows the warnings of sklarith's files
    on one line, as its errors are, and any other by ``show``."""
    # Here, not at the top: the experiments load torch.
    from ..experiments import UnreadableFileWarning

    def show_warning(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, UnreadableFileWarning):
            print(f"sklarith: warning: {message}", file=sys.stderr, flush=True)
        else:
            show(message, category, filename, lineno, file, line)

    return show_warning


def _run(argv):
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)

    from sklearn.exceptions import ConvergenceWarning

    from ..experiments import format_figures, to_markdown, write
    from ..utils import resolve_device

    _check_together(args.parser, args)
    experiment = args.run_experiment
    parameters = inspect.signature(experiment.run).parameters
    if "device" in parameters:
        # Before any data is read: a run that cannot use the device asked
        # for stops now, not after loading MNIST.
        try:
            resolve_device(args.device)
        except ValueError as exc:
            parser.exit(1, f"sklarith: error: {_one_line(exc)}\n")
    try:
        with warnings.catch_warnings():
            # The experiments train the fixed epochs of the protocols they
            # reproduce; that these end with a loss still falling is part of
            # the protocol, not news for the reader of the table.
            warnings.simplefilter("ignore", ConvergenceWarning)
            # A cache set aside and made again is news, on one line: the run
            # goes on.
            warnings.showwarning = _one_line_warnings(warnings.showwarning)
            figures = experiment.run(
                **{name: getattr(args, name) for name in parameters}
            )
    except BrokenPipeError:
        raise
    except (OSError, ValueError, MemoryError) as exc:
        # Data that cannot be found, settings the estimators refuse, counts
        # too large for this machine: the message says what to change;
        # --verbose 2 shows where it came from.
        if args.verbose >= 2:
            raise
        message = _one_line(exc)
        if isinstance(exc, MemoryError):
            message = f"not enough memory for this run ({message})"
        parser.exit(1, f"sklarith: error: {message}\n")
    print()
    print(to_markdown(figures, format_figures(figures)), end="", flush=True)
    if args.output:
        try:
            paths = write(figures, args.output)
        except BrokenPipeError:
            raise
        except OSError as exc:
            parser.exit(
                1,
                f"sklarith: error: could not write the results files to "
                f"{args.output} (the table above is the run's): {_one_line(exc)}\n",
            )
        print(f"\nWrote {', '.join(map(str, paths))}.")


class _Interrupted(BaseException):
    """Ctrl-C during a command. Not a ``KeyboardInterrupt``: skorch catches
    that one to end training early and keep the model, and the run would go
    on to the next step and report a half-trained model's figures as the
    command's."""


def _interrupt(signum, frame):
    raise _Interrupted


@contextlib.contextmanager
def _ctrl_c_stops_the_command():
    """Make Ctrl-C raise :class:`_Interrupted`, where Python's own handler is
    in place (in the main thread, and not ignored as in a background job)."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    previous = signal.signal(signal.SIGINT, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def main(argv=None):
    """Entry point of the ``sklarith`` command."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    try:
        with _ctrl_c_stops_the_command():
            # Imports the experiments, and torch, first: within the handler.
            _run(argv)
    except (KeyboardInterrupt, _Interrupted):
        # Ctrl-C: the user knows where it stopped; a newline ends a progress
        # bar's line.
        print("\nsklarith: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        # The reader of the output is gone (``sklarith demo | head``): stop
        # quietly, with standard output pointed at /dev/null so that Python's
        # last flush does not report the broken pipe again.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
