"""PCAEncoder (``sklarith/pca.py``): scikit-learn's principal components of
the images, its solvers and whitening, and memory bounded by the batch. The
encoder contract it shares with AutoencoderTransformer is in
``test_encoders.py``."""

import tracemalloc

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from sklarith import PCAEncoder
from sklarith.metrics import reconstruction_mse


def small_pca(**params):
    return PCAEncoder(**{"n_components": 8, "image_shape": (8, 8), **params})


@pytest.fixture(scope="module")
def fitted(digits):
    X_train, _, _, _ = digits
    return small_pca().fit(X_train)


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


def test_the_torch_encoder_of_a_whitened_pca_computes_the_whitened_codes(digits):
    X_train, X_test, _, _ = digits
    encoder = small_pca(whiten=True).fit(X_train)
    with torch.no_grad():
        codes = encoder.torch_encoder()(torch.from_numpy(X_test)).numpy()
    np.testing.assert_allclose(codes, encoder.transform(X_test), rtol=1e-4, atol=1e-4)


def test_n_components_above_the_pixels_of_an_image_is_named(rng):
    with pytest.raises(ValueError, match="n_components=65 is more than a 8x8 image"):
        small_pca(n_components=65).fit(rng.rand(200, 64))


def test_n_components_above_the_distinct_images_is_named(rng):
    images = np.tile(rng.rand(5, 64), (20, 1))
    with pytest.raises(ValueError, match="more than the 5 distinct images"):
        small_pca(n_components=8).fit(images)


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
