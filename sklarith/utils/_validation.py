"""Input and parameter validation that scikit-learn does not provide."""

import math
import numbers
import warnings

import numpy as np
from sklearn.utils._param_validation import InvalidParameterError

from ._warnings import stacklevel_outside_libraries


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
    """Raise a ``ValueError`` when early stopping leaves nothing to train on.

    With ``early_stopping``, ``ceil(validation_fraction * n_samples)`` rows
    are held out to validate on (the rounding of skorch's ``ValidSplit``,
    which is scikit-learn's ``ShuffleSplit``); at least one must be left to
    train on. ``what`` names the rows in the message.
    """
    minimum = 2 if estimator.early_stopping else 1
    if n_samples < minimum:
        raise ValueError(
            f"{type(estimator).__name__} needs at least {minimum} {what} with "
            f"early_stopping={estimator.early_stopping}; got n_samples = "
            f"{n_samples}. Pass more {what} or early_stopping=False."
        )
    fraction = getattr(estimator, "validation_fraction", None)
    if not estimator.early_stopping or fraction is None:
        return
    n_valid = math.ceil(fraction * n_samples)
    if n_valid >= n_samples:
        raise ValueError(
            f"validation_fraction={fraction} holds out {n_valid} of the "
            f"{n_samples} {what} (rounded up) to validate early stopping on, "
            f"which leaves {n_samples - n_valid} to train "
            f"{type(estimator).__name__} on. Pass a validation_fraction of at "
            f"most {n_samples - 1}/{n_samples} (one of the {what} left to train "
            f"on), more {what}, or early_stopping=False."
        )


def check_y_has_columns(y, estimator):
    """Raise a ``ValueError`` when ``y`` is 2-D with no columns.

    scikit-learn's own message on such a ``y`` speaks of features, or for a
    DataFrame of no columns, of an empty list of dtypes. Anything else is
    left to the estimator's validation, ``None`` included.
    """
    shape = getattr(y, "shape", None)
    if shape is None and isinstance(y, list | tuple):
        try:
            shape = np.shape(y)
        except ValueError:  # ragged rows: validation names them
            return
    if shape is None or len(shape) != 2 or shape[1] != 0:
        return
    raise ValueError(
        f"y has no columns (shape {tuple(shape)}): {type(estimator).__name__} "
        "learns one output per column of y, so it needs at least one. Pass the "
        "labels to learn, as y of shape (n_samples,) or (n_samples, n_outputs), "
        "such as the DataFrame of results that make_arithmetic_pairs returns."
    )


def check_pixel_range(low, high, fitted, estimator_name):
    """Warn, with a ``UserWarning``, when pixels lie far outside the range
    seen at fit.

    ``low`` and ``high`` are the smallest and the largest pixel given;
    ``fitted`` has the range seen at fit, ``data_min_``, ``data_max_`` and
    ``data_range_`` (its width, or 1 when every pixel was the same), which
    inference maps to [0, 1], clipping what lies beyond. "Far" is beyond that
    range by more than its width: pixels on another scale, such as 0-255
    images into a model fitted on [0, 1], while new images that only reach a
    little past the darkest or the brightest pixel of the training images
    pass. Pixels on a smaller scale than at fit (0-1 images into a model
    fitted on 0-255) lie inside the range, and are not told apart from dark
    images. The warning points at the user's line, outside sklarith and the
    libraries around it.
    """
    data_min, data_max = fitted.data_min_, fitted.data_max_
    width = fitted.data_range_
    # Written so that NaN, which validation refuses elsewhere, never warns.
    if not (low < data_min - width or high > data_max + width):
        return
    hint = ""
    if data_max <= 1.0 < high <= 255.0:
        hint = ": divide 0-255 pixels by 255 for a model fitted on [0, 1]"
    warnings.warn(
        f"X holds pixels from {low:g} to {high:g}, far outside the range "
        f"{estimator_name} saw at fit, {data_min:g} to {data_max:g}: that range "
        "is mapped to [0, 1] and pixels beyond it are clipped, so these images "
        "are not read as the training images were. Scale the images as at "
        f"fit{hint}.",
        UserWarning,
        stacklevel=stacklevel_outside_libraries(),
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


def encode_with_classes(Y, classes):
    """``(classes, codes)``: the columns of ``Y`` as indices into the given
    ``classes`` (an array for a single column, or one array per column),
    sorted, or a ValueError naming the labels outside them."""
    per_column = [classes] if not isinstance(classes, list | tuple) else classes
    per_column = [np.unique(np.asarray(c)) for c in per_column]
    if len(per_column) != Y.shape[1]:
        raise ValueError(
            f"classes gives the classes of {len(per_column)} output(s), but y has "
            f"{Y.shape[1]}; pass one array of classes per column of y."
        )
    codes = np.empty(Y.shape, dtype=np.int64)
    for i, (column, known) in enumerate(zip(Y.T, per_column, strict=True)):
        index = np.searchsorted(known, column).clip(0, len(known) - 1)
        unknown = known[index] != column
        if unknown.any():
            raise ValueError(
                f"y's column {i} holds labels outside its classes "
                f"{known.tolist()}, at {rows_where(unknown, column)}; pass "
                "every class of each output in the first partial_fit's classes."
            )
        codes[:, i] = index
    return per_column, codes
