"""How well the MNIST addition runs' digit network reads digits when taught with labels.

The MNIST addition runs never see a digit label; their results tables give
the share of test images whose digit the network reads right (*images'
digits*). A whole sum of two N-digit numbers is right only if all 2N images
are read right, so at N = 100 that share decides the accuracy. This
benchmark measures the same network taught directly with the digit labels:
the same autoencoder settings, the same digit network (the encoder's copy
and a hidden layer of 1,000 units, then ten logits), the same augmentation
and schedule (``CLASSIFIER_SETTINGS``: Adam from ``lr=1e-3`` decayed along a
cosine, no validation split), batches of 512 images, on the 60,000 training
images, scored on the 10,000 test images. It is a ceiling for the
label-free runs, not a result of them: if labels do no better than the sums
alone, the network, not the supervision, is what limits long sums.

Each random state trains its own autoencoder, or reuses the one that
``sklarith reproduce mnist-addition --output DIR`` kept for it in
``--autoencoders DIR`` (default ``results``) when its settings are the same.

``--channels`` measures a wider or narrower encoder, whose autoencoder is
trained here.

Run:  python benchmarks/digit_ceiling.py [--random-states 0 1 2]
      [--max-epochs 25] [--channels 32 64 128] [--autoencoders results]
      [--output DIR]
"""

import argparse
import json
import time
from pathlib import Path

import joblib
import numpy as np

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from sklarith.datasets import fetch_mnist
from sklarith.experiments import Figures, format_figures, mean_std, to_markdown, write
from sklarith.experiments.mnist_addition import (
    AUTOENCODER_SETTINGS,
    CLASSIFIER_SETTINGS,
    IMAGES_PER_BATCH,
)

#: Images per row of the whole sum at each N: its accuracy is about the
#: share of images read right to this power.
LENGTHS = (1, 15, 100)


def autoencoder_for(random_state, train_images, folder, channels):
    """The autoencoder of the MNIST addition runs for ``random_state``, kept
    by them in ``folder`` or trained here, and its training time; with other
    ``channels`` than theirs, always trained here."""
    kept = Path(folder) / (
        f"mnist-addition-autoencoder--data-mnist--random-state-{random_state}.joblib"
    )
    params = dict(AUTOENCODER_SETTINGS, image_shape=(28, 28), channels=channels)
    if kept.exists():
        cached = joblib.load(kept)
        if cached["params"] == params:
            return cached["autoencoder"], cached["seconds"]
    start = time.perf_counter()
    autoencoder = AutoencoderTransformer(**params, random_state=random_state)
    autoencoder.fit(train_images)
    return autoencoder, time.perf_counter() - start


def one_run(random_state, max_epochs, train, test, folder, channels):
    autoencoder, pretraining = autoencoder_for(
        random_state, train.data, folder, channels
    )
    start = time.perf_counter()
    classifier = ArithmeticMultiOutputClassifier(
        **{
            **CLASSIFIER_SETTINGS,
            "max_epochs": max_epochs,
            "batch_size": IMAGES_PER_BATCH,
            # The digit network of DigitArithmeticClassifier: the hidden
            # layers, then the ten logits, with no layer of a head's own, and
            # trained as it is, without dropout or label smoothing.
            "head_layer_sizes": (),
            "dropout": 0.0,
            "label_smoothing": 0.0,
        },
        encoder=autoencoder,
        random_state=random_state,
    ).fit(train.data, train.target)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(classifier.predict(test.data) == test.target))
    return {
        "random_state": random_state,
        "image_accuracy": accuracy,
        "seconds": seconds,
        "pretraining_seconds": pretraining,
    }


def table(runs):
    accuracies = [run["image_accuracy"] for run in runs]
    rows = [["test images read right (%)", mean_std(accuracies, 100, 2)]]
    for n_digits in LENGTHS:
        rows.append(
            [
                f"its share to the power 2N, N = {n_digits} (%)",
                mean_std([a ** (2 * n_digits) for a in accuracies], 100, 2),
            ]
        )
    # No time row: what is measured is how well the network reads, and the
    # runs may share the cores; each run's time is kept in the JSON file.
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--random-states", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--max-epochs", type=int, default=25)
    parser.add_argument(
        "--channels",
        type=int,
        nargs="+",
        default=list(AUTOENCODER_SETTINGS["channels"]),
        help="filters of the encoder's convolutions (default: the runs' own)",
    )
    parser.add_argument("--autoencoders", default="results", metavar="DIR")
    parser.add_argument("--output", metavar="DIR", help="write the results files")
    args = parser.parse_args()
    start = time.perf_counter()
    train = fetch_mnist(subset="train", download_if_missing=False)
    test = fetch_mnist(subset="test", download_if_missing=False)
    runs = []
    for random_state in args.random_states:
        runs.append(
            one_run(
                random_state,
                args.max_epochs,
                train,
                test,
                args.autoencoders,
                tuple(args.channels),
            )
        )
        print(json.dumps(runs[-1]), flush=True)
    command = "python benchmarks/digit_ceiling.py"
    if args.random_states != [0, 1, 2]:
        command += " --random-states " + " ".join(map(str, args.random_states))
    if args.max_epochs != 25:
        command += f" --max-epochs {args.max_epochs}"
    if tuple(args.channels) != AUTOENCODER_SETTINGS["channels"]:
        command += " --channels " + " ".join(map(str, args.channels))
    figures = Figures(
        "digit-ceiling",
        command,
        {
            "random_states": args.random_states,
            "max_epochs": args.max_epochs,
            "channels": args.channels,
        },
        {
            "header": ["the digit network taught with labels", "mean ± std over runs"],
            "rows": table(runs),
            "runs": runs,
            "notes": [
                f"{len(runs)} {'run' if len(runs) == 1 else 'runs'} (random "
                f"{'state' if len(runs) == 1 else 'states'} "
                f"{', '.join(map(str, args.random_states))}), an encoder of "
                f"{'-'.join(map(str, args.channels))} filters, {args.max_epochs} "
                "epochs on the 60,000 MNIST training images with their labels, "
                "scored on the 10,000 test images; the powers give about the "
                "share of whole sums of two N-digit numbers right if every image "
                "were read as well."
            ],
        },
        seconds=time.perf_counter() - start,
    )
    print(to_markdown(figures, format_figures(figures)), end="")
    if args.output:
        write(figures, args.output)


if __name__ == "__main__":
    main()
