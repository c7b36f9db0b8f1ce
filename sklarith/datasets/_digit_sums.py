"""Rows of single digit images labelled with the sum of their digits."""

import numbers

import pandas as pd
from sklearn.utils._param_validation import Interval, validate_params

from ..structures import DigitSum
from ._arithmetic import check_images_and_labels, draw_rows


@validate_params(
    {
        "images": ["array-like"],
        "labels": ["array-like"],
        "n_terms": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "return_indices": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_digit_sums(
    images,
    labels,
    *,
    n_terms,
    n_samples=None,
    random_state=None,
    return_indices=False,
):
    """Rows of ``n_terms`` digit images, labelled with the sum of their digits.

    The task of CTSketch and ISED: each row holds ``n_terms`` single digit
    images side by side, and the only label is the value of
    ``a_1 + a_2 + ... + a_k``, from 0 to ``9 * n_terms``. As in
    :func:`make_number_addition`, each image is used once by default.

    Parameters
    ----------
    images : array-like of shape (n_images, n_pixels) or (n_images, H, W)
        The digit images (or any per-image features).
    labels : array-like of shape (n_images,)
        The digit of each image, used only to compute the sums.
    n_terms : int
        Digits summed in each row.
    n_samples : int or None, default=None
        ``None`` shuffles the images and uses each once, giving
        ``n_images // n_terms`` rows; an integer draws that many rows of
        images with replacement.
    random_state : int, RandomState instance or None, default=None
        Controls the shuffle or the draw.
    return_indices : bool, default=False
        Also return the indices of the images of each row.

    Returns
    -------
    X : ndarray of shape (n_samples, n_terms * n_pixels)
        The images of a row side by side, in the dtype of ``images``.
    Y : DataFrame of shape (n_samples, 1)
        One column, ``sum_of_<n_terms>_digits``: the sum of the row's digits.
        ``DigitSum(n_terms)`` (:class:`~sklarith.structures.DigitSum`) is the
        structure of these rows for
        :class:`~sklarith.DigitArithmeticClassifier`.
    indices : ndarray of shape (n_samples, n_terms)
        Only when ``return_indices`` is true.

    See Also
    --------
    make_number_addition : The sum of two numbers of several digits.
    sklarith.DigitArithmeticClassifier : Learns these sums with
        ``structure=DigitSum(n_terms)``.

    Examples
    --------
    >>> from sklarith.datasets import load_digit_images, make_digit_sums
    >>> digits = load_digit_images()
    >>> X, Y = make_digit_sums(digits.data, digits.target, n_terms=4, random_state=0)
    >>> X.shape, list(Y.columns)
    ((449, 256), ['sum_of_4_digits'])
    >>> int(Y.iloc[:, 0].max()) <= 36
    True
    """
    images, labels = check_images_and_labels(images, labels)
    indices = draw_rows(
        len(images), n_terms, n_samples, random_state, f"A sum of {n_terms} digits"
    )
    X = images[indices].reshape(len(indices), -1)
    structure = DigitSum(n_terms)
    Y = pd.DataFrame(structure.results(labels[indices]), columns=structure.targets)
    return (X, Y, indices) if return_indices else (X, Y)
