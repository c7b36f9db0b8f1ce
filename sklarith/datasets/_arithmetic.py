"""Arithmetic tasks built from labelled images, labelled with results only."""

import numbers

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_array, column_or_1d

from ..structures import ARITHMETIC_TARGETS, PAIR_TARGETS, NumberSum


def draw_rows(n_images, images_per_row, n_samples, random_state, task):
    """Indices of the images of each row, shape (n_rows, images_per_row).

    With ``n_samples=None`` each image is used once, in a random order, for
    ``n_images // images_per_row`` rows; otherwise ``n_samples`` rows are
    drawn with replacement. ``task`` names the rows in the error raised when
    there are too few images to use each once.
    """
    rng = check_random_state(random_state)
    if n_samples is not None:
        return rng.randint(n_images, size=(n_samples, images_per_row))
    if n_images < images_per_row:
        raise ValueError(
            f"{task} needs at least {images_per_row} images to use each once; got "
            f"{n_images}. Pass n_samples to draw images with replacement."
        )
    n_rows = n_images // images_per_row
    order = rng.permutation(n_images)[: n_rows * images_per_row]
    return order.reshape(n_rows, images_per_row)


def check_images_and_labels(images, labels, *, max_label=9):
    """Validate images (n, ...) and their integer digit labels (n,).

    Returns the images flattened to (n, n_pixels), numeric in their own dtype
    (an object array of numbers becomes float64, as scikit-learn's estimators
    read it), and the labels as int64. Strings and other objects are refused
    with scikit-learn's message, naming ``images``.
    """
    images = np.asarray(images)
    if images.ndim > 2:
        images = images.reshape(len(images), -1)
    try:
        images = check_array(
            images, dtype="numeric", ensure_min_samples=1, input_name="images"
        )
    except ValueError as exc:
        if images.dtype.kind not in "OSUV":
            raise
        # scikit-learn's message names no argument; say which one holds text.
        raise ValueError(
            f"images must hold numbers (pixels or codes), got dtype "
            f"{images.dtype}: {exc}"
        ) from exc
    labels = column_or_1d(labels, warn=True)
    if len(labels) != len(images):
        raise ValueError(
            f"images and labels have different lengths: {len(images)} images "
            f"but {len(labels)} labels."
        )
    if not np.issubdtype(labels.dtype, np.number) or np.any(labels % 1 != 0):
        raise ValueError("labels must be whole numbers (the digit of each image).")
    labels = labels.astype(np.int64)
    if labels.min() < 0 or labels.max() > max_label:
        raise ValueError(
            f"labels must be digits between 0 and {max_label}; got values from "
            f"{labels.min()} to {labels.max()}."
        )
    return images, labels


