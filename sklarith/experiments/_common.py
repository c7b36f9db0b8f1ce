"""What every experiment shares: its images, its accuracy, its machine and date.

The experiments use sklarith's public API only: estimators, data sets and
metrics.
"""

import contextlib
import datetime
import io
import os
import platform
import sys
from dataclasses import dataclass

import numpy as np
import sklearn
import skorch
import torch
from sklearn.model_selection import train_test_split

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from sklarith.datasets import fetch_mnist, load_digit_images

#: The settings the experiments' figures were measured with, written out
#: rather than left to the estimators' defaults, so that a change of a default
#: never moves a published figure. The autoencoder on MNIST: the arithmetic
#: post's code of 100 per image, trained on the images as they are ...
AUTOENCODER = {
    "n_components": 100,
    "image_shape": (28, 28),
    "channels": (32, 64),
    "augment": False,
    "batch_size": 128,
    "lr": 2e-3,
    "max_epochs": 10,
    "early_stopping": True,
    "n_iter_no_change": 3,
    "validation_fraction": 0.1,
}
#: ... and the arithmetic classifiers: a dense layer of 1,000 units (of the
#: trunk, or of the digit network), trained on augmented images when
#: fine-tuned. Their epochs are set by each experiment.
NETWORK = {
    "hidden_layer_sizes": (1000,),
    "activation": "relu",
    "augment": True,
    "batch_size": 256,
    "lr": 1e-3,
    "early_stopping": True,
    "n_iter_no_change": 4,
    "validation_fraction": 0.1,
}
#: The autoencoder of the digit reader, which the experiments that read a
#: digit per image fine-tune (MNIST addition, the arithmetic experiment's
#: arithmetic head): two stacked stages (3×3, 3×3 and a stride-2 5×5
#: convolution, batch normalisation, dropout), the recipe of the small
#: supervised CNNs that read about 99.65 % of MNIST, at half their width, 16
#: and 32 filters, so that a run of MNIST addition keeps within 20 minutes on
#: 2 cores (the candidates: ``python benchmarks/digit_ceiling.py --candidates
#: results``); pre-trained as an autoencoder, whose codes the digit start
#: clusters.
READER = {**AUTOENCODER, "channels": (16, 32), "architecture": "stacked"}

#: The learnt heads' own: a branch of 200 per output, without dropout or
#: label smoothing.
HEADS = {"head_layer_sizes": (200,), "dropout": 0.0, "label_smoothing": 0.0}
CLASSIFIER = {**NETWORK, **HEADS}

#: The headline Pipeline on each data set, which ``demo`` trains and
#: ``compare`` takes apart: the autoencoder's settings, the classifier's
#: epochs and the number of training pairs. The arithmetic experiment uses
#: the same autoencoder.
HEADLINE = {
    "mnist": {"autoencoder": AUTOENCODER, "max_epochs": 10, "n_pairs": 300_000},
    "digits": {
        "autoencoder": {
            **AUTOENCODER,
            "n_components": 32,
            "image_shape": (8, 8),
            "batch_size": 64,
            "max_epochs": 30,
        },
        "max_epochs": 15,
        "n_pairs": 60_000,
    },
}

#: ``--quick``: fewer training pairs and classifier epochs, the same
#: autoencoder. A quick run must tell the full run's story, only less
#: precisely: on the digits, an autoencoder cut from 30 epochs to 8 made codes
#: that ranked last against PCA and raw pixels, the reverse of the full run.
QUICK = {
    "mnist": {"max_epochs": 3, "n_pairs": 50_000},
    "digits": {"max_epochs": 8, "n_pairs": 20_000},
}


def headline_autoencoder(data, *, random_state=0, verbose=0, device="auto"):
    """The headline Pipeline's autoencoder for the data set named ``data``;
    ``--quick`` trains it as a full run does."""
    return AutoencoderTransformer(
        **HEADLINE[data]["autoencoder"],
        device=device,
        random_state=random_state,
        verbose=min(verbose, 2),
    )


def headline_classifier(*, max_epochs, random_state=0, verbose=0, device="auto"):
    """The headline Pipeline's arithmetic classifier (:data:`CLASSIFIER`)."""
    return ArithmeticMultiOutputClassifier(
        **CLASSIFIER,
        max_epochs=max_epochs,
        device=device,
        random_state=random_state,
        verbose=min(verbose, 2),
    )


