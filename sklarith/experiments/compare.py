"""Autoencoder codes, PCA codes or raw pixels: which features for arithmetic?

An autoencoder and a PCA of the same code size (those of ``sklarith demo``) are
fitted on the training images; the same classifier then learns the five
results of pairs of training images from each set of codes, frozen, and from
the raw pixels, and is tested on pairs of test images. The table gives the
test accuracy of each output, the reconstruction errors per pixel of the test
images, and the wall time of each step.
"""

import time

from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

from sklarith import PCAEncoder
from sklarith.datasets import make_arithmetic_pairs
from sklarith.metrics import reconstruction_bce, reconstruction_mse

from ._common import (
    accuracy_per_output,
    headline_autoencoder,
    headline_classifier,
    headline_pairs_and_epochs,
    load_images,
    log,
)
from .results import (
    epochs,
    markdown_table,
    options_of,
    percent,
    record,
    seconds_text,
)

COMMAND = "sklarith compare"

OPTIONS = {
    "n_pairs": {
        "type": int,
        "minimum": 2,
        "help": "training pairs (default: as sklarith demo, 300,000 on MNIST)",
    },
    "max_epochs": {
        "type": int,
        "minimum": 1,
        "help": "classifier epochs (default: as sklarith demo, 10 on MNIST)",
    },
    "n_test_pairs": {"type": int, "minimum": 1, "help": "test pairs"},
}

#: The arithmetic post's autoencoder: its test binary cross-entropy per pixel.
POST_BCE = 0.0706


def compared_features(data, *, random_state=0, verbose=0, device="auto"):
    """The feature sets compared, by name: two encoders of the same code size,
    and None for the raw pixels."""
    autoencoder = headline_autoencoder(
        data, random_state=random_state, verbose=verbose, device=device
    )
    pca = PCAEncoder(
        n_components=autoencoder.n_components,
        image_shape=autoencoder.image_shape,
        random_state=random_state,
    )
    return {"autoencoder": autoencoder, "PCA": pca, "raw pixels": None}


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
    n_test_pairs=100_000,
):
    """Fit each encoder, then the same classifier on its codes; measure both.

    The figures' ``model`` holds the fitted Pipeline of each feature set, by
    its name: ``"autoencoder"``, ``"PCA"`` and ``"raw pixels"``.
    """
    options = options_of(run, locals())
    start = time.perf_counter()
    images = load_images(data, data_home)
    options["data"] = images.name
    n_pairs, max_epochs = headline_pairs_and_epochs(
        images.name, quick=quick, n_pairs=n_pairs, max_epochs=max_epochs
    )
    X, Y = make_arithmetic_pairs(
        images.train_images,
        images.train_labels,
        n_pairs=n_pairs,
        random_state=random_state,
    )
    X_test, Y_test = make_arithmetic_pairs(
        images.test_images,
        images.test_labels,
        n_pairs=n_test_pairs,
        random_state=random_state + 1,
    )
    classifier = headline_classifier(
        max_epochs=max_epochs, random_state=random_state, verbose=verbose, device=device
    )
    features = compared_features(
        images.name, random_state=random_state, verbose=verbose, device=device
    )
    rows, pipelines = [], {}
    for step, (name, encoder) in enumerate(features.items(), start=1):
        row = {"features": name}
        row.update(dict.fromkeys(["bce", "mse", "fit_seconds", "transform_seconds"]))
        encoding = "passthrough"
        if encoder is not None:
            log(verbose, f"[{step}/{len(features)}] {name}: fitting on the images")
            fit_start = time.perf_counter()
            encoder.fit(images.train_images)
            row["fit_seconds"] = time.perf_counter() - fit_start
            transform_start = time.perf_counter()
            encoder.transform(images.test_images)
            row["transform_seconds"] = time.perf_counter() - transform_start
            row["bce"] = reconstruction_bce(encoder, images.test_images)
            row["mse"] = reconstruction_mse(encoder, images.test_images)
            encoding = FrozenEstimator(encoder)
        log(
            verbose, f"[{step}/{len(features)}] {name}: classifier on {n_pairs:,} pairs"
        )
        pipeline = Pipeline([("enc", encoding), ("arith", clone(classifier))])
        fit_start = time.perf_counter()
        pipeline.fit(X, Y)
        row["classifier_seconds"] = time.perf_counter() - fit_start
        row["accuracy"], row["all_right"] = accuracy_per_output(
            pipeline, X_test, Y_test
        )
        rows.append(row)
        pipelines[name] = pipeline
    results = {
        "n_train_images": len(images.train_images),
        "n_test_images": len(images.test_images),
        "n_pairs": n_pairs,
        "n_test_pairs": n_test_pairs,
        "max_epochs": max_epochs,
        "n_components": features["autoencoder"].n_components,
        "rows": rows,
    }
    return record(COMMAND, run, options, results, start, model=pipelines)


def format_table(figures):
    """The table of :func:`run`'s figures, in Markdown: one column per feature set:
    accuracies, then reconstruction and costs."""
    results = figures.results
    rows = results["rows"]
    post = (
        f" (the post's autoencoder: {POST_BCE})"
        if figures.options["data"] == "mnist"
        else ""
    )
    table = [
        [name, *(percent(row["accuracy"][name]) for row in rows)]
        for name in rows[0]["accuracy"]
    ]
    table.append(["all five", *(percent(row["all_right"]) for row in rows)])
    costs = [
        (f"reconstruction BCE{post}", "bce", "{:.4f}".format),
        ("reconstruction MSE", "mse", "{:.4f}".format),
        ("encoder fit", "fit_seconds", seconds_text),
        ("transform of the test images", "transform_seconds", seconds_text),
        ("classifier fit", "classifier_seconds", seconds_text),
    ]
    for label, key, number in costs:
        table.append(
            [label, *("—" if row[key] is None else number(row[key]) for row in rows)]
        )
    data = "MNIST" if figures.options["data"] == "mnist" else "the bundled 8x8 digits"
    caption = (
        f"Data: {data}. Both encoders ({results['n_components']} codes per image) "
        f"are fitted on the {results['n_train_images']:,} training images; the same "
        "classifier (`ArithmeticMultiOutputClassifier`, "
        f"{epochs(results['max_epochs'])}) learns the five results of "
        f"{results['n_pairs']:,} pairs of "
        "training images from each feature set and is tested on "
        f"{results['n_test_pairs']:,} pairs of the {results['n_test_images']:,} test "
        "images. Accuracy in %; reconstruction errors per pixel of the test images."
    )
    return (
        caption
        + "\n\n"
        + markdown_table(["", *(row["features"] for row in rows)], table)
    )
