"""``sklarith compare``: autoencoder codes, PCA codes or raw pixels for arithmetic?"""

import textwrap
import time

import numpy as np
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

from .. import ArithmeticMultiOutputClassifier, AutoencoderTransformer, PCAEncoder
from ..datasets import make_arithmetic_pairs
from ..metrics import reconstruction_bce, reconstruction_mse
from .demo import DEMO_SETTINGS, add_data_options, load_demo_data


def _seconds(duration):
    if duration < 1:
        return f"{duration * 1000:.0f} ms"
    return f"{duration:.1f} s" if duration < 100 else f"{duration:.0f} s"


#: Rows of the table below the accuracies: (label, key, format).
_COST_ROWS = [
    ("reconstruction BCE", "bce", "{:.4f}".format),
    ("reconstruction MSE", "mse", "{:.4f}".format),
    ("encoder fit", "fit_time", _seconds),
    ("transform test images", "transform_time", _seconds),
    ("classifier fit", "classifier_time", _seconds),
]


def compared_encoders(settings, quick=False, random_state=0, verbose=0):
    """The feature sets compared: two encoders of the same code size, and None
    for the raw pixels.

    ``settings`` are the demo's for the data set, so that ``sklarith
    compare`` measures the codes ``sklarith demo`` learns from.
    """
    autoencoder_params = dict(settings["autoencoder"])
    if quick:
        autoencoder_params["max_epochs"] = settings["quick"]["max_epochs"]
    autoencoder = AutoencoderTransformer(
        **autoencoder_params, random_state=random_state, verbose=verbose
    )
    pca = PCAEncoder(
        n_components=autoencoder.n_components,
        image_shape=autoencoder.image_shape,
        random_state=random_state,
    )
    return {"autoencoder": autoencoder, "PCA": pca, "raw pixels": None}


def compare_features(
    encoders,
    classifier,
    train_images,
    train_labels,
    test_images,
    test_labels,
    *,
    n_pairs,
    n_test_pairs,
    random_state=0,
    log=print,
):
    """Fit each encoder, then the same classifier on its codes; measure both.

    Each encoder is fitted on the training images and timed, then encodes
    the test images (timed; their reconstruction BCE and MSE per pixel are
    measured). A clone of ``classifier`` learns the results of ``n_pairs``
    pairs of training images from the frozen encoder's codes (from the pixels
    when the encoder is None) and predicts those of ``n_test_pairs`` pairs
    of test images.

    Returns
    -------
    rows : list of dict
        One per encoder: ``features``, ``accuracy`` (a dict per output),
        ``all_five``, ``bce``, ``mse``, ``fit_time``, ``transform_time``,
        ``classifier_time``; costs that do not apply to raw pixels are None.
    """
    X, Y = make_arithmetic_pairs(
        train_images, train_labels, n_pairs=n_pairs, random_state=random_state
    )
    X_test, Y_test = make_arithmetic_pairs(
        test_images, test_labels, n_pairs=n_test_pairs, random_state=random_state + 1
    )
    rows = []
    for step, (name, encoder) in enumerate(encoders.items(), start=1):
        row = dict.fromkeys(["bce", "mse", "fit_time", "transform_time"])
        row["features"] = name
        encoding = "passthrough"
        if encoder is not None:
            log(f"[{step}/{len(encoders)}] {name}: fitting on the training images")
            start = time.perf_counter()
            encoder.fit(train_images)
            row["fit_time"] = time.perf_counter() - start
            start = time.perf_counter()
            encoder.transform(test_images)
            row["transform_time"] = time.perf_counter() - start
            row["bce"] = reconstruction_bce(encoder, test_images)
            row["mse"] = reconstruction_mse(encoder, test_images)
            encoding = FrozenEstimator(encoder)
        log(f"[{step}/{len(encoders)}] {name}: classifier on {n_pairs:,} pairs")
        pipeline = Pipeline([("enc", encoding), ("arith", clone(classifier))])
        start = time.perf_counter()
        pipeline.fit(X, Y)
        row["classifier_time"] = time.perf_counter() - start
        correct = pipeline.predict(X_test) == Y_test.to_numpy()
        row["accuracy"] = dict(zip(Y_test.columns, correct.mean(axis=0), strict=True))
        row["all_five"] = float(np.all(correct, axis=1).mean())
        rows.append(row)
    return rows


