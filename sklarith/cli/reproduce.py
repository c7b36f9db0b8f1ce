"""``sklarith reproduce``: re-run a seed experiment and print its table.

Each experiment is a sub-command of ``reproduce`` (``sklarith reproduce
adder``) with its own options: an entry of ``EXPERIMENTS`` maps its name to a
function that adds them to an ``argparse`` parser and sets ``func``.
"""

import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from .. import MLPAdderRegressor
from ..datasets import make_addition
from ..metrics import rounded_accuracy
from . import mnist_addition, seed_000
from ._report import header

#: The seed's grid: hidden units × largest sums.
ADDER_HIDDEN_SIZES = (1, 2, 4, 8, 16)
ADDER_MAX_SUMS = (16, 256, 65_536)
#: Pairs to train and test on, and the seed's recipe's epoch limit (None: its
#: 1,000), in a full run and with ``--quick``.
ADDER_SETTINGS = {
    "full": {"n_samples": 10_000, "n_test_samples": 10_000, "seed_max_epochs": None},
    "quick": {"n_samples": 2_000, "n_test_samples": 2_000, "seed_max_epochs": 30},
}


def adder_models(hidden_size, random_state, seed_max_epochs=None):
    """The three models of a cell of the grid, by the label of their row."""
    seed_params = {} if seed_max_epochs is None else {"max_epochs": seed_max_epochs}
    sizes = (hidden_size,)
    return {
        'recipe="seed"': MLPAdderRegressor(
            hidden_layer_sizes=sizes,
            recipe="seed",
            random_state=random_state,
            **seed_params,
        ),
        "default": MLPAdderRegressor(
            hidden_layer_sizes=sizes, random_state=random_state
        ),
        "MLPRegressor": MLPRegressor(
            hidden_layer_sizes=sizes, activation="logistic", random_state=random_state
        ),
    }


def format_adder_table(results, hidden_sizes, max_sums):
    """One row per hidden size and model, one column per range of sums.

    ``results`` maps ``(hidden_size, max_sum, label)`` to
    ``(accuracy, seconds)``.
    """
    labels = list(dict.fromkeys(label for _, _, label in results))
    width = max(len(label) for label in labels)
    column_names = f"{'hidden':>6}  {'model':<{width}}" + "".join(
        f"{'sums ≤ ' + format(max_sum, ','):>20}" for max_sum in max_sums
    )
    lines = [column_names]
    for hidden_size in hidden_sizes:
        for label in labels:
            cells = []
            for max_sum in max_sums:
                accuracy, seconds = results[hidden_size, max_sum, label]
                cells.append(f"{accuracy:>10.2%}{seconds:>8.1f} s")
            lines.append(f"{hidden_size:>6}  {label:<{width}}" + "".join(cells))
    return "\n".join(lines)


def adder_command(args):
    """The command line that reproduces a run with the options of ``args``."""
    words = ["sklarith reproduce adder"]
    if args.quick:
        words.append("--quick")
    if list(args.hidden_sizes) != list(ADDER_HIDDEN_SIZES):
        words.append("--hidden-sizes " + " ".join(map(str, args.hidden_sizes)))
    if list(args.max_sums) != list(ADDER_MAX_SUMS):
        words.append("--max-sums " + " ".join(map(str, args.max_sums)))
    for option in ["n_samples", "n_test_samples"]:
        if getattr(args, option) is not None:
            words.append(f"--{option.replace('_', '-')} {getattr(args, option)}")
    if args.random_state != 0:
        words.append(f"--random-state {args.random_state}")
    return " ".join(words)


