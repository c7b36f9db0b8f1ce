"""Learn to add, multiply and compare digit images from results only.

The headline Pipeline, trained and evaluated in one go: an autoencoder learns
codes of the training images, and an arithmetic classifier learns the units
and tens of the sum and the product of two digits, and which is the greater,
from pairs of training images labelled with those results only. Both are
tested on pairs of test images; the table gives the test accuracy of each
output beside the rate of always guessing its most frequent answer, and a few
worked examples.
"""

import time

from sklearn.pipeline import Pipeline

from sklarith.datasets import make_arithmetic_pairs

from ._common import (
    accuracy_per_output,
    headline_autoencoder,
    headline_classifier,
    headline_pairs_and_epochs,
    load_images,
    log,
)
from .results import epochs, markdown_table, options_of, record

COMMAND = "sklarith demo"

#: The command line's help of each option beyond the shared ones.
OPTIONS = {
    "n_pairs": {
        "type": int,
        "minimum": 2,
        "help": "training pairs (default: 300,000 on MNIST, "
        "60,000 on the digits; with --quick 50,000 and 20,000)",
    },
    "max_epochs": {
        "type": int,
        "minimum": 1,
        "help": "classifier epochs (default: 10 on MNIST, "
        "15 on the digits; with --quick 3 and 8); the autoencoder's are fixed",
    },
    "n_test_pairs": {"type": int, "minimum": 1, "help": "test pairs"},
    "n_examples": {"type": int, "minimum": 0, "help": "worked examples to show"},
}


def run(
    *,
    data="auto",
    quick=False,
    random_state=0,
    verbose=1,
    device="auto",
    data_home=None,
    n_pairs=None,
    max_epochs=None,
    n_test_pairs=10_000,
    n_examples=6,
):
    """Train the headline Pipeline; return its test accuracy and examples,
    and the fitted Pipeline as the figures' ``model``."""
    options = options_of(run, locals())
    start = time.perf_counter()
    images = load_images(data, data_home)
    options["data"] = images.name
    n_pairs, max_epochs = headline_pairs_and_epochs(
        images.name, quick=quick, n_pairs=n_pairs, max_epochs=max_epochs
    )
    log(
        verbose,
        f"Data: {images.description}; {n_pairs:,} training pairs labelled with "
        "results only.",
    )
    X, Y = make_arithmetic_pairs(
        images.train_images,
        images.train_labels,
        n_pairs=n_pairs,
        random_state=random_state,
    )
    X_test, Y_test, pairs = make_arithmetic_pairs(
        images.test_images,
        images.test_labels,
        n_pairs=n_test_pairs,
        random_state=random_state + 1,
        return_indices=True,
    )
    pipeline = Pipeline(
        [
            (
                "enc",
                headline_autoencoder(
                    images.name,
                    random_state=random_state,
                    verbose=verbose,
                    device=device,
                ),
            ),
            (
                "arith",
                headline_classifier(
                    max_epochs=max_epochs,
                    random_state=random_state,
                    verbose=verbose,
                    device=device,
                ),
            ),
        ]
    )
    pipeline.fit(X, Y)
    accuracy, all_right = accuracy_per_output(pipeline, X_test, Y_test)
    n_examples = min(n_examples, len(X_test))
    predicted = pipeline.predict(X_test[:n_examples]) if n_examples else []
    examples = [
        {
            "digits": [int(d) for d in images.test_labels[pairs[row]]],
            "predicted": [int(p) for p in predicted[row]],
            "expected": [int(e) for e in Y_test.iloc[row]],
        }
        for row in range(n_examples)
    ]
    results = {
        "n_train_images": len(images.train_images),
        "n_test_images": len(images.test_images),
        "n_pairs": n_pairs,
        "n_test_pairs": n_test_pairs,
        "max_epochs": max_epochs,
        "accuracy": accuracy,
        "all_right": all_right,
        "chance": {
            name: float(Y_test[name].value_counts(normalize=True).iloc[0])
            for name in Y_test.columns
        },
        "examples": examples,
    }
    return record(COMMAND, run, options, results, start, model=pipeline)


def worked_example(digits, predicted, expected):
    """One line such as ``7 + 5 = 12 ✓   7 × 5 = 35 ✓   7 > 5 ✓``."""
    a, b = digits
    sum_units, sum_tens, product_units, product_tens, greater = predicted
    marks = ["✓" if p == e else "✗" for p, e in zip(predicted, expected, strict=True)]
    sum_mark = "✓" if marks[0] == marks[1] == "✓" else "✗"
    product_mark = "✓" if marks[2] == marks[3] == "✓" else "✗"
    relation = ">" if greater else "≤"
    return (
        f"{a} + {b} = {10 * sum_tens + sum_units:<3}{sum_mark}   "
        f"{a} × {b} = {10 * product_tens + product_units:<3}{product_mark}   "
        f"{a} {relation} {b} {marks[4]}"
    )


def format_table(figures):
    """The table of :func:`run`'s figures, in Markdown: accuracy and chance per
    output, then the worked examples."""
    results = figures.results
    rows = [
        [name, f"{100 * value:.2f} %", f"{100 * results['chance'][name]:.2f} %"]
        for name, value in results["accuracy"].items()
    ]
    rows.append(["all five", f"{100 * results['all_right']:.2f} %", ""])
    data = "MNIST" if figures.options["data"] == "mnist" else "the bundled 8x8 digits"
    lines = [
        f"Test accuracy on {results['n_test_pairs']:,} pairs of the "
        f"{results['n_test_images']:,} test images of {data}, after training on "
        f"{results['n_pairs']:,} pairs of its {results['n_train_images']:,} "
        f"training images ({epochs(results['max_epochs'])}); chance: always the "
        "most frequent answer.",
        "",
        markdown_table(["output", "accuracy", "chance"], rows),
    ]
    if results["examples"]:
        lines += [
            "",
            "Worked examples (digits shown for reading; the model saw only images):",
            "",
            "```text",
            *(worked_example(**example) for example in results["examples"]),
            "```",
        ]
    return "\n".join(lines)
