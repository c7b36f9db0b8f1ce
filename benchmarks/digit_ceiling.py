"""How well a digit network reads digits when taught with labels.

The MNIST addition runs never see a digit label; their results tables give
the share of test images whose digit the network reads right (*images'
digits*). A whole sum of two N-digit numbers is right only if all 2N images
are read right, so at N = 100 that share decides the accuracy. This
benchmark measures a digit network taught directly with the digit labels:
an autoencoder's encoder (its ``architecture`` and ``channels``, pre-trained
as the runs pre-train it) and a hidden layer of 1,000 units, then ten
logits, with the runs' augmentation and schedule (``CLASSIFIER_SETTINGS``:
Adam from ``lr=1e-3`` decayed along a cosine, no validation split), batches
of 512 images, on the 60,000 training images, scored on the 10,000 test
images. It is a ceiling for the label-free runs, not a result of them: if
labels do no better than the sums alone, the network, not the supervision,
is what limits long sums.

Each random state trains its own autoencoder, or reuses the one that
``sklarith reproduce mnist-addition --output DIR`` kept for it in
``--autoencoders DIR`` (default ``results``) when its settings are the same.
With ``--output`` every finished run is written at once, and a command
started again resumes from its results file.

``--candidates DIR`` writes no new run: it gathers every results file of
this benchmark in DIR into one table of the candidate networks (their
architecture, parameters, seconds per epoch and accuracy), from which the
MNIST addition runs' network is chosen.

Run:  python benchmarks/digit_ceiling.py [--architecture stacked]
      [--channels 16 32] [--random-states 0 1 2] [--max-epochs 25]
      [--autoencoders results] [--output DIR]
      python benchmarks/digit_ceiling.py --candidates results
"""

import argparse
import itertools
import json
import time
from pathlib import Path

import joblib
import numpy as np

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from sklarith.datasets import fetch_mnist
from sklarith.experiments import (
    Figures,
    format_figures,
    mean_std,
    read_figures,
    stem,
    to_markdown,
    write,
)
from sklarith.experiments.mnist_addition import (
    AUTOENCODER_SETTINGS,
    CLASSIFIER_SETTINGS,
    IMAGES_PER_BATCH,
    reader_name,
)
from sklarith.modules import ConvAutoencoder

EXPERIMENT = "digit-ceiling"

#: Images per row of the whole sum at each N: its accuracy is about the
#: share of images read right to this power.
LENGTHS = (1, 15, 100, 200)


def autoencoder_for(random_state, train_images, folder, settings):
    """The autoencoder of ``settings`` for ``random_state``, kept by the MNIST
    addition runs in ``folder`` when its settings are the same, else trained
    here; and its training time."""
    kept = Path(folder) / (
        f"mnist-addition-autoencoder--data-mnist--random-state-{random_state}.joblib"
    )
    params = dict(settings, image_shape=(28, 28))
    if kept.exists():
        cached = joblib.load(kept)
        if cached["params"] == params:
            return cached["autoencoder"], cached["seconds"]
    start = time.perf_counter()
    autoencoder = AutoencoderTransformer(**params, random_state=random_state)
    autoencoder.fit(train_images)
    return autoencoder, time.perf_counter() - start


def one_run(random_state, max_epochs, train, test, folder, settings):
    autoencoder, pretraining = autoencoder_for(
        random_state, train.data, folder, settings
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
        "seconds_per_epoch": float(np.mean(classifier.history_[:, "dur"])),
        "pretraining_seconds": pretraining,
    }


def digit_network_parameters(options):
    """Weights of the digit network of ``options``: the encoder, then the
    hidden layers and the ten logits (the code statistics are no weights)."""
    encoder = ConvAutoencoder(
        image_shape=(28, 28),
        n_components=AUTOENCODER_SETTINGS["n_components"],
        channels=tuple(options["channels"]),
        architecture=options.get("architecture", "strided"),
    ).encoder
    sizes = [
        AUTOENCODER_SETTINGS["n_components"],
        *CLASSIFIER_SETTINGS["hidden_layer_sizes"],
        10,
    ]
    layers = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
    return sum(p.numel() for p in encoder.parameters()) + layers


def seconds_per_epoch(run, max_epochs):
    """The mean time of a run's epochs; its whole training time over its
    epochs for a run that did not record them."""
    return run.get("seconds_per_epoch", run["seconds"] / max_epochs)


def table(runs, options):
    accuracies = [run["image_accuracy"] for run in runs]
    rows = [
        ["encoder", reader_name(options)],
        ["parameters of the digit network", f"{digit_network_parameters(options):,}"],
        [
            "seconds per epoch on 60,000 images",
            mean_std(
                [seconds_per_epoch(run, options["max_epochs"]) for run in runs], 1, 1
            ),
        ],
        ["test images read right (%)", mean_std(accuracies, 100, 2)],
    ]
    for n_digits in LENGTHS:
        rows.append(
            [
                f"its share to the power 2N, N = {n_digits} (%)",
                mean_std([a ** (2 * n_digits) for a in accuracies], 100, 2),
            ]
        )
    return rows


