"""The identity adder post's experiment: read a digit and add an integer to it.

The post's protocol: each training image gets a random integer 0-9; a fifth
of them is held out for validation (here: early stopping, the best epoch's
weights restored) and the rest train ``IdentityAdderClassifier``; the test
images, each with its own random integer, are the evaluation set. The table
gives the accuracy of the digit, of the sum and of both, on the held-out
images (both: the validation accuracy of the best epoch) and on the test
images, beside the post's.
"""

import math
import time

import numpy as np

from sklarith import IdentityAdderClassifier
from sklarith.datasets import make_identity_adder

from ._common import accuracy_per_output, load_images, log
from .results import markdown_table, options_of, percent, record

COMMAND = "sklarith reproduce identity-adder"

OPTIONS = {
    "max_epochs": {
        "type": int,
        "minimum": 1,
        "help": "epochs (default: the estimator's, 15; with --quick 2)",
    },
}

#: The post's figures: both right on its held-out images, digit and sum on
#: the test images.
POST = {"held_out": {"both": 0.9884}, "test": {"digit": 0.9916, "sum": 0.9912}}

#: The post holds out a fifth of the training images.
VALIDATION_FRACTION = 0.2

#: The estimator's settings per data set, written out so that a change of its
#: defaults does not move the figures: on MNIST those the figures were
#: measured with; two blocks of convolutions suit the 8x8 digits.
MNIST_SETTINGS = {
    "image_shape": (28, 28),
    "channels": (8, 32, 64),
    "max_epochs": 15,
    "batch_size": 64,
    "lr": 3e-3,
    "n_iter_no_change": 5,
}
SETTINGS = {
    "mnist": MNIST_SETTINGS,
    "digits": {**MNIST_SETTINGS, "image_shape": (8, 8), "channels": (16, 32)},
}
QUICK_EPOCHS = 2


def run(
    *,
    data="auto",
    quick=False,
    random_state=0,
    verbose=1,
    device="auto",
    data_home=None,
    max_epochs=None,
):
    """Train on the post's protocol; return accuracy, size and time, and the
    fitted classifier as the figures' ``model``."""
    options = options_of(run, locals())
    start = time.perf_counter()
    images = load_images(data, data_home)
    options["data"] = images.name
    X, y = make_identity_adder(
        images.train_images, images.train_labels, random_state=random_state
    )
    X_test, y_test = make_identity_adder(
        images.test_images, images.test_labels, random_state=random_state + 1
    )
    params = dict(SETTINGS[images.name])
    if max_epochs is not None:
        params["max_epochs"] = max_epochs
    elif quick:
        params["max_epochs"] = QUICK_EPOCHS
    classifier = IdentityAdderClassifier(
        **params,
        validation_fraction=VALIDATION_FRACTION,
        device=device,
        random_state=random_state,
        verbose=min(verbose, 2),
    )
    log(verbose, f"Data: {images.description}; training IdentityAdderClassifier")
    fit_start = time.perf_counter()
    classifier.fit(X, y)
    fit_seconds = time.perf_counter() - fit_start
    test, test_both = accuracy_per_output(classifier, X_test, y_test)
    best = int(np.argmin(classifier.history_[:, "valid_loss"]))
    results = {
        "n_rows": len(X),
        "n_held_out": math.ceil(VALIDATION_FRACTION * len(X)),
        "n_test": len(X_test),
        "n_parameters": sum(p.numel() for p in classifier.net_.module_.parameters()),
        "epochs": len(classifier.history_),
        "best_epoch": best + 1,
        "fit_seconds": fit_seconds,
        "held_out": {
            "digit": None,
            "sum": None,
            "both": float(classifier.history_[best, "valid_acc"]),
        },
        "test": {**test, "both": test_both},
    }
    return record(COMMAND, run, options, results, start, model=classifier)


def format_table(figures):
    """The table of :func:`run`'s figures, in Markdown: accuracy (%) of the digit,
    the sum and both, the post's and the run's."""
    results = figures.results
    mnist = figures.options["data"] == "mnist"
    n_held_out, n_test = results["n_held_out"], results["n_test"]
    labels = {"held_out": f"{n_held_out:,} held-out", "test": f"{n_test:,} test"}
    sources = [("the post", POST)] if mnist else []
    sources.append(("sklarith", results))
    rows = [
        [f"{source}, {'its' if source == 'the post' else 'the'} {label} images"]
        + [percent(figures_[where].get(key)) for key in ("digit", "sum", "both")]
        for source, figures_ in sources
        for where, label in labels.items()
    ]
    data = "MNIST" if mnist else "the bundled 8x8 digits"
    trained = results["n_rows"] - n_held_out
    return "\n".join(
        [
            f"`IdentityAdderClassifier` on {data}: {trained:,} training images, each "
            f"with a random integer 0–9, train it; {n_held_out:,} are held out for "
            "early stopping. Accuracy in %.",
            "",
            markdown_table(["evaluated on", "digit", "sum", "both right"], rows),
            "",
            f"{results['n_parameters']:,} parameters; {results['epochs']} epochs "
            f"(best: {results['best_epoch']}) in {results['fit_seconds']:,.0f} s.",
        ]
    )
