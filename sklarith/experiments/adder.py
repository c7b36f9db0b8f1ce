"""Can a small network add? The adder post's grid of hidden sizes and ranges.

Sigmoid networks of 1 to 16 hidden units learn the sum of two integers whose
sum is at most 16, 256 or 65,536, each with three recipes: the post's
(``MLPAdderRegressor(recipe="keras")``), ``MLPAdderRegressor``'s default and
scikit-learn's ``MLPRegressor``. The table gives the share of held-out sums
each predicts within 0.5, and the time of each fit.
"""

import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from sklarith import MLPAdderRegressor
from sklarith.datasets import make_addition
from sklarith.metrics import rounded_accuracy

from ._common import log
from .results import (
    markdown_table,
    options_of,
    percent,
    record,
    seconds_text,
)

COMMAND = "sklarith reproduce adder"

OPTIONS = {
    "hidden_sizes": {
        "type": int,
        "minimum": 1,
        "nargs": "+",
        "help": "hidden units of each net",
    },
    # Two operands of at least 1 each; the integers are drawn as int64.
    "max_sums": {
        "type": int,
        "minimum": 2,
        "maximum": 2**63 - 1,
        "nargs": "+",
        "help": "largest sums, one range each",
    },
    # sklarith's models hold out a share of the pairs for early stopping.
    "n_samples": {
        "type": int,
        "minimum": 2,
        "help": "training pairs per range (default: 10,000; with --quick 2,000)",
    },
    "n_test_samples": {
        "type": int,
        "minimum": 1,
        "help": "test pairs per range (default: 10,000; with --quick 2,000)",
    },
}

#: Pairs to train and test on, and the post's recipe's epoch limit (None: its
#: 1,000), in a full run and with ``quick``.
SETTINGS = {"n_samples": 10_000, "n_test_samples": 10_000, "keras_max_epochs": None}
QUICK_SETTINGS = {"n_samples": 2_000, "n_test_samples": 2_000, "keras_max_epochs": 30}

#: The label of each model's row, and its description under the table.
MODELS = {
    'MLPAdderRegressor(recipe="keras")': "the post's setup: raw numbers, Adam, "
    "batches of 32, Keras's early stopping",
    "MLPAdderRegressor()": "the default: scaled numbers, L-BFGS in float64, the "
    "output layer solved by least squares",
    "MLPRegressor": 'scikit-learn\'s, activation="logistic", other defaults',
}


def models(hidden_size, random_state, keras_max_epochs=None, device="auto"):
    """The three models of a cell of the grid, by the label of their row;
    ``device`` is sklarith's (scikit-learn's trains on the CPU)."""
    keras_params = {} if keras_max_epochs is None else {"max_epochs": keras_max_epochs}
    sizes = (hidden_size,)
    return dict(
        zip(
            MODELS,
            [
                MLPAdderRegressor(
                    hidden_layer_sizes=sizes,
                    recipe="keras",
                    device=device,
                    random_state=random_state,
                    **keras_params,
                ),
                MLPAdderRegressor(
                    hidden_layer_sizes=sizes, device=device, random_state=random_state
                ),
                MLPRegressor(
                    hidden_layer_sizes=sizes,
                    activation="logistic",
                    random_state=random_state,
                ),
            ],
            strict=True,
        )
    )


def run(
    *,
    quick=False,
    random_state=0,
    verbose=1,
    device="auto",
    hidden_sizes=(1, 2, 4, 8, 16),
    max_sums=(16, 256, 65_536),
    n_samples=None,
    n_test_samples=None,
):
    """Fit the grid, three models per cell; return accuracy and time of each.

    The figures' ``model`` is a dict of the fitted models by
    ``(hidden_size, max_sum, label)``, the label that of the model's row.
    """
    options = options_of(run, locals())
    start = time.perf_counter()
    settings = QUICK_SETTINGS if quick else SETTINGS
    if n_samples is None:
        n_samples = settings["n_samples"]
    if n_test_samples is None:
        n_test_samples = settings["n_test_samples"]
    cells, fitted = [], {}
    n_fits = len(MODELS) * len(hidden_sizes) * len(max_sums)
    for max_sum in max_sums:
        X, y = make_addition(n_samples, max_sum=max_sum, random_state=random_state)
        X_test, y_test = make_addition(
            n_test_samples, max_sum=max_sum, random_state=random_state + 1
        )
        for hidden_size in hidden_sizes:
            grid = models(
                hidden_size, random_state, settings["keras_max_epochs"], device
            )
            for label, model in grid.items():
                fit_start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.fit(X, y)
                seconds = time.perf_counter() - fit_start
                accuracy = rounded_accuracy(y_test, model.predict(X_test))
                fitted[hidden_size, max_sum, label] = model
                cells.append(
                    {
                        "hidden_size": hidden_size,
                        "max_sum": max_sum,
                        "model": label,
                        "accuracy": accuracy,
                        "seconds": seconds,
                    }
                )
                log(
                    verbose,
                    f"[{len(cells)}/{n_fits}] sums ≤ {max_sum:,}, {hidden_size} "
                    f"hidden, {label}: {accuracy:.2%} in {seconds:.1f} s",
                )
    results = {
        "n_samples": n_samples,
        "n_test_samples": n_test_samples,
        "keras_max_epochs": settings["keras_max_epochs"] or 1000,
        "cells": cells,
    }
    return record(COMMAND, run, options, results, start, model=fitted)


def format_table(figures):
    """The table of :func:`run`'s figures, in Markdown: a row per hidden size and
    model, a column per range of sums."""
    results = figures.results
    cells = {(c["hidden_size"], c["max_sum"], c["model"]): c for c in results["cells"]}
    hidden_sizes = list(dict.fromkeys(c["hidden_size"] for c in results["cells"]))
    max_sums = list(dict.fromkeys(c["max_sum"] for c in results["cells"]))
    labels = list(dict.fromkeys(c["model"] for c in results["cells"]))
    rows = []
    for hidden_size in hidden_sizes:
        for label in labels:
            row = [str(hidden_size), f"`{label}`"]
            for max_sum in max_sums:
                cell = cells[hidden_size, max_sum, label]
                text = percent(cell["accuracy"])
                if cell.get("seconds") is not None:
                    text += f" ({seconds_text(cell['seconds'])})"
                row.append(text)
            rows.append(row)
    header = ["hidden", "model", *(f"sums ≤ {max_sum:,}" for max_sum in max_sums)]
    return "\n".join(
        [
            f"Trained on {results['n_samples']:,} pairs per range (sklarith's models "
            f"hold out 20 % of them for early stopping), tested on "
            f"{results['n_test_samples']:,} pairs: the share (%) of sums predicted "
            "within 0.5, and the time of each fit.",
            "",
            markdown_table(header, rows, align=["<", "<"] + [">"] * len(max_sums)),
            "",
            *(
                f"- `{label}`: {MODELS[label]}"
                + (
                    f", up to {results['keras_max_epochs']:,} epochs"
                    if "keras" in label
                    else ""
                )
                for label in labels
            ),
        ]
    )
