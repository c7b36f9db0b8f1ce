"""``sklarith reproduce mnist-addition``: the neuro-symbolic benchmark.

Two numbers of ``N`` MNIST digits each in, only their sum as supervision. The
protocol of DeepProbLog, NeurASP, DeepStochLog and A-NeSI: each image used
once, so 60,000 training images make ``30,000 / N`` training rows and 10,000
test images ``5,000 / N`` test rows. An autoencoder is first trained on the
training images (no labels), then a copy of its encoder is fine-tuned with the
arithmetic head: per-image digit distributions combined by exact column
addition, trained on the likelihood of the observed sums.
"""

import time

import numpy as np

from .. import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from ..datasets import fetch_mnist, make_number_addition

#: Published test accuracy (%) of the sum, per number of digits.
PUBLISHED = {
    1: {
        "DeepProbLog": 97.2,
        "NeurASP": 97.3,
        "NeuPSL": 97.34,
        "A-NeSI": 97.66,
        "DeepStochLog": 97.9,
    },
    2: {"A-NeSI": 95.96, "DeepStochLog": 96.4},
    4: {"A-NeSI": 92.56, "DeepStochLog": 92.7},
    15: {"A-NeSI": 75.90},
}

#: Classifier settings of the reproduction, per head.
CLASSIFIER_SETTINGS = {
    "arithmetic": {"head": "arithmetic", "max_epochs": 20, "lr": 1e-3},
    "mlp": {"head": "mlp", "max_epochs": 20, "lr": 1e-3},
}


def run_one(train, test, autoencoder, n_digits, head, seed, verbose, max_epochs=None):
    """Fine-tune on N-digit addition; return (test accuracy, seconds)."""
    X, Y = make_number_addition(
        train.data, train.target, n_digits=n_digits, random_state=seed
    )
    X_test, Y_test = make_number_addition(
        test.data, test.target, n_digits=n_digits, random_state=seed + 1
    )
    settings = dict(CLASSIFIER_SETTINGS[head])
    if max_epochs is not None:
        settings["max_epochs"] = max_epochs
    start = time.perf_counter()
    classifier = ArithmeticMultiOutputClassifier(
        encoder=autoencoder, random_state=seed, verbose=verbose, **settings
    ).fit(X, Y)
    seconds = time.perf_counter() - start
    return classifier.score(X_test, Y_test), seconds


def reproduce(digits, heads, seeds, *, verbose=1, max_epochs=None):
    """Run every (seeds x digits x heads) case and print one table.

    Returns ``{(n_digits, head): [(accuracy, seconds), ...]}``.
    """
    train, test = fetch_mnist(subset="train"), fetch_mnist(subset="test")
    results = {(n, head): [] for n in digits for head in heads}
    for seed in seeds:
        start = time.perf_counter()
        autoencoder = AutoencoderTransformer(random_state=seed, verbose=verbose)
        autoencoder.fit(train.data)
        pretraining = time.perf_counter() - start
        print(
            f"seed {seed}: autoencoder pre-trained in {pretraining:.0f} s", flush=True
        )
        for n_digits in digits:
            for head in heads:
                accuracy, seconds = run_one(
                    train, test, autoencoder, n_digits, head, seed, verbose, max_epochs
                )
                results[n_digits, head].append((accuracy, seconds + pretraining))
                print(
                    f"N={n_digits} head={head} seed={seed}: "
                    f"{100 * accuracy:.2f} % in {seconds:.0f} s",
                    flush=True,
                )
    print(format_table(results, len(seeds)))
    return results


def format_table(results, n_seeds):
    """Markdown table: ours (mean ± std over seeds) beside the published figures."""
    lines = [
        f"Test accuracy (%) of the sum, mean ± std over {n_seeds} seed(s); time per "
        "run includes the autoencoder's pre-training.",
        "",
        "| N | ours, arithmetic head | ours, MLP head | published | time per run |",
        "|---|---|---|---|---|",
    ]
    for n_digits in sorted({n for n, _ in results}):
        cells, times = [], []
        for head in ("arithmetic", "mlp"):
            runs = results.get((n_digits, head), [])
            if not runs:
                cells.append("")
                continue
            accuracy = 100 * np.array([a for a, _ in runs])
            spread = f" ± {accuracy.std():.2f}" if len(runs) > 1 else ""
            cells.append(f"{accuracy.mean():.2f}{spread}")
            times.extend(s for _, s in runs)
        published = ", ".join(
            f"{name} {value}" for name, value in PUBLISHED.get(n_digits, {}).items()
        )
        lines.append(
            f"| {n_digits} | {cells[0]} | {cells[1]} | {published} | "
            f"{np.mean(times):.0f} s |"
        )
    return "\n".join(lines)
