"""The arithmetic post's experiment: add, multiply and compare MNIST digits.

The autoencoder learns codes of the training images; the arithmetic classifier
learns the five results (sum units and tens, product units and tens, a > b) of
random pairs of training images from their codes, and both are tested on pairs
drawn only from the test images. By default the encoder is frozen, as in the
post (``Pipeline`` with ``FrozenEstimator``); ``--fine-tune`` trains a copy of
it with the heads (``ArithmeticMultiOutputClassifier(encoder=...)``). The
table sets the post's published accuracy beside the run's.

``--head arithmetic`` learns the same pairs with the digit reader instead of
the post's learnt heads: :class:`~sklarith.DigitArithmeticClassifier`, which
reads a digit from each image and computes the five results exactly, on the
autoencoder of the MNIST addition runs (``READER``, stacked convolutions);
``--head mlp``, the default, is the post's model.
"""

import time

from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    DigitArithmeticClassifier,
)
from sklarith.datasets import make_arithmetic_pairs
from sklarith.metrics import reconstruction_bce
from sklarith.structures import ARITHMETIC_TARGETS

from ._common import (
    CLASSIFIER,
    NETWORK,
    READER,
    accuracy_per_output,
    headline_autoencoder,
    load_images,
    log,
)
from .results import epochs, markdown_table, options_of, percent, record

COMMAND = "sklarith reproduce arithmetic"

OPTIONS = {
    "fine_tune": {
        "action": "store_true",
        "help": "train a copy of the encoder with the heads instead of freezing it",
    },
    "head": {
        "choices": ["mlp", "arithmetic"],
        "help": "mlp: a learnt head per result, the post's model; arithmetic: "
        "a digit read per image and the results computed exactly, on the "
        "digit reader's encoder",
    },
    "n_pairs": {
        "type": int,
        "minimum": 2,
        "help": "training pairs (default: 1,000,000 on MNIST)",
    },
    "n_test_pairs": {
        "type": int,
        "minimum": 1,
        "help": "test pairs (default: 100,000)",
    },
    "max_epochs": {
        "type": int,
        "minimum": 1,
        "help": "classifier epochs (default on MNIST: 3 frozen, 1 fine-tuned)",
    },
}

#: The post's test accuracy per output, and its autoencoder's test BCE.
POST_ACCURACY = dict(
    zip(ARITHMETIC_TARGETS, [0.954, 0.980, 0.963, 0.968, 0.980], strict=True)
)
POST_BCE = 0.0706

#: Pairs and classifier epochs per data set, full and quick. On MNIST the
#: learning rate decays batch by batch, so a few passes over the million
#: pairs settle the weights; fine-tuning the encoder costs more per epoch.
SETTINGS = {
    "mnist": {"n_pairs": 1_000_000, "n_test_pairs": 100_000, "frozen": 3, "fine": 1},
    "digits": {"n_pairs": 60_000, "n_test_pairs": 10_000, "frozen": 15, "fine": 5},
}
QUICK_SETTINGS = {
    "mnist": {"n_pairs": 100_000, "n_test_pairs": 10_000, "frozen": 1, "fine": 1},
    "digits": {"n_pairs": 10_000, "n_test_pairs": 2_000, "frozen": 3, "fine": 1},
}


def build_autoencoder(data, *, head="mlp", random_state=0, verbose=0, device="auto"):
    """The unfitted autoencoder of ``head`` for the data set named ``data``:
    the post's (the headline Pipeline's) for the learnt heads, the digit
    reader's for the arithmetic head."""
    if head == "mlp":
        return headline_autoencoder(
            data, random_state=random_state, verbose=verbose, device=device
        )
    image_shape = (28, 28) if data == "mnist" else (8, 8)
    return AutoencoderTransformer(
        **dict(READER, image_shape=image_shape),
        device=device,
        random_state=random_state,
        verbose=min(verbose, 2),
    )


def build_classifier(
    autoencoder,
    *,
    fine_tune,
    max_epochs,
    random_state,
    verbose,
    device="auto",
    head="mlp",
):
    """The frozen-encoder Pipeline (the post's, with ``head="mlp"``), or the
    fine-tuning classifier; a learnt head per result (``"mlp"``) or the
    digit reader (``"arithmetic"``)."""
    model, settings = (
        (ArithmeticMultiOutputClassifier, CLASSIFIER)
        if head == "mlp"
        else (DigitArithmeticClassifier, NETWORK)
    )
    params = {
        **settings,
        "max_epochs": max_epochs,
        "random_state": random_state,
        "device": device,
        "verbose": verbose,
    }
    if fine_tune:
        return model(encoder=autoencoder, **params)
    return Pipeline([("enc", FrozenEstimator(autoencoder)), ("arith", model(**params))])


