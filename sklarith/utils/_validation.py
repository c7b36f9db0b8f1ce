"""Input and parameter validation that scikit-learn does not provide."""

import numbers

import numpy as np
from sklearn.utils._param_validation import InvalidParameterError


def check_layer_sizes(estimator, name, min_length=0):
    """Check that the parameter ``name`` of ``estimator`` is a tuple or list
    of positive integers, at least ``min_length`` of them.

    scikit-learn's constraints check a parameter's type, not the items of a
    sequence; this completes ``[tuple, list]`` in ``_parameter_constraints``
    with scikit-learn's error and wording.
    """
    sizes = getattr(estimator, name)
    if len(sizes) >= min_length and all(
        isinstance(size, numbers.Integral) and not isinstance(size, bool) and size >= 1
        for size in sizes
    ):
        return
    kind = "a non-empty tuple" if min_length else "a tuple"
    raise InvalidParameterError(
        f"The {name!r} parameter of {type(estimator).__name__} must be {kind} of "
        f"positive integers, such as (100,). Got {sizes!r} instead."
    )


def check_image_shape(image_shape):
    """Validate ``image_shape`` and return it as a tuple ``(height, width)``."""
    shape = tuple(image_shape)
    if len(shape) != 2 or not all(
        isinstance(side, numbers.Integral) and side >= 1 for side in shape
    ):
        raise ValueError(
            "image_shape must be a pair of positive integers (height, width), "
            f"for example (28, 28); got {image_shape!r}."
        )
    return int(shape[0]), int(shape[1])


def count_images_per_row(n_features, image_shape, estimator_name, expected=None):
    """Return how many images of ``image_shape`` each row of width
    ``n_features`` holds, or raise a ``ValueError`` that says how to fix it.

    ``expected`` is the row width seen at fit; it only shapes the message.
    """
    height, width = image_shape
    n_pixels = height * width
    if n_features == 0 or n_features % n_pixels:
        expected = n_pixels if expected is None else expected
        raise ValueError(
            f"X has {n_features} features, but {estimator_name} is expecting "
            f"{expected} features as input: each row must hold a whole number of "
            f"{height}x{width} images ({n_pixels} pixels each). Pass the "
            "image_shape of your images, e.g. image_shape=(8, 8) for "
            "load_digit_images()."
        )
    return n_features // n_pixels


def check_enough_samples(n_samples, estimator, what="samples"):
    """Raise a ``ValueError`` when early stopping leaves nothing to train on."""
    minimum = 2 if estimator.early_stopping else 1
    if n_samples < minimum:
        raise ValueError(
            f"{type(estimator).__name__} needs at least {minimum} {what} with "
            f"early_stopping={estimator.early_stopping}; got n_samples = "
            f"{n_samples}. Pass more {what} or early_stopping=False."
        )


def column_names(y):
    """Names of the columns of ``y`` (a DataFrame or a named Series), or None."""
    if hasattr(y, "columns"):
        return [str(name) for name in y.columns]
    name = getattr(y, "name", None)
    return None if name is None else [str(name)]


def rows_where(mask, values, limit=10):
    """``rows [3, 17] (values [10.0, 0.5])``, for error messages."""
    rows = np.flatnonzero(mask)
    shown = ", ".join(str(int(row)) for row in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"rows [{shown}]{more} (values {values[rows[:limit]].tolist()})"
