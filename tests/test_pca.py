import pickle
import tracemalloc

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer, PCAEncoder
from sklarith.metrics import reconstruction_bce, reconstruction_mse


def small_pca(**params):
    return PCAEncoder(**{"n_components": 8, "image_shape": (8, 8), **params})


@pytest.fixture(scope="module")
def fitted(digits):
    X_train, _, _, _ = digits
    return small_pca().fit(X_train)


def test_transform_gives_n_components_codes_per_image(fitted, digits):
    _, X_test, _, _ = digits
    codes = fitted.transform(X_test)
    assert codes.shape == (len(X_test), 8)
    assert codes.dtype == np.float32


def test_codes_are_scikit_learn_principal_components_of_the_images(fitted, digits):
    X_train, X_test, _, _ = digits
    pca = PCA(n_components=8).fit(X_train.astype(np.float32))
    np.testing.assert_allclose(
        fitted.transform(X_test), pca.transform(X_test), rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(
        fitted.pca_.explained_variance_ratio_,
        pca.explained_variance_ratio_,
        rtol=1e-4,
    )


def test_codes_of_a_pair_are_the_codes_of_its_images_side_by_side(fitted, digits):
    _, X_test, _, _ = digits
    pairs = np.hstack([X_test[:10], X_test[10:20]])
    expected = np.hstack(
        [fitted.transform(X_test[:10]), fitted.transform(X_test[10:20])]
    )
    np.testing.assert_allclose(fitted.transform(pairs), expected, rtol=1e-6)


def test_fit_on_pairs_is_the_fit_on_their_distinct_images(digits):
    X_train, _, _, _ = digits
    images = X_train[:100]
    pairs = np.hstack([images[np.arange(600) % 100], images[np.arange(600) * 7 % 100]])
    on_pairs = small_pca().fit(pairs)
    on_images = small_pca().fit(images)
    np.testing.assert_allclose(
        on_pairs.pca_.components_, on_images.pca_.components_, rtol=1e-4, atol=1e-5
    )


def test_inverse_transform_reconstructs_pixels_in_the_fitted_range(fitted, digits):
    _, X_test, _, _ = digits
    pairs = np.hstack([X_test[:5], X_test[5:10]])
    reconstructed = fitted.inverse_transform(fitted.transform(pairs))
    assert reconstructed.shape == pairs.shape
    assert reconstructed.min() >= 0.0
    assert reconstructed.max() <= 1.0


def test_all_components_reconstruct_the_images_exactly(digits):
    X_train, X_test, _, _ = digits
    encoder = small_pca(n_components=64).fit(X_train)
    reconstructed = encoder.inverse_transform(encoder.transform(X_test))
    np.testing.assert_allclose(reconstructed, X_test, atol=1e-4)


def test_more_components_reconstruct_better(digits):
    X_train, X_test, _, _ = digits
    errors = [
        reconstruction_mse(small_pca(n_components=k).fit(X_train), X_test)
        for k in (4, 16, 32)
    ]
    assert errors[0] > errors[1] > errors[2]


def test_score_is_the_negative_reconstruction_bce(fitted, digits):
    _, X_test, _, _ = digits
    assert fitted.score(X_test) == pytest.approx(-reconstruction_bce(fitted, X_test))


def test_pixel_range_is_learnt_at_fit(digits):
    X_train, _, _, _ = digits
    unit = small_pca().fit(X_train)
    grey_levels = small_pca().fit(X_train * 255)
    assert grey_levels.data_max_ == pytest.approx(255)
    np.testing.assert_allclose(
        grey_levels.transform(X_train[:20] * 255),
        unit.transform(X_train[:20]),
        rtol=1e-4,
        atol=1e-4,
    )
    reconstructed = grey_levels.inverse_transform(grey_levels.transform(X_train[:3]))
    assert reconstructed.max() > 1


def test_whitened_codes_have_unit_variance_on_the_training_images(digits):
    X_train, _, _, _ = digits
    encoder = small_pca(whiten=True).fit(X_train)
    np.testing.assert_allclose(
        encoder.transform(X_train).var(axis=0, ddof=1), 1.0, rtol=1e-3
    )


def test_randomized_solver_is_reproducible_with_random_state(digits):
    X_train, _, _, _ = digits
    first = small_pca(svd_solver="randomized", random_state=0).fit(X_train)
    second = small_pca(svd_solver="randomized", random_state=0).fit(X_train)
    np.testing.assert_array_equal(
        first.transform(X_train[:10]), second.transform(X_train[:10])
    )


def test_batches_give_the_codes_of_a_single_batch(fitted, digits):
    _, X_test, _, _ = digits
    one_batch = fitted.transform(X_test)
    fitted_small_batches = small_pca(batch_size=7).fit(digits[0])
    np.testing.assert_allclose(
        fitted_small_batches.transform(X_test), one_batch, rtol=1e-5, atol=1e-6
    )
    codes = fitted.transform(X_test)
    np.testing.assert_allclose(
        fitted_small_batches.inverse_transform(codes),
        fitted.inverse_transform(codes),
        atol=1e-6,
    )


def test_transform_holds_one_batch_beyond_its_output(rng):
    images = rng.rand(4000, 784).astype(np.float32)
    encoder = PCAEncoder(n_components=50, batch_size=256).fit(images[:1000])
    output_bytes = 4000 * 50 * 4
    batch_bytes = 256 * 784 * 4
    tracemalloc.start()
    try:
        codes = encoder.transform(images)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert codes.shape == (4000, 50)
    # One scaled copy of all the images would be 12.5 MB.
    assert peak < output_bytes + 4 * batch_bytes


def test_feature_names_are_those_of_the_autoencoder(digits):
    X_train, _, _, _ = digits
    pairs = np.hstack([X_train[:50], X_train[50:100]])
    pca = small_pca().fit(pairs)
    autoencoder = AutoencoderTransformer(
        n_components=8, image_shape=(8, 8), max_epochs=1, random_state=0
    ).fit(pairs)
    np.testing.assert_array_equal(
        pca.get_feature_names_out(), autoencoder.get_feature_names_out()
    )
    assert list(pca.get_feature_names_out()[[0, 8]]) == ["image0_code0", "image1_code0"]


def test_pandas_output_uses_the_feature_names(digits):
    X_train, _, _, _ = digits
    frame = pd.DataFrame(np.hstack([X_train[:100], X_train[100:200]]))
    codes = small_pca().set_output(transform="pandas").fit_transform(frame)
    assert list(codes.columns[[0, 8]]) == ["image0_code0", "image1_code0"]


def test_pickle_round_trip_gives_identical_codes(fitted, digits):
    _, X_test, _, _ = digits
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(X_test), fitted.transform(X_test))


