"""The MNIST post's single-layer network, trained image by image from scratch.

The 784 pixels of an image, each joined to each of 10 outputs by a weight, and
nothing else: the weights start uniformly random in [0, 1) and move after each
training image against the outer product of the image and the prediction
minus the one-hot label, scaled by 0.01 (the delta rule, gradient descent on
the squared error). A second run passes the outputs through a softmax first
(softmax regression by stochastic gradient descent). The table gives the test
accuracy against the training images seen, beside the post's.
"""

import time

import numpy as np

from ._common import load_images, log
from .results import markdown_table, options_of, percent, record

COMMAND = "sklarith reproduce single-layer"

OPTIONS = {}

#: The post's test accuracy against the training images seen.
POST = {
    0: 0.1256,
    100: 0.1835,
    1_000: 0.3129,
    10_000: 0.5694,
    20_000: 0.5709,
    30_000: 0.6719,
    40_000: 0.5761,
    50_000: 0.6901,
    60_000: 0.6928,
}

#: The post's step size.
ALPHA = 0.01

#: Where to measure on the bundled digits (1,347 training images).
DIGITS_CHECKPOINTS = [0, 10, 100, 300, 600, 1_000, 1_347]

#: ``quick``: the first 10,000 MNIST training images (all the digits').
QUICK_IMAGES = 10_000


def softmax(scores):
    exponentials = np.exp(scores - scores.max())
    return exponentials / exponentials.sum()


def train_one_image_at_a_time(
    X, y, X_test, y_test, checkpoints, *, softmax_output, random_state
):
    """Train from random weights; return the test accuracy at the checkpoints."""
    weights = np.random.default_rng(random_state).random((X.shape[1], 10))
    targets = np.eye(10)[y]
    accuracy = {}
    for seen in range(checkpoints[-1] + 1):
        if seen in checkpoints:
            accuracy[seen] = float(
                np.mean(np.argmax(X_test @ weights, axis=1) == y_test)
            )
        if seen == checkpoints[-1]:
            break
        prediction = X[seen] @ weights
        if softmax_output:
            prediction = softmax(prediction)
        weights -= ALPHA * np.outer(X[seen], prediction - targets[seen])
    return accuracy


def run(*, data="auto", quick=False, random_state=0, verbose=1, data_home=None):
    """Train both single layers; return their test accuracy at checkpoints.

    The networks are a few lines of NumPy, not estimators: the run has no
    device to choose and no model to save.
    """
    options = options_of(run, locals())
    start = time.perf_counter()
    images = load_images(data, data_home)
    options["data"] = images.name
    if images.name == "mnist":
        checkpoints = [n for n in POST if not quick or n <= QUICK_IMAGES]
    else:
        checkpoints = DIGITS_CHECKPOINTS
    X = images.train_images.astype(np.float64)
    X_test = images.test_images.astype(np.float64)
    accuracy = {}
    for name, softmax_output in [("delta rule", False), ("softmax", True)]:
        log(verbose, f"Data: {images.description}; training the {name} network")
        accuracy[name] = train_one_image_at_a_time(
            X,
            images.train_labels,
            X_test,
            images.test_labels,
            checkpoints,
            softmax_output=softmax_output,
            random_state=random_state,
        )
    results = {
        "n_test_images": len(X_test),
        "checkpoints": checkpoints,
        "accuracy": {
            name: [by_seen[n] for n in checkpoints]
            for name, by_seen in accuracy.items()
        },
    }
    return record(COMMAND, run, options, results, start)


def format_table(figures):
    """The table of :func:`run`'s figures, in Markdown: test accuracy (%) against
    training images seen: the post's and the run's."""
    results = figures.results
    mnist = figures.options["data"] == "mnist"
    header = ["training images seen"]
    header += ["the post, delta rule"] if mnist else []
    header += ["this run, delta rule", "this run, with a softmax"]
    rows = []
    for i, seen in enumerate(results["checkpoints"]):
        row = [f"{seen:,}"]
        row += [percent(POST[seen])] if mnist else []
        row += [
            percent(results["accuracy"][name][i]) for name in ("delta rule", "softmax")
        ]
        rows.append(row)
    data = "MNIST" if mnist else "the bundled 8x8 digits"
    return "\n".join(
        [
            f"Test accuracy (%) on the {results['n_test_images']:,} test images of "
            f"{data}, against the training images seen, one at a time.",
            "",
            markdown_table(header, rows),
        ]
    )
