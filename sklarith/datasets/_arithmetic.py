"""Arithmetic tasks built from labelled images, labelled with results only."""

import numbers

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_array, column_or_1d

#: Every result :func:`make_arithmetic_pairs` can label a pair with.
PAIR_TARGETS = {
    "sum": lambda a, b: a + b,
    "sum_units": lambda a, b: (a + b) % 10,
    "sum_tens": lambda a, b: (a + b) // 10,
    "product": lambda a, b: a * b,
    "product_units": lambda a, b: (a * b) % 10,
    "product_tens": lambda a, b: (a * b) // 10,
    "greater": lambda a, b: (a > b).astype(np.int64),
}

#: The five outputs of the seed experiment, the default targets.
SEED_TARGETS = ("sum_units", "sum_tens", "product_units", "product_tens", "greater")


def check_images_and_labels(images, labels, *, max_label=9):
    """Validate images (n, ...) and their integer digit labels (n,).

    Returns the images flattened to (n, n_pixels) and the labels as int64.
    """
    images = np.asarray(images)
    if images.ndim > 2:
        images = images.reshape(len(images), -1)
    images = check_array(images, dtype=None, ensure_min_samples=1)
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
    targets=SEED_TARGETS,
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
    targets : str or sequence of str, default=SEED_TARGETS
        Results to label each pair ``(a, b)`` with, among ``"sum"``,
        ``"sum_units"``, ``"sum_tens"``, ``"product"``, ``"product_units"``,
        ``"product_tens"`` and ``"greater"`` (1 when a > b). The default is
        the seed experiment's five outputs. A single string gives a 1-D
        ``y``.
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
