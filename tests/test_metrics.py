"""Metrics (``sklarith/metrics.py``): reconstruction errors of the encoders,
and the rounded accuracy of a regressor of sums."""

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor

from sklarith._encoders import ImageEncoder
from sklarith.datasets import make_addition
from sklarith.metrics import (
    reconstruction_bce,
    reconstruction_mse,
    rounded_accuracy,
    rounded_accuracy_scorer,
)
from sklarith.utils._testing import ESTIMATOR_CASES

ENCODERS = [c for c in ESTIMATOR_CASES if isinstance(c.estimator, ImageEncoder)]


@pytest.fixture(scope="module", params=ENCODERS, ids=[c.name for c in ENCODERS])
def fitted_on_grey_levels(request):
    """An encoder fitted on 8x8 images of pixels 0-16, and those images."""
    X, _ = request.param.data()
    X = X * 16
    return request.param.make_estimator().fit(X), X


def _scaled(encoder, pixels):
    return (pixels - encoder.data_min_) / encoder.data_range_


def test_reconstruction_bce_is_the_mean_cross_entropy_of_scaled_pixels(
    fitted_on_grey_levels,
):
    encoder, X = fitted_on_grey_levels
    target = _scaled(encoder, X)
    reconstructed = _scaled(encoder, encoder.inverse_transform(encoder.transform(X)))
    p = np.clip(reconstructed, 1e-7, 1 - 1e-7)
    expected = -np.mean(target * np.log(p) + (1 - target) * np.log(1 - p))
    assert reconstruction_bce(encoder, X) == pytest.approx(expected, rel=1e-4)


def test_reconstruction_bce_is_the_negative_score(fitted_on_grey_levels):
    encoder, X = fitted_on_grey_levels
    assert reconstruction_bce(encoder, X) == -encoder.score(X)


def test_reconstruction_mse_is_the_mean_squared_error_of_scaled_pixels(
    fitted_on_grey_levels,
):
    encoder, X = fitted_on_grey_levels
    reconstructed = encoder.inverse_transform(encoder.transform(X))
    expected = np.mean((_scaled(encoder, X) - _scaled(encoder, reconstructed)) ** 2)
    assert reconstruction_mse(encoder, X) == pytest.approx(expected, rel=1e-5)


def test_reconstruction_errors_of_pairs_are_those_of_their_images(
    fitted_on_grey_levels,
):
    encoder, X = fitted_on_grey_levels
    pairs = np.hstack([X[:80], X[80:]])
    for metric in (reconstruction_bce, reconstruction_mse):
        assert metric(encoder, pairs) == pytest.approx(metric(encoder, X), rel=1e-5)


def test_rounded_accuracy_counts_predictions_that_round_to_the_truth():
    assert rounded_accuracy([4, 4], [4.4, 4.6]) == 0.5
    assert rounded_accuracy([4, 4], [4.4, 4.6], sample_weight=[3, 1]) == 0.75


@pytest.mark.parametrize(
    ("y_true", "y_pred", "message"),
    [
        ([4.5], [4.5], "y_true must hold finite whole numbers"),
        ([np.nan], [4.0], "y_true must hold finite whole numbers"),
        ([4], [np.inf], "y_pred contains NaN or infinity"),
        ([4, 5], [4.0], "inconsistent numbers of samples"),
    ],
)
def test_rounded_accuracy_refuses_what_it_cannot_compare(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        rounded_accuracy(y_true, y_pred)


def test_rounded_accuracy_scorer_scores_like_the_metric():
    X, y = make_addition(200, max_sum=16, random_state=2)
    median = DummyRegressor(strategy="median").fit(X, y)
    expected = rounded_accuracy(y, median.predict(X))
    assert 0 < expected < 1
    assert rounded_accuracy_scorer(median, X, y) == expected
