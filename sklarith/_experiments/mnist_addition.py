"""MNIST addition: add two numbers of N handwritten digits from the sum alone.

The benchmark of neuro-symbolic learning, on the protocol of DeepProbLog,
NeurASP, DeepStochLog and A-NeSI: each image used once, so 60,000 training
images make 30,000/N training rows and 10,000 test images 5,000/N test rows.
An autoencoder is first trained on the training images (no labels), then a
copy of its encoder is fine-tuned with the classifier's head: ``arithmetic``
(per-image digit distributions combined by exact column addition, trained on
the likelihood of the observed sums) or ``mlp`` (one learned softmax head per
digit of the sum). The table gives the test accuracy of the whole sum beside
the published figures.
"""

import time

import numpy as np

from .. import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from ..datasets import make_number_addition
from ._common import AUTOENCODER, CLASSIFIER, accuracy_per_output, load_images, log
from ._results import markdown_table, options_of, record, seconds_text

COMMAND = "sklarith reproduce mnist-addition"

OPTIONS = {
    "n_runs": {
        "type": int,
        "minimum": 1,
        "help": "runs, with random states --random-state, --random-state + 1, ...",
    },
    "n_digits": {"type": int, "minimum": 1, "nargs": "+", "help": "values of N"},
    "heads": {
        "nargs": "+",
        "choices": ["arithmetic", "mlp"],
        "help": "classifier heads to compare",
    },
    "max_epochs": {
        "type": int,
        "minimum": 1,
        "help": "fine-tuning epochs (default: 25; with --quick 2)",
    },
}

#: Published test accuracy (%) of the sum, per number of digits, as published.
PUBLISHED = {
    1: {
        "DeepProbLog": "97.2",
        "NeurASP": "97.3",
        "NeuPSL": "97.34",
        "A-NeSI": "97.66",
        "DeepStochLog": "97.9",
    },
    2: {"A-NeSI": "95.96", "DeepStochLog": "96.4"},
    4: {"A-NeSI": "92.56", "DeepStochLog": "92.7"},
    15: {"A-NeSI": "75.90"},
}

#: The headline autoencoder with a third convolution block: its codes
#: reconstruct a little worse, but the fine-tuned digit network reads digits
#: better from it at N = 1.
AUTOENCODER_SETTINGS = {**AUTOENCODER, "channels": (32, 64, 128)}

#: A fixed schedule: cosine-decayed Adam on every row, no validation split
#: (the protocol has no validation set to spare); batches by
#: :func:`batch_size_for`.
CLASSIFIER_SETTINGS = {
    **CLASSIFIER,
    "max_epochs": 25,
    "lr": 1e-3,
    "early_stopping": False,
}

#: Images per gradient step: rows of 2N images, about 512 images per batch
#: whatever N.
IMAGES_PER_BATCH = 512

#: ``quick``: a smoke run, far from converged.
QUICK_SETTINGS = {"autoencoder_epochs": 2, "max_epochs": 2}