@validate_params(
    {
        "images": ["array-like"],
        "labels": ["array-like"],
        "n_pairs": [Interval(numbers.Integral, 1, None, closed="left")],
        "targets": [str, list, tuple],
        "random_state": ["random_state"],
        "return_indices": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_arithmetic_pairs(
    images,
    labels,
    *,
    n_pairs,
    targets=ARITHMETIC_TARGETS,
    random_state=None,
    return_indices=False,
):
    """Draw random pairs of images and label each pair with arithmetic results.

    Both images of a pair are drawn uniformly, with replacement, from the
    images given, so pairs built from test images only ever show test images.
    The digits themselves appear in neither ``X`` nor ``Y``: a model trained on
    them learns arithmetic from results alone.

    Parameters
    ----------
    images : array-like of shape (n_images, n_pixels) or (n_images, H, W)
        The images (or any per-image features, such as codes).
    labels : array-like of shape (n_images,)
        The digit 0-9 of each image, used only to compute the results.
    n_pairs : int
        Number of pairs to draw.
    targets : str or sequence of str, default=ARITHMETIC_TARGETS
        Results to label each pair ``(a, b)`` with, among those of
        :data:`~sklarith.structures.PAIR_TARGETS`: ``"sum"``,
        ``"sum_units"``, ``"sum_tens"``, ``"product"``, ``"product_units"``,
        ``"product_tens"`` and ``"greater"`` (1 when a > b). The default is
        the arithmetic experiment's five results,
        :data:`~sklarith.structures.ARITHMETIC_TARGETS`. A single string
        gives a 1-D ``y``. ``PairResults(targets)``
        (:class:`~sklarith.structures.PairResults`) is the structure of these
        rows for :class:`~sklarith.DigitArithmeticClassifier`.
    random_state : int, RandomState instance or None, default=None
        Controls the draw of the pairs.
    return_indices : bool, default=False
        Also return the indices of the two images of each pair, for showing
        worked examples.

    Returns
    -------
    X : ndarray of shape (n_pairs, 2 * n_pixels)
        The first image's pixels, then the second's, in the dtype of
        ``images``.
    Y : DataFrame of shape (n_pairs, n_targets) or Series of shape (n_pairs,)
        One column per target, integer-valued.
    indices : ndarray of shape (n_pairs, 2)
        Only when ``return_indices`` is true.

    See Also
    --------
    sklarith.ArithmeticMultiOutputClassifier : Learns these targets.
    sklarith.DigitArithmeticClassifier : Learns them by reading each digit,
        with ``structure=PairResults(targets)``.

    Examples
    --------
    >>> from sklarith.datasets import load_digit_images, make_arithmetic_pairs
    >>> digits = load_digit_images()
    >>> X, Y = make_arithmetic_pairs(
    ...     digits.data, digits.target, n_pairs=1000, random_state=0
    ... )
    >>> X.shape
    (1000, 128)
    >>> list(Y.columns)
    ['sum_units', 'sum_tens', 'product_units', 'product_tens', 'greater']
    >>> X, y = make_arithmetic_pairs(
    ...     digits.data, digits.target, n_pairs=5, targets="sum", random_state=0
    ... )
    >>> y.name, y.shape
    ('sum', (5,))
    """
    single = isinstance(targets, str)
    names = [targets] if single else list(targets)
    unknown = sorted(set(names) - set(PAIR_TARGETS))
    if unknown or not names:
        raise ValueError(
            f"Unknown targets {unknown}; choose among {sorted(PAIR_TARGETS)}."
        )
    images, labels = check_images_and_labels(images, labels)
    rng = check_random_state(random_state)
    indices = rng.randint(len(images), size=(n_pairs, 2))
    n_pixels = images.shape[1]
    X = np.empty((n_pairs, 2 * n_pixels), dtype=images.dtype)
    X[:, :n_pixels] = images[indices[:, 0]]
    X[:, n_pixels:] = images[indices[:, 1]]
    a, b = labels[indices[:, 0]], labels[indices[:, 1]]
    Y = pd.DataFrame({name: PAIR_TARGETS[name](a, b) for name in names})
    if single:
        Y = Y[names[0]]
    return (X, Y, indices) if return_indices else (X, Y)


@validate_params(
    {
        "images": ["array-like"],
        "labels": ["array-like"],
        "n_digits": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "return_indices": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_number_addition(
    images,
    labels,
    *,
    n_digits=1,
    n_samples=None,
    random_state=None,
    return_indices=False,
):
    """Rows of two numbers written with digit images, labelled with their sum.

    This is the "MNIST addition" task of neuro-symbolic learning: each row
    holds the ``n_digits`` digit images of a first number (most significant
    first), then those of a second; the target is the sum, as its
    ``n_digits + 1`` digits, most significant first. By default each image
    is used once, as in the published protocol (DeepProbLog, NeurASP,
    DeepStochLog, A-NeSI): 60,000 training images give 30,000 rows of single
    digits, 15,000 rows of two-digit numbers.

    Parameters
    ----------
    images : array-like of shape (n_images, n_pixels) or (n_images, H, W)
        The digit images (or any per-image features).
    labels : array-like of shape (n_images,)
        The digit of each image, used only to compute the sums.
    n_digits : int, default=1
        Digits of each number.
    n_samples : int or None, default=None
        ``None`` shuffles the images and uses each once, giving
        ``n_images // (2 * n_digits)`` rows; an integer draws that many rows
        of images with replacement.
    random_state : int, RandomState instance or None, default=None
        Controls the shuffle or the draw.
    return_indices : bool, default=False
        Also return the indices of the images of each row.

    Returns
    -------
    X : ndarray of shape (n_samples, 2 * n_digits * n_pixels)
    Y : DataFrame of shape (n_samples, n_digits + 1)
        Columns ``sum_digit_<n_digits>, ..., sum_digit_0``: the digit of the
        sum at each power of ten. ``NumberSum(n_digits)``
        (:class:`~sklarith.structures.NumberSum`) is the structure of these
        rows for :class:`~sklarith.DigitArithmeticClassifier`.
    indices : ndarray of shape (n_samples, 2 * n_digits)
        Only when ``return_indices`` is true.

    See Also
    --------
    make_arithmetic_pairs : Pairs of single digits with several results.

    Examples
    --------
    >>> from sklarith.datasets import load_digit_images, make_number_addition
    >>> digits = load_digit_images()
    >>> X, Y = make_number_addition(
    ...     digits.data, digits.target, n_digits=2, random_state=0
    ... )
    >>> X.shape, list(Y.columns)
    ((449, 256), ['sum_digit_2', 'sum_digit_1', 'sum_digit_0'])
    """
    images, labels = check_images_and_labels(images, labels)
    indices = draw_rows(
        len(images), 2 * n_digits, n_samples, random_state, f"{n_digits}-digit addition"
    )
    n_samples = len(indices)
    X = images[indices].reshape(n_samples, -1)
    structure = NumberSum(n_digits)
    sum_digits = structure.results(labels[indices])
    Y = pd.DataFrame(sum_digits, columns=structure.targets)
    return (X, Y, indices) if return_indices else (X, Y)
