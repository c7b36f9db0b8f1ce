"""MNIST and the embedded 8x8 digits, in scikit-learn's loader conventions."""

import os
from pathlib import Path

import numpy as np
from sklearn.datasets import get_data_home, load_digits
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

_MNIST_DESCR = """MNIST handwritten digits
========================

70,000 grey-scale images of handwritten digits 0-9, 28x28 pixels: 60,000 for
training and 10,000 for testing (LeCun, Cortes and Burges). ``data`` holds the
pixels scaled to [0, 1], one flattened image per row; ``images`` the same
pixels as (n, 28, 28); ``target`` the digit of each image.
"""


def mnist_raw_folder(data_home=None):
    """The folder that holds (or will hold) the four MNIST IDX files."""
    return Path(get_data_home(data_home)) / "MNIST" / "raw"


@validate_params(
    {
        "subset": [StrOptions({"train", "test"})],
        "data_home": [str, os.PathLike, None],
        "download_if_missing": ["boolean"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def fetch_mnist(
    *, subset="train", data_home=None, download_if_missing=True, return_X_y=False
):
    """Load the MNIST training or test images, downloading them if needed.

    The files are kept in torchvision's layout under scikit-learn's data home:
    ``<data_home>/MNIST/raw/train-images-idx3-ubyte`` and so on, where
    ``data_home`` defaults to :func:`sklearn.datasets.get_data_home` (set the
    ``SCIKIT_LEARN_DATA`` environment variable to move it). Reading, download
    and checksums are torchvision's :class:`torchvision.datasets.MNIST`.

    Parameters
    ----------
    subset : {"train", "test"}, default="train"
        The 60,000 training images or the 10,000 test images.
    data_home : str or path-like, default=None
        Where to look for (and store) the files; see above.
    download_if_missing : bool, default=True
        Download the files when they are not in ``data_home``. When false, or
        when the download fails, an ``OSError`` names the folder to put the
        four IDX files in.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` float32 of shape (n, 784) in [0, 1], ``target`` int64 of
        shape (n,), ``images`` float32 of shape (n, 28, 28),
        ``image_shape=(28, 28)``, ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is true.

    See Also
    --------
    load_digit_images : The embedded 8x8 digits, always available offline.
    make_arithmetic_pairs : Pairs of images labelled with arithmetic results.

    Examples
    --------
    >>> from sklarith.datasets import fetch_mnist
    >>> mnist = fetch_mnist(subset="test")  # doctest: +SKIP
    >>> mnist.data.shape, mnist.target[:5]  # doctest: +SKIP
    ((10000, 784), array([7, 2, 1, 0, 4]))
    """
    from torchvision.datasets import MNIST

    root = Path(get_data_home(data_home))
    folder = mnist_raw_folder(data_home)
    files = ", ".join(_MNIST_FILES["train"] + _MNIST_FILES["test"])
    missing = not all((folder / name).exists() for name in _MNIST_FILES[subset])
    if missing and not download_if_missing:
        raise OSError(
            f"MNIST files not found in {folder} and download_if_missing=False. "
            f"Put the four IDX files ({files}) there, or set SCIKIT_LEARN_DATA to "
            "the folder that holds MNIST/raw/."
        )
    try:
        dataset = MNIST(root, train=subset == "train", download=missing)
    except (OSError, RuntimeError) as exc:
        raise OSError(
            f"Could not download MNIST into {folder}: {exc}. Offline, put the "
            f"four IDX files ({files}) in that folder, or set SCIKIT_LEARN_DATA "
            "to the folder that holds MNIST/raw/."
        ) from exc

    images = dataset.data.numpy().astype(np.float32) / np.float32(255)
    target = dataset.targets.numpy().astype(np.int64)
    data = images.reshape(len(images), -1)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=images,
        image_shape=(28, 28),
        target_names=np.arange(10),
        DESCR=_MNIST_DESCR,
    )


@validate_params({"return_X_y": ["boolean"]}, prefer_skip_nested_validation=True)
def load_digit_images(*, return_X_y=False):
    """Load scikit-learn's bundled 8x8 digits in the form of :func:`fetch_mnist`.

    The 1,797 images of :func:`sklearn.datasets.load_digits`, with pixels
    scaled from 0-16 to [0, 1]. They ship with scikit-learn, so this loader
    works offline and fast, which makes it the default of the demo and tests.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` float32 of shape (1797, 64) in [0, 1], ``target`` int64,
        ``images`` float32 of shape (1797, 8, 8), ``image_shape=(8, 8)``,
        ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is true.

    See Also
    --------
    fetch_mnist : The 28x28 MNIST images.

    Examples
    --------
    >>> from sklarith.datasets import load_digit_images
    >>> digits = load_digit_images()
    >>> digits.data.shape, digits.image_shape
    ((1797, 64), (8, 8))
    >>> float(digits.data.min()), float(digits.data.max())
    (0.0, 1.0)
    """
    digits = load_digits()
    data = digits.data.astype(np.float32) / np.float32(16)
    target = digits.target.astype(np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=data.reshape(-1, 8, 8),
        image_shape=(8, 8),
        target_names=np.arange(10),
        DESCR=digits.DESCR,
    )