@pytest.mark.parametrize("whiten", [False, True])
def test_torch_encoder_computes_the_codes(digits, whiten):
    X_train, X_test, _, _ = digits
    encoder = small_pca(whiten=whiten).fit(X_train * 16)
    layer = encoder.torch_encoder()
    scaled = (X_test * 16 - encoder.data_min_) / encoder.data_range_
    with torch.no_grad():
        codes = layer(torch.from_numpy(scaled.astype(np.float32))).numpy()
    np.testing.assert_allclose(
        codes, encoder.transform(X_test * 16), rtol=1e-4, atol=1e-4
    )


def test_classifier_fine_tunes_a_copy_of_the_pca_encoder(pairs, digits):
    X, Y, X_eval, Y_eval = pairs
    encoder = small_pca().fit(digits[0])
    components = encoder.pca_.components_.copy()
    clf = ArithmeticMultiOutputClassifier(
        encoder=encoder, hidden_layer_sizes=(64,), max_epochs=2, random_state=0
    ).fit(X, Y)
    assert clf.encoder_ is encoder
    assert clf.predict(X_eval).shape == Y_eval.shape
    np.testing.assert_array_equal(encoder.pca_.components_, components)
    fine_tuned = clf.net_.module_.encoder.weight.detach().numpy()
    assert fine_tuned.shape == components.shape
    assert not np.allclose(fine_tuned, components)


def test_classifier_fits_an_unfitted_pca_encoder_first(pairs):
    X, Y, _, _ = pairs
    encoder = small_pca()
    clf = ArithmeticMultiOutputClassifier(
        encoder=encoder, hidden_layer_sizes=(32,), max_epochs=1, random_state=0
    ).fit(X, Y)
    assert hasattr(clf.encoder_, "pca_")
    assert not hasattr(encoder, "pca_")


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.full((10, 64), np.nan), "NaN"),
        (np.full((10, 64), np.inf), "infinity"),
        (np.zeros((10, 65)), "whole number of 8x8 images"),
        (np.zeros((0, 64)), "0 sample"),
    ],
)
def test_fit_rejects_bad_input(X, message):
    with pytest.raises(ValueError, match=message):
        small_pca().fit(X)


def test_transform_rejects_images_of_another_size(fitted):
    with pytest.raises(ValueError, match="whole number of 8x8 images"):
        fitted.transform(np.zeros((3, 784)))


def test_transform_rejects_infinity(fitted):
    X = np.zeros((3, 64))
    X[1, 5] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        fitted.transform(X)


def test_n_components_above_the_pixels_of_an_image_is_named(rng):
    with pytest.raises(ValueError, match="n_components=65 is more than a 8x8 image"):
        small_pca(n_components=65).fit(rng.rand(200, 64))


def test_n_components_above_the_distinct_images_is_named(rng):
    images = np.tile(rng.rand(5, 64), (20, 1))
    with pytest.raises(ValueError, match="more than the 5 distinct images"):
        small_pca(n_components=8).fit(images)


def test_inverse_transform_rejects_codes_of_the_wrong_width(fitted):
    with pytest.raises(ValueError, match="multiple of n_components=8"):
        fitted.inverse_transform(np.zeros((3, 9)))


def test_transform_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        small_pca().transform(np.zeros((3, 64)))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"image_shape": (8,)}, "pair of positive integers"),
        ({"n_components": 0}, "n_components"),
        ({"svd_solver": "lapack"}, "svd_solver"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_invalid_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        small_pca(**params).fit(np.random.RandomState(0).rand(20, 64))
