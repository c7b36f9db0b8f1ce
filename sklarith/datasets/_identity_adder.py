"""The identity adder task: an image and an integer in, the digit and the sum out."""

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import validate_params

from ._arithmetic import check_images_and_labels


@validate_params(
    {
        "images": ["array-like"],
        "labels": ["array-like"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_identity_adder(images, labels, *, random_state=None):
    """Pair each image with a random integer 0-9 and label it with digit and sum.

    The identity adder post's data: every image appears once, in order, followed
    by an integer drawn uniformly from 0 to 9; the targets are the digit in
    the image and the digit plus the integer.

    Parameters
    ----------
    images : array-like of shape (n_images, n_pixels) or (n_images, H, W)
        The images.
    labels : array-like of shape (n_images,)
        The digit 0-9 of each image.
    random_state : int, RandomState instance or None, default=None
        Controls the draw of the integers.

    Returns
    -------
    X : ndarray of shape (n_images, n_pixels + 1)
        The pixels of each image, then its integer, in the dtype of
        ``images``.
    y : DataFrame of shape (n_images, 2)
        Columns ``digit`` (0-9) and ``sum`` (0-18).

    See Also
    --------
    sklarith.IdentityAdderClassifier : Learns these targets.
    make_arithmetic_pairs : Pairs of images labelled with results only.

    Examples
    --------
    >>> from sklarith.datasets import load_digit_images, make_identity_adder
    >>> digits = load_digit_images()
    >>> X, y = make_identity_adder(digits.data, digits.target, random_state=0)
    >>> X.shape
    (1797, 65)
    >>> bool((y["sum"] == y["digit"] + X[:, -1]).all())
    True
    """
    images, labels = check_images_and_labels(images, labels)
    integers = check_random_state(random_state).randint(10, size=len(images))
    X = np.empty((len(images), images.shape[1] + 1), dtype=images.dtype)
    X[:, :-1] = images
    X[:, -1] = integers
    y = pd.DataFrame({"digit": labels, "sum": labels + integers})
    return X, y
