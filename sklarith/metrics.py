"""Metrics for sklarith's tasks: reconstruction errors and rounded accuracy."""

import numpy as np
from sklearn.metrics import make_scorer
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_consistent_length,
    column_or_1d,
)

from .modules._layers import scale_pixels


def reconstruction_bce(encoder, X):
    """Mean per-pixel binary cross-entropy of an encoder's reconstruction of X.

    Pixels are first mapped to [0, 1] with the range the encoder saw at fit;
    reconstructions are clipped to [1e-7, 1 - 1e-7] as Keras does, so figures
    compare with the arithmetic post's. The same as ``-encoder.score(X)``.

    Parameters
    ----------
    encoder : fitted AutoencoderTransformer or PCAEncoder
    X : array-like of shape (n_samples, k * height * width)

    Returns
    -------
    bce : float
    """
    return -encoder.score(X)


def reconstruction_mse(encoder, X):
    """Mean squared error per pixel, on pixels scaled to [0, 1].

    Pixels and reconstructions are mapped to [0, 1] with the range the
    encoder saw at fit, ``(X - data_min_) / data_range_``, and clipped there.

    Parameters
    ----------
    encoder : fitted AutoencoderTransformer or PCAEncoder
    X : array-like of shape (n_samples, k * height * width)

    Returns
    -------
    mse : float
    """
    X = check_array(X, dtype=np.float32, input_name="X")
    reconstructed = encoder.inverse_transform(encoder.transform(X))

    def scaled(pixels):
        return scale_pixels(pixels, encoder.data_min_, encoder.data_range_)

    return float(np.mean((scaled(X) - scaled(reconstructed)) ** 2))


def rounded_accuracy(y_true, y_pred, *, sample_weight=None):
    """Share of predictions that round to the true whole number.

    The adder post's accuracy for a regressor of sums: a predicted sum
    of 4.4 for 2 + 2 counts as right, 4.6 as wrong. Predictions are rounded
    to the nearest integer (halves to the even one).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True values, whole numbers such as sums of integers.
    y_pred : array-like of shape (n_samples,)
        Predicted values, any real numbers.
    sample_weight : array-like of shape (n_samples,), default=None
        Weight of each sample.

    Returns
    -------
    accuracy : float
        Between 0 and 1.

    See Also
    --------
    rounded_accuracy_scorer : This metric as a scorer for model selection.
    sklarith.MLPAdderRegressor : A regressor of sums.

    Examples
    --------
    >>> from sklarith.metrics import rounded_accuracy
    >>> rounded_accuracy([4, 4, 7, 7], [4.4, 4.6, 6.9, 7.49])
    0.75
    """
    y_true = column_or_1d(y_true, dtype=np.float64)
    y_pred = column_or_1d(y_pred, dtype=np.float64)
    check_consistent_length(y_true, y_pred, sample_weight)
    if not np.all(np.isfinite(y_pred)):
        raise ValueError("y_pred contains NaN or infinity; predict finite values.")
    if not np.all(np.isfinite(y_true)) or np.any(y_true % 1 != 0):
        raise ValueError(
            "rounded_accuracy compares rounded predictions with whole numbers; "
            "y_true must hold finite whole numbers only."
        )
    sample_weight = _check_sample_weight(sample_weight, y_true)
    return float(np.average(np.rint(y_pred) == y_true, weights=sample_weight))


#: :func:`rounded_accuracy` as a scorer, for ``scoring=`` in model selection
#: (``GridSearchCV``, ``cross_val_score``).
rounded_accuracy_scorer = make_scorer(rounded_accuracy)