def figures_of(command, options, runs, seconds):
    states = [run["random_state"] for run in runs]
    return Figures(
        EXPERIMENT,
        command,
        options,
        {
            "header": ["the digit network taught with labels", "mean ± std over runs"],
            "rows": table(runs, options),
            "runs": runs,
            "notes": [
                f"{len(runs)} {'run' if len(runs) == 1 else 'runs'} (random "
                f"{'state' if len(runs) == 1 else 'states'} "
                f"{', '.join(map(str, states))}), the encoder pre-trained as "
                f"an autoencoder, then {options['max_epochs']} epochs on the "
                "60,000 MNIST training images with their labels, scored on "
                "the 10,000 test images; seconds per epoch are the classifier's "
                "(on 2 cores they count any other work the machine did); the "
                "powers give about the share of whole sums of two N-digit "
                "numbers right if every image were read as well."
            ],
        },
        seconds=seconds,
    )


def command_of(args):
    command = "python benchmarks/digit_ceiling.py"
    if args.architecture != AUTOENCODER_SETTINGS["architecture"]:
        command += f" --architecture {args.architecture}"
    if tuple(args.channels) != AUTOENCODER_SETTINGS["channels"]:
        command += " --channels " + " ".join(map(str, args.channels))
    if args.random_states != [0, 1, 2]:
        command += " --random-states " + " ".join(map(str, args.random_states))
    if args.max_epochs != 25:
        command += f" --max-epochs {args.max_epochs}"
    return command


def previous_runs(output, command):
    """The runs, and the seconds they took, of ``command``'s results file in
    ``output``: a series started again goes on from them."""
    if output is None:
        return [], 0.0
    path = Path(output) / f"{stem(command)}.json"
    if not path.exists():
        return [], 0.0
    figures = read_figures(path)
    if figures.command != command:
        return [], 0.0
    return figures.results["runs"], figures.seconds or 0.0


def candidates(folder):
    """One table of every network this benchmark measured in ``folder``."""
    rows, sources = [], []
    for path in sorted(Path(folder).glob(f"{EXPERIMENT}*.json")):
        figures = read_figures(path)
        if figures.experiment != EXPERIMENT or "runs" not in figures.results:
            continue
        runs = figures.results["runs"]
        options = figures.options
        per_epoch = [seconds_per_epoch(run, options["max_epochs"]) for run in runs]
        rows.append(
            [
                reader_name(options),
                f"{digit_network_parameters(options):,}",
                mean_std(per_epoch, 1, 1),
                str(options["max_epochs"]),
                mean_std([run["image_accuracy"] for run in runs], 100, 2),
                str(len(runs)),
            ]
        )
        sources.append(f"`{figures.command}`")
    return Figures(
        f"{EXPERIMENT}-candidates",
        f"python benchmarks/digit_ceiling.py --candidates {folder}",
        {"folder": str(folder)},
        {
            "header": [
                "encoder",
                "parameters",
                "s per epoch",
                "epochs",
                "test images read right (%)",
                "runs",
            ],
            "rows": rows,
            "notes": [
                "Digit networks taught with the digit labels (an encoder of the "
                "architecture and filters named, then 1,000 hidden units and ten "
                "logits), each a results file of "
                "`python benchmarks/digit_ceiling.py`: "
                + "; ".join(sources)
                + ". Seconds per epoch on the 60,000 training images, on the "
                "machine each file names; a run that did not record its epochs' "
                "time counts its whole training time over its epochs."
            ],
        },
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--architecture",
        choices=["strided", "stacked"],
        default=AUTOENCODER_SETTINGS["architecture"],
        help="the encoder's stages (default: the MNIST addition runs' own)",
    )
    parser.add_argument(
        "--channels",
        type=int,
        nargs="+",
        default=list(AUTOENCODER_SETTINGS["channels"]),
        help="filters of the encoder's stages (default: the runs' own)",
    )
    parser.add_argument("--random-states", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--max-epochs", type=int, default=25)
    parser.add_argument("--autoencoders", default="results", metavar="DIR")
    parser.add_argument("--output", metavar="DIR", help="write the results files")
    parser.add_argument(
        "--candidates",
        metavar="DIR",
        help="write the table of every network measured in DIR, and stop",
    )
    args = parser.parse_args()
    if args.candidates:
        figures = candidates(args.candidates)
        print(to_markdown(figures, format_figures(figures)), end="")
        write(figures, args.candidates)
        return
    command = command_of(args)
    settings = dict(
        AUTOENCODER_SETTINGS,
        architecture=args.architecture,
        channels=tuple(args.channels),
    )
    options = {
        "random_states": args.random_states,
        "max_epochs": args.max_epochs,
        "architecture": args.architecture,
        "channels": args.channels,
    }
    runs, previous_seconds = previous_runs(args.output, command)
    start = time.perf_counter() - previous_seconds
    train = fetch_mnist(subset="train", download_if_missing=False)
    test = fetch_mnist(subset="test", download_if_missing=False)
    done = {run["random_state"] for run in runs}
    for random_state in args.random_states:
        if random_state in done:
            continue
        runs.append(
            one_run(
                random_state, args.max_epochs, train, test, args.autoencoders, settings
            )
        )
        print(json.dumps(runs[-1]), flush=True)
        if args.output:
            figures = figures_of(command, options, runs, time.perf_counter() - start)
            write(figures, args.output)
    figures = figures_of(command, options, runs, time.perf_counter() - start)
    print(to_markdown(figures, format_figures(figures)), end="")


if __name__ == "__main__":
    main()