def batch_size_for(n_digits):
    """Rows per batch, so that every N sees about the same number of images."""
    return max(1, IMAGES_PER_BATCH // (2 * n_digits))


def run(
    *,
    data="auto",
    quick=False,
    random_state=0,
    verbose=1,
    device="auto",
    data_home=None,
    n_runs=1,
    n_digits=(1, 2, 4, 15),
    heads=("arithmetic",),
    max_epochs=None,
):
    """Run every (random state, N, head); return the accuracy of each run.

    The figures' ``model`` is a dict of the fitted classifiers by
    ``(random_state, n_digits, head)``.
    """
    options = options_of(run, locals())
    start = time.perf_counter()
    images = load_images(data, data_home)
    options["data"] = images.name
    autoencoder_params = dict(AUTOENCODER_SETTINGS, image_shape=images.image_shape)
    classifier_params = dict(CLASSIFIER_SETTINGS)
    if quick:
        autoencoder_params["max_epochs"] = QUICK_SETTINGS["autoencoder_epochs"]
        classifier_params["max_epochs"] = QUICK_SETTINGS["max_epochs"]
    if max_epochs is not None:
        classifier_params["max_epochs"] = max_epochs
    runs, pretraining, classifiers = [], [], {}
    for seed in range(random_state, random_state + n_runs):
        # The test rows first: an N the test images cannot make a row of is
        # refused before any training, not after the autoencoder's.
        test_sets = {
            n: make_number_addition(
                images.test_images,
                images.test_labels,
                n_digits=n,
                random_state=seed + 1,
            )
            for n in n_digits
        }
        pretraining_start = time.perf_counter()
        autoencoder = AutoencoderTransformer(
            **autoencoder_params,
            device=device,
            random_state=seed,
            verbose=min(verbose, 2),
        ).fit(images.train_images)
        pretraining.append(time.perf_counter() - pretraining_start)
        log(verbose, f"random state {seed}: autoencoder in {pretraining[-1]:.0f} s")
        for n in n_digits:
            X, Y = make_number_addition(
                images.train_images, images.train_labels, n_digits=n, random_state=seed
            )
            X_test, Y_test = test_sets[n]
            for head in heads:
                fit_start = time.perf_counter()
                classifier = ArithmeticMultiOutputClassifier(
                    **{**classifier_params, "batch_size": batch_size_for(n)},
                    encoder=autoencoder,
                    head=head,
                    device=device,
                    random_state=seed,
                    verbose=min(verbose, 2),
                ).fit(X, Y)
                classifiers[seed, n, head] = classifier
                seconds = time.perf_counter() - fit_start
                per_digit, whole = accuracy_per_output(classifier, X_test, Y_test)
                runs.append(
                    {
                        "random_state": seed,
                        "n_digits": n,
                        "head": head,
                        "n_rows": len(X),
                        "accuracy": whole,
                        "digit_accuracy": float(np.mean(list(per_digit.values()))),
                        "seconds": seconds,
                    }
                )
                log(
                    verbose,
                    f"N={n} head={head} random state {seed}: {whole:.2%} (digits of "
                    f"the sum: {runs[-1]['digit_accuracy']:.2%}) in {seconds:.0f} s",
                )
    results = {
        "max_epochs": classifier_params["max_epochs"],
        "pretraining_seconds": pretraining,
        "runs": runs,
    }
    return record(COMMAND, run, options, results, start, model=classifiers)


def format(figures):
    """Accuracy of the sum per N and head (mean ± std over runs), beside the
    published figures."""
    results = figures.results
    runs = results["runs"]
    heads = list(dict.fromkeys(r["head"] for r in runs))
    mnist = figures.options["data"] == "mnist"
    header = ["N", "training rows"]
    header += [f"sklarith, {head} head: sum (digits of the sum)" for head in heads]
    header += ["published"] if mnist else []
    header += ["fine-tuning time"]
    align = ["<", ">"] + [">"] * len(heads) + (["<"] if mnist else []) + [">"]
    rows = []
    for n in dict.fromkeys(r["n_digits"] for r in runs):
        of_n = [r for r in runs if r["n_digits"] == n]
        row = [str(n), f"{of_n[0]['n_rows']:,}"]
        for head in heads:
            row.append(_mean_cell([r for r in of_n if r["head"] == head]))
        if mnist:
            row.append(", ".join(f"{k} {v}" for k, v in PUBLISHED.get(n, {}).items()))
        row.append(seconds_text(float(np.mean([r["seconds"] for r in of_n]))))
        rows.append(row)
    n_runs = len({r["random_state"] for r in runs})
    data = "MNIST" if mnist else "the bundled 8x8 digits"
    pretraining = results["pretraining_seconds"]
    lines = [
        f"Test accuracy (%) of the whole sum on {data}, "
        + ("one run" if n_runs == 1 else f"mean ± std over {n_runs} runs")
        + f"; {results['max_epochs']} epochs of fine-tuning.",
        "",
        markdown_table(header, rows, align=align),
    ]
    if pretraining and all(s is not None for s in pretraining):
        lines += [
            "",
            "The autoencoder's pre-training (no labels), shared by the runs of a "
            f"random state, took {seconds_text(float(np.mean(pretraining)))}.",
        ]
    return "\n".join(lines)


def _mean_cell(runs):
    if not runs:
        return ""
    accuracy = 100 * np.array([r["accuracy"] for r in runs])
    cell = f"{accuracy.mean():.2f}"
    if len(runs) > 1:
        cell += f" ± {accuracy.std():.2f}"
    digits = [r["digit_accuracy"] for r in runs if r["digit_accuracy"] is not None]
    if digits:
        cell += f" ({100 * np.mean(digits):.2f})"
    return cell