def format_comparison_table(rows):
    """One column per feature set; accuracies, then reconstruction and costs."""
    label_width = 24
    width = max(12, *(len(row["features"]) + 2 for row in rows))
    lines = [" " * label_width + "".join(f"{r['features']:>{width}}" for r in rows)]
    outputs = list(rows[0]["accuracy"])
    for output in outputs:
        cells = "".join(f"{r['accuracy'][output]:>{width}.2%}" for r in rows)
        lines.append(f"{output:<{label_width}}{cells}")
    cells = "".join(f"{r['all_five']:>{width}.2%}" for r in rows)
    lines.append(f"{'all five':<{label_width}}{cells}")
    for label, key, number in _COST_ROWS:
        cells = "".join(
            f"{'—' if r[key] is None else number(r[key]):>{width}}" for r in rows
        )
        lines.append(f"{label:<{label_width}}{cells}")
    return "\n".join(lines)


def describe_protocol(name, n_train, n_test, n_pairs, n_test_pairs, classifier):
    """The protocol in a few lines, printed above the table."""
    params = classifier.get_params()
    text = (
        f"Data: {name}. The encoders are fitted on the {n_train:,} training images; "
        "the same classifier (ArithmeticMultiOutputClassifier, hidden_layer_sizes="
        f"{params['hidden_layer_sizes']}, head_layer_sizes="
        f"{params['head_layer_sizes']}, max_epochs={params['max_epochs']}) learns "
        f"the five results of {n_pairs:,} pairs of training images from each "
        f"feature set, and is tested on {n_test_pairs:,} pairs of the {n_test:,} "
        "test images. Reconstruction errors are per pixel, on the test images; "
        "times are wall-clock on this machine."
    )
    return textwrap.fill(text, width=88)


def compare(args):
    """Compare autoencoder codes, PCA codes and raw pixels; print one table."""
    start = time.perf_counter()
    name, X_train, y_train, X_test, y_test = load_demo_data(args.data)
    settings = DEMO_SETTINGS[name]
    n_pairs = args.n_pairs or (
        settings["quick"]["n_pairs"] if args.quick else settings["n_pairs"]
    )
    verbose = 0 if args.quiet else 1
    classifier_params = dict(settings["classifier"])
    if args.quick:
        classifier_params["max_epochs"] = settings["quick"]["max_epochs"]
    classifier = ArithmeticMultiOutputClassifier(
        **classifier_params, random_state=args.random_state, verbose=verbose
    )
    protocol = describe_protocol(
        name, len(X_train), len(X_test), n_pairs, args.n_test_pairs, classifier
    )
    print(protocol, flush=True)
    encoders = compared_encoders(settings, args.quick, args.random_state, verbose)
    rows = compare_features(
        encoders,
        classifier,
        X_train,
        y_train,
        X_test,
        y_test,
        n_pairs=n_pairs,
        n_test_pairs=args.n_test_pairs,
        random_state=args.random_state,
        log=lambda line: print(line, flush=True),
    )
    print(f"\n{protocol}\n\n{format_comparison_table(rows)}")
    print(f"\nDone in {time.perf_counter() - start:.0f} s.")


def add_parser(commands):
    """Register ``sklarith compare`` on the ``argparse`` sub-parsers ``commands``."""
    parser = commands.add_parser(
        "compare",
        help="compare autoencoder codes, PCA codes and raw pixels for arithmetic",
        description="Fit an autoencoder and a PCA of the same code size on the "
        "training images, train the same arithmetic classifier on each set of "
        "codes and on the raw pixels, and print one table: test accuracy of each "
        "output, reconstruction errors, and the time each step takes.",
    )
    add_data_options(parser)
    parser.add_argument(
        "--n-pairs",
        type=int,
        default=None,
        help="training pairs (default: as sklarith demo, 300,000 on MNIST)",
    )
    parser.add_argument("--n-test-pairs", type=int, default=100_000)
    parser.add_argument("--random-state", type=int, default=0)
    parser.set_defaults(func=compare)
