import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError

from sklarith import AutoencoderTransformer
from sklarith._torch import InMemoryDataset, to_tensor
from sklarith.metrics import reconstruction_bce
from sklarith.utils._distinct import distinct_rows


def small_autoencoder(**params):
    defaults = {
        "n_components": 8,
        "image_shape": (8, 8),
        "max_epochs": 3,
        "batch_size": 64,
        "random_state": 0,
    }
    return AutoencoderTransformer(**{**defaults, **params})


@pytest.fixture(scope="module")
def fitted(digits):
    X_train, _, _, _ = digits
    return small_autoencoder(max_epochs=15).fit(X_train)


def test_transform_gives_n_components_codes_per_image(fitted, digits):
    _, X_test, _, _ = digits
    codes = fitted.transform(X_test)
    assert codes.shape == (len(X_test), 8)
    assert codes.dtype == np.float32


def test_codes_of_a_pair_are_the_codes_of_its_images_side_by_side(fitted, digits):
    _, X_test, _, _ = digits
    pairs = np.hstack([X_test[:10], X_test[10:20]])
    codes = fitted.transform(pairs)
    expected = np.hstack(
        [fitted.transform(X_test[:10]), fitted.transform(X_test[10:20])]
    )
    assert codes.shape == (10, 16)
    np.testing.assert_allclose(codes, expected, rtol=1e-5, atol=1e-6)


def test_inverse_transform_returns_pixels_in_the_shape_of_the_input(fitted, digits):
    _, X_test, _, _ = digits
    pairs = np.hstack([X_test[:5], X_test[5:10]])
    reconstructed = fitted.inverse_transform(fitted.transform(pairs))
    assert reconstructed.shape == pairs.shape
    assert reconstructed.min() >= 0.0
    assert reconstructed.max() <= 1.0


def test_training_reconstructs_better_than_the_mean_image(fitted, digits):
    X_train, X_test, _, _ = digits
    mean = np.clip(X_train.mean(axis=0), 1e-7, 1 - 1e-7)
    baseline = -np.mean(X_test * np.log(mean) + (1 - X_test) * np.log(1 - mean))
    assert reconstruction_bce(fitted, X_test) < 0.9 * baseline


def test_score_is_the_negative_reconstruction_bce(fitted, digits):
    _, X_test, _, _ = digits
    assert fitted.score(X_test) == pytest.approx(-reconstruction_bce(fitted, X_test))


def test_pixel_range_is_learnt_at_fit(digits):
    X_train, _, _, _ = digits
    unit = small_autoencoder().fit(X_train)
    grey_levels = small_autoencoder().fit(X_train * 255)
    assert grey_levels.data_max_ == pytest.approx(255)
    np.testing.assert_allclose(
        grey_levels.transform(X_train[:20] * 255),
        unit.transform(X_train[:20]),
        rtol=1e-4,
        atol=1e-4,
    )
    assert grey_levels.inverse_transform(grey_levels.transform(X_train[:3])).max() > 1


def test_y_is_ignored(digits):
    X_train, _, y_train, _ = digits
    with_y = small_autoencoder().fit(X_train, y_train).transform(X_train[:10])
    without_y = small_autoencoder().fit(X_train).transform(X_train[:10])
    np.testing.assert_array_equal(with_y, without_y)


def test_same_random_state_gives_identical_codes(digits):
    X_train, _, _, _ = digits
    first = small_autoencoder(random_state=7).fit(X_train).transform(X_train[:10])
    second = small_autoencoder(random_state=7).fit(X_train).transform(X_train[:10])
    other = small_autoencoder(random_state=8).fit(X_train).transform(X_train[:10])
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_fit_on_pairs_trains_on_each_distinct_image_once(digits):
    X_train, _, _, _ = digits
    images = X_train[:50]
    pairs = np.hstack([images[np.arange(200) % 50], images[np.arange(200) * 7 % 50]])
    encoder = small_autoencoder(early_stopping=False, max_epochs=1, batch_size=10)
    encoder.fit(pairs)
    assert encoder.history_[-1, "train_batch_count"] == 5