def run(
    *,
    data="auto",
    quick=False,
    random_state=0,
    verbose=1,
    device="auto",
    data_home=None,
    fine_tune=False,
    head="mlp",
    n_pairs=None,
    n_test_pairs=None,
    max_epochs=None,
):
    """Run the experiment; return the test accuracy of each output, and the
    fitted classifier as the figures' ``model``."""
    options = options_of(run, locals())
    start = time.perf_counter()
    images = load_images(data, data_home)
    options["data"] = images.name
    settings = (QUICK_SETTINGS if quick else SETTINGS)[images.name]
    if n_pairs is None:
        n_pairs = settings["n_pairs"]
    if n_test_pairs is None:
        n_test_pairs = settings["n_test_pairs"]
    if max_epochs is None:
        max_epochs = settings["fine" if fine_tune else "frozen"]

    log(verbose, f"Data: {images.description}; fitting the autoencoder")
    autoencoder = build_autoencoder(
        images.name,
        head=head,
        random_state=random_state,
        verbose=verbose,
        device=device,
    )
    autoencoder.fit(images.train_images)
    autoencoder_seconds = time.perf_counter() - start
    bce = reconstruction_bce(autoencoder, images.test_images)
    log(verbose, f"autoencoder: test BCE {bce:.4f} in {autoencoder_seconds:.0f} s")

    X, Y = make_arithmetic_pairs(
        images.train_images,
        images.train_labels,
        n_pairs=n_pairs,
        random_state=random_state,
    )
    classifier = build_classifier(
        autoencoder,
        fine_tune=fine_tune,
        max_epochs=max_epochs,
        random_state=random_state,
        verbose=min(verbose, 2),
        device=device,
        head=head,
    )
    log(verbose, f"classifier: {n_pairs:,} pairs, {max_epochs} epoch(s)")
    classifier.fit(X, Y)
    del X, Y
    X_test, Y_test = make_arithmetic_pairs(
        images.test_images,
        images.test_labels,
        n_pairs=n_test_pairs,
        random_state=random_state + 1,
    )
    accuracy, all_right = accuracy_per_output(classifier, X_test, Y_test)
    results = {
        "n_pairs": n_pairs,
        "n_test_pairs": n_test_pairs,
        "max_epochs": max_epochs,
        "autoencoder_bce": bce,
        "autoencoder_seconds": autoencoder_seconds,
        "accuracy": accuracy,
        "all_right": all_right,
    }
    return record(COMMAND, run, options, results, start, model=classifier)


def format_table(figures):
    """The table of :func:`run`'s figures, in Markdown: the post's row (on MNIST)
    and the run's: accuracy (%) per output."""
    results, options = figures.results, figures.options
    names = list(results["accuracy"])
    kind = "fine-tuned" if options["fine_tune"] else "frozen"
    if options.get("head", "mlp") == "arithmetic":
        kind = f"digit reader, {kind}"
    rows = []
    if options["data"] == "mnist":
        rows.append(
            ["the post (Keras, frozen encoder)"]
            + [f"{100 * POST_ACCURACY[name]:.1f}" for name in names]
            + [""]
        )
    rows.append(
        [f"sklarith, {kind} encoder, {epochs(results['max_epochs'])}"]
        + [percent(results["accuracy"][name]) for name in names]
        + [percent(results["all_right"])]
    )
    data = "MNIST" if options["data"] == "mnist" else "the bundled 8x8 digits"
    post_bce = f" (the post's: {POST_BCE})" if options["data"] == "mnist" else ""
    autoencoder = (
        "Autoencoder: test binary cross-entropy "
        f"{results['autoencoder_bce']:.4f} per pixel{post_bce}"
    )
    if results.get("autoencoder_seconds") is not None:
        autoencoder += f", fitted in {results['autoencoder_seconds']:.0f} s"
    return "\n".join(
        [
            f"Test accuracy (%) on {results['n_test_pairs']:,} pairs of test images of "
            f"{data}, after training on {results['n_pairs']:,} pairs of training "
            "images labelled with the five results only.",
            "",
            markdown_table(["classifier", *names, "all five"], rows),
            "",
            autoencoder + ".",
        ]
    )