def reproduce_adder(args):
    """Fit the seed's grid with three models per cell; print accuracy and time."""
    start = time.perf_counter()
    settings = ADDER_SETTINGS["quick" if args.quick else "full"]
    n_samples = args.n_samples or settings["n_samples"]
    n_test_samples = args.n_test_samples or settings["n_test_samples"]
    seed_max_epochs = settings["seed_max_epochs"]
    print(header(adder_command(args)))
    print(
        f"{n_samples:,} training pairs (20 % of them held out for early stopping "
        f"by sklarith's models), {n_test_samples:,} test pairs per range; "
        "accuracy: share of test sums predicted within 0.5."
    )
    results = {}
    n_fits = 3 * len(args.hidden_sizes) * len(args.max_sums)
    for max_sum in args.max_sums:
        X, y = make_addition(n_samples, max_sum=max_sum, random_state=args.random_state)
        X_test, y_test = make_addition(
            n_test_samples, max_sum=max_sum, random_state=args.random_state + 1
        )
        for hidden_size in args.hidden_sizes:
            models = adder_models(hidden_size, args.random_state, seed_max_epochs)
            for label, model in models.items():
                fit_start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.fit(X, y)
                seconds = time.perf_counter() - fit_start
                accuracy = rounded_accuracy(y_test, model.predict(X_test))
                results[hidden_size, max_sum, label] = accuracy, seconds
                if not args.quiet:
                    print(
                        f"[{len(results):>{len(str(n_fits))}}/{n_fits}] "
                        f"sums ≤ {max_sum:,}, "
                        f"{hidden_size} hidden, {label}: {accuracy:.2%} in "
                        f"{seconds:.1f} s",
                        flush=True,
                    )
    print()
    print(format_adder_table(results, args.hidden_sizes, args.max_sums))
    print(
        '\nrecipe="seed": MLPAdderRegressor(recipe="seed"), the seed\'s setup '
        "(raw numbers, Adam, batches of 32, up to "
        f"{seed_max_epochs or 1000} epochs); default: MLPAdderRegressor(); "
        'MLPRegressor: scikit-learn\'s, activation="logistic", other defaults.'
    )
    print(f"Done in {time.perf_counter() - start:.0f} s.")


def add_adder_parser(experiments):
    parser = experiments.add_parser(
        "adder",
        help="can a small network add? the seed's grid of hidden sizes and ranges",
        description="Train sigmoid networks of 1 to 16 hidden units to add two "
        "integers whose sum is at most 16, 256 or 65,536, with the seed's recipe, "
        "MLPAdderRegressor's default and scikit-learn's MLPRegressor, and print "
        "the share of held-out sums each predicts within 0.5, with fit times.",
    )
    quick = ADDER_SETTINGS["quick"]
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{quick['n_samples']:,} pairs and at most {quick['seed_max_epochs']} "
        "epochs for the seed's recipe",
    )
    parser.add_argument("--quiet", action="store_true", help="no line per fit")
    parser.add_argument(
        "--hidden-sizes", type=int, nargs="+", default=list(ADDER_HIDDEN_SIZES)
    )
    parser.add_argument("--max-sums", type=int, nargs="+", default=list(ADDER_MAX_SUMS))
    parser.add_argument(
        "--n-samples", type=int, help="training pairs per range (default: 10,000)"
    )
    parser.add_argument(
        "--n-test-samples", type=int, help="test pairs per range (default: 10,000)"
    )
    parser.add_argument("--random-state", type=int, default=0)
    parser.set_defaults(func=reproduce_adder)


#: Experiments by name; each adds its sub-command to ``sklarith reproduce``.
EXPERIMENTS = {
    "adder": add_adder_parser,
    "mnist-addition": mnist_addition.add_parser,
    "seed-000": seed_000.add_parser,
}


def add_parser(commands):
    """Register ``sklarith reproduce`` on the ``argparse`` sub-parsers
    ``commands``."""
    parser = commands.add_parser(
        "reproduce",
        help="re-run a seed experiment and print its table",
        description="Re-run an experiment from the seed posts and print the "
        "measured table, with the command, the machine and the date.",
    )
    experiments = parser.add_subparsers(dest="experiment", required=True)
    for add_experiment_parser in EXPERIMENTS.values():
        add_experiment_parser(experiments)