def test_28x28_images_and_odd_sizes_round_trip(rng):
    for shape in [(28, 28), (7, 9)]:
        X = rng.rand(40, 2 * shape[0] * shape[1]).astype(np.float32)
        encoder = small_autoencoder(image_shape=shape, max_epochs=1).fit(X)
        assert encoder.transform(X).shape == (40, 16)
        assert encoder.inverse_transform(encoder.transform(X)).shape == X.shape


def test_feature_names_name_image_and_code(fitted):
    names = fitted.get_feature_names_out()
    assert list(names[:2]) == ["image0_code0", "image0_code1"]
    assert len(names) == 8


def test_pandas_output_uses_the_feature_names(digits):
    X_train, _, _, _ = digits
    frame = pd.DataFrame(np.hstack([X_train[:100], X_train[100:200]]))
    encoder = small_autoencoder(max_epochs=1).set_output(transform="pandas")
    codes = encoder.fit_transform(frame)
    assert list(codes.columns[[0, 8]]) == ["image0_code0", "image1_code0"]


def test_history_without_early_stopping_has_max_epochs_and_no_validation(digits):
    X_train, _, _, _ = digits
    encoder = small_autoencoder(early_stopping=False, max_epochs=2).fit(X_train)
    assert len(encoder.history_) == 2
    assert "valid_loss" not in encoder.history_[-1]


def test_early_stopping_restores_the_weights_of_the_best_epoch(digits):
    X_train, _, _, _ = digits
    encoder = small_autoencoder(max_epochs=8, n_iter_no_change=2, lr=0.03)
    encoder.fit(X_train)
    first, _ = distinct_rows(X_train)
    scaled = to_tensor(encoder._scale_pixels(X_train[first]))
    _, valid = encoder.net_.train_split(InMemoryDataset(scaled, scaled))
    images = scaled[valid.indices]
    with torch.no_grad():
        logits = encoder.net_.module_(images)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, images)
    best = min(encoder.history_[:, "valid_loss"])
    assert float(loss) == pytest.approx(best, rel=1e-4)


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (np.full((10, 64), np.nan), ValueError, "NaN"),
        (np.full((10, 64), np.inf), ValueError, "infinity"),
        (np.zeros((10, 65)), ValueError, "whole number of 8x8 images"),
        (np.zeros((0, 64)), ValueError, "0 sample"),
        (np.zeros(64), ValueError, "2D array"),
        (np.array([["a"] * 64] * 4), ValueError, "could not convert"),
    ],
)
def test_fit_rejects_bad_input(X, error, message):
    with pytest.raises(error, match=message):
        small_autoencoder().fit(X)


def test_transform_rejects_images_of_another_size(fitted):
    with pytest.raises(ValueError, match="whole number of 8x8 images"):
        fitted.transform(np.zeros((3, 784)))


def test_transform_rejects_nan(fitted):
    X = np.zeros((3, 64))
    X[1, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fitted.transform(X)


def test_inverse_transform_rejects_codes_of_the_wrong_width(fitted):
    with pytest.raises(ValueError, match="multiple of n_components=8"):
        fitted.inverse_transform(np.zeros((3, 9)))


def test_transform_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        small_autoencoder().transform(np.zeros((3, 64)))


def test_a_single_distinct_image_is_too_few_to_fit_with_early_stopping(rng):
    with pytest.raises(ValueError, match="at least 2 distinct images"):
        small_autoencoder().fit(np.tile(rng.rand(1, 64), (5, 1)))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"image_shape": (8,)}, "pair of positive integers"),
        ({"n_components": 0}, "n_components"),
        ({"device": "tpu"}, "device must be"),
        ({"channels": ()}, "channels"),
    ],
)
def test_invalid_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        small_autoencoder(**params).fit(np.random.RandomState(0).rand(10, 64))


def test_cuda_request_without_cuda_is_an_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        small_autoencoder(device="cuda").fit(np.zeros((10, 64)))