def headline_pairs_and_epochs(data, *, quick=False, n_pairs=None, max_epochs=None):
    """Training pairs and classifier epochs: those given, else the data set's."""
    settings = QUICK[data] if quick else HEADLINE[data]
    return (
        settings["n_pairs"] if n_pairs is None else n_pairs,
        settings["max_epochs"] if max_epochs is None else max_epochs,
    )


@dataclass
class Images:
    """Training and test images of one data set, and their shape.

    Parameters
    ----------
    name : {"mnist", "digits"}
        The data set.
    train_images, test_images : ndarray of shape (n_images, n_pixels)
        The images, one flattened image per row.
    train_labels, test_labels : ndarray of shape (n_images,)
        The digit of each image.
    image_shape : tuple of int
        The height and width of an image.
    """

    name: str
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    image_shape: tuple

    @property
    def description(self):
        """The data set and its numbers of images, for a table's caption."""
        return (
            f"{'MNIST' if self.name == 'mnist' else 'the bundled 8x8 digits'}: "
            f"{len(self.train_images):,} training and {len(self.test_images):,} "
            "test images"
        )


def split_digits(random_state=0):
    """The bundled 8x8 digits, a stratified quarter held out for testing.

    Parameters
    ----------
    random_state : int, default=0
        The split's random state.

    Returns
    -------
    images : Images
        Named ``"digits"``, of shape (8, 8).
    """
    digits = load_digit_images()
    train_images, test_images, train_labels, test_labels = train_test_split(
        digits.data,
        digits.target,
        test_size=0.25,
        stratify=digits.target,
        random_state=random_state,
    )
    return Images(
        "digits", train_images, train_labels, test_images, test_labels, (8, 8)
    )


def load_images(data="auto", data_home=None):
    """The training and test images of a data set.

    Parameters
    ----------
    data : {"auto", "mnist", "digits"}, default="auto"
        ``"auto"`` takes MNIST when it is in the data home or can be
        downloaded there, and otherwise says why on standard error, in one
        line, and takes the bundled 8x8 digits (split by
        :func:`split_digits`).
    data_home : str or path-like, default=None
        Where MNIST is looked up (and downloaded); by default scikit-learn's
        data home (``SCIKIT_LEARN_DATA``).

    Returns
    -------
    images : Images

    Raises
    ------
    OSError
        From :func:`~sklarith.datasets.fetch_mnist`, when ``data="mnist"``
        and MNIST is unavailable.
    """
    if data not in ("auto", "mnist", "digits"):
        raise ValueError(f"data must be 'auto', 'mnist' or 'digits', not {data!r}.")
    if data in ("auto", "mnist"):
        try:
            # torchvision reports each failed mirror on stdout; one line is ours.
            with contextlib.redirect_stdout(io.StringIO()):
                train = fetch_mnist(subset="train", data_home=data_home)
                test = fetch_mnist(subset="test", data_home=data_home)
        except OSError as exc:
            if data == "mnist":
                raise
            reason = str(exc).splitlines()[0].split(":")[0]
            print(
                f"{reason}; using scikit-learn's embedded 8x8 digits instead.",
                file=sys.stderr,
                flush=True,
            )
        else:
            return Images(
                "mnist", train.data, train.target, test.data, test.target, (28, 28)
            )
    return split_digits()


def accuracy_per_output(model, X, Y):
    """Share of rows right, output by output, and of rows right in every output.

    ``Y`` is a DataFrame whose columns name the outputs.

    Returns
    -------
    per_output : dict
        Output name to accuracy in [0, 1].
    all_right : float
    """
    right = np.asarray(model.predict(X)) == Y.to_numpy()
    per_output = {
        name: float(value)
        for name, value in zip(Y.columns, right.mean(axis=0), strict=True)
    }
    return per_output, float(right.all(axis=1).mean())


def log(verbose, message):
    """Print ``message`` when ``verbose`` asks for a line per step."""
    if verbose >= 1:
        print(message, flush=True)


def machine_description():
    """One line naming the CPU, the cores, the accelerator and the versions."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (
        f"{cpu}, {os.cpu_count()} cores, {gpu}; Python {sys.version.split()[0]}, "
        f"torch {torch.__version__}, skorch {skorch.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )


def today():
    """Today's date, ISO format."""
    return datetime.date.today().isoformat()


def peak_memory_mib():
    """Peak resident memory of this process so far, in MiB; None where the
    platform cannot tell (Windows has no ``resource`` module)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts it in KiB, macOS in bytes.
    return peak / (1024**2 if sys.platform == "darwin" else 1024)
