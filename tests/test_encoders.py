"""The image-encoder contract (``sklarith/_encoders.py``), for both encoders.

Rows of one or several images in, the codes of each image side by side out;
the pixel range learnt at fit; each distinct image encoded once; codes named
after the images of the rows transformed; the torch encoder of the protocol
for fine-tuning.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from sklarith import PCAEncoder
from sklarith._encoders import ImageEncoder
from sklarith.utils._distinct import distinct_rows
from sklarith.utils._testing import ESTIMATOR_CASES

ENCODERS = [c for c in ESTIMATOR_CASES if isinstance(c.estimator, ImageEncoder)]


@pytest.fixture(scope="module", params=ENCODERS, ids=[c.name for c in ENCODERS])
def case(request):
    return request.param


@pytest.fixture(scope="module")
def images(case):
    """Single 8x8 images, the case's training data."""
    X, _ = case.data()
    return X


@pytest.fixture(scope="module")
def fitted(case, images):
    """The encoder fitted on single images."""
    return case.make_estimator().fit(images)


def _pairs(images):
    return np.hstack([images[:20], images[20:40]])


def test_transform_gives_n_components_float32_codes_per_image(fitted, images):
    codes = fitted.transform(images)
    assert codes.shape == (len(images), fitted.n_components)
    assert codes.dtype == np.float32


def test_codes_of_a_pair_are_the_codes_of_its_images_side_by_side(fitted, images):
    expected = np.hstack(
        [fitted.transform(images[:20]), fitted.transform(images[20:40])]
    )
    np.testing.assert_allclose(
        fitted.transform(_pairs(images)), expected, rtol=1e-5, atol=1e-6
    )


def test_inverse_transform_gives_pixels_in_the_shape_and_range_seen_at_fit(
    case, images
):
    pixels = images * 4 + 1
    encoder = case.make_estimator().fit(pixels)
    pairs = _pairs(pixels)
    reconstructed = encoder.inverse_transform(encoder.transform(pairs))
    assert reconstructed.shape == pairs.shape
    assert reconstructed.min() >= 1
    assert reconstructed.max() <= 5


def test_y_is_ignored(case, images, fitted):
    with_y = case.make_estimator().fit(images, np.arange(len(images)))
    np.testing.assert_array_equal(with_y.transform(images), fitted.transform(images))


def test_the_pixel_range_is_learnt_at_fit(case, images, fitted):
    grey_levels = case.make_estimator().fit(images * 255)
    assert (grey_levels.data_min_, grey_levels.data_max_) == (0, 255)
    assert grey_levels.data_range_ == 255
    np.testing.assert_allclose(
        grey_levels.transform(images * 255),
        fitted.transform(images),
        rtol=1e-4,
        atol=1e-4,
    )
    codes = grey_levels.transform(images[:3] * 255)
    assert grey_levels.inverse_transform(codes).max() > 1


def _range_warnings(caught):
    return [w for w in caught if "far outside the range" in str(w.message)]


@pytest.mark.parametrize("method", ["transform", "score"])
def test_pixels_far_outside_the_fitted_range_warn_once_per_call(fitted, images, method):
    with pytest.warns(UserWarning, match="far outside the range") as caught:
        getattr(fitted, method)(_pairs(images) * 255)
    (warning,) = _range_warnings(caught)
    name = type(fitted).__name__
    assert f"X holds pixels from 0 to 255, far outside the range {name}" in str(
        warning.message
    )
    assert warning.category is UserWarning
    # The warning points at the caller's line, not at sklarith.
    assert warning.filename == __file__


@pytest.mark.parametrize("method", ["transform", "score"])
def test_pixels_within_one_width_of_the_fitted_range_are_encoded_silently(
    fitted, images, method
):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(fitted, method)(images[:20] * 1.5 - 0.25)
    assert not _range_warnings(caught)


# Each distinct image counts once


def _rows_of_repeated_images(images):
    """Pairs of 30 images, each repeated in many pairs, in no simple order."""
    rows = np.arange(200)
    return np.hstack([images[rows % 30], images[rows * 7 % 30]])


def test_fit_on_rows_of_repeated_images_is_the_fit_on_their_distinct_images(
    case, images
):
    pairs = _rows_of_repeated_images(images)
    first, _ = distinct_rows(pairs.reshape(-1, 64))
    distinct = pairs.reshape(-1, 64)[first]
    assert len(distinct) == 30
    on_pairs = case.make_estimator().fit(pairs)
    on_distinct = case.make_estimator().fit(distinct)
    np.testing.assert_array_equal(
        on_pairs.transform(images), on_distinct.transform(images)
    )


def test_fit_transform_equals_fit_then_transform(case, images):
    pairs = _rows_of_repeated_images(images)
    encoder = case.make_estimator()
    codes = encoder.fit_transform(pairs)
    np.testing.assert_array_equal(codes, encoder.transform(pairs))


def test_the_pixel_range_of_repeated_images_is_that_of_all_pixels(case, images):
    pairs = _rows_of_repeated_images(images) * 3 - 1
    encoder = case.make_estimator().fit(pairs)
    assert (encoder.data_min_, encoder.data_max_) == (pairs.min(), pairs.max())


def test_a_nan_in_every_copy_of_a_repeated_image_is_refused(fitted, images):
    pairs = _rows_of_repeated_images(images)
    repeated = np.all(pairs[:, :64] == pairs[0, :64], axis=1)
    pairs[repeated, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fitted.transform(pairs)


# Names of the codes, and pandas output


def _code_names(n_images, n_components):
    return [f"image{i}_code{j}" for i in range(n_images) for j in range(n_components)]


def test_feature_names_name_the_image_and_the_code(fitted):
    names = fitted.get_feature_names_out()
    assert list(names) == _code_names(1, fitted.n_components)


def test_feature_names_follow_the_width_of_the_input_features(fitted):
    pixels = [f"pixel{i}" for i in range(2 * 64)]
    names = fitted.get_feature_names_out(pixels)
    assert list(names) == _code_names(2, fitted.n_components)


def test_input_features_of_no_whole_number_of_images_are_refused(fitted):
    with pytest.raises(ValueError, match="whole number of 8x8 images"):
        fitted.get_feature_names_out([f"pixel{i}" for i in range(100)])


def test_input_features_other_than_those_seen_at_fit_are_refused(case, images):
    columns = [f"pixel{i}" for i in range(64)]
    encoder = case.make_estimator().fit(pd.DataFrame(images, columns=columns))
    assert list(encoder.get_feature_names_out(columns)) == _code_names(
        1, encoder.n_components
    )
    with pytest.raises(ValueError, match="not equal to the features seen at fit"):
        encoder.get_feature_names_out([f"other{i}" for i in range(64)])


def test_pandas_output_names_the_codes_and_keeps_the_index(case, images):
    frame = pd.DataFrame(_pairs(images), index=np.arange(100, 120))
    encoder = case.make_estimator().set_output(transform="pandas")
    for codes in (encoder.fit_transform(frame), encoder.transform(frame)):
        assert isinstance(codes, pd.DataFrame)
        assert list(codes.columns) == _code_names(2, encoder.n_components)
        pd.testing.assert_index_equal(codes.index, frame.index)


def test_pandas_output_of_pairs_from_an_encoder_fitted_on_single_images(case, images):
    encoder = case.make_estimator().set_output(transform="pandas").fit(images)
    codes = encoder.transform(_pairs(images))
    assert list(codes.columns) == _code_names(2, encoder.n_components)
    np.testing.assert_array_equal(
        codes.to_numpy(),
        encoder.set_output(transform="default").transform(_pairs(images)),
    )


def test_pca_encoder_fitted_on_single_8x8_images_gives_pandas_codes_of_pairs(images):
    """The report of issue 13, which raised ``ValueError: Length mismatch``."""
    encoder = PCAEncoder(n_components=4, image_shape=(8, 8)).set_output(
        transform="pandas"
    )
    codes = encoder.fit(images).transform(_pairs(images))
    assert codes.shape == (20, 8)
    assert list(codes.columns[[0, 4]]) == ["image0_code0", "image1_code0"]


# The protocol for fine-tuning


def test_torch_encoder_computes_the_codes_of_scaled_pixels(case, images):
    encoder = case.make_estimator().fit(images * 16)
    scaled = (images * 16 - encoder.data_min_) / encoder.data_range_
    layer = encoder.torch_encoder()
    with torch.no_grad():
        codes = layer(torch.from_numpy(scaled.astype(np.float32))).numpy()
    np.testing.assert_allclose(
        codes, encoder.transform(images * 16), rtol=1e-4, atol=1e-4
    )


def test_training_the_torch_encoder_leaves_the_encoder_as_it_is(fitted, images):
    codes = fitted.transform(images)
    layer = fitted.torch_encoder()
    with torch.no_grad():
        for parameter in layer.parameters():
            parameter.add_(1.0)
    np.testing.assert_array_equal(fitted.transform(images), codes)


# Rows that are not whole images, and bad codes


def test_fit_refuses_rows_that_are_not_whole_images(case, images):
    with pytest.raises(ValueError, match="whole number of 8x8 images"):
        case.make_estimator().fit(images[:, :-1])


def test_transform_refuses_images_of_another_size(fitted):
    with pytest.raises(ValueError, match="whole number of 8x8 images"):
        fitted.transform(np.zeros((3, 784)))


def test_inverse_transform_refuses_codes_of_no_whole_number_of_images(fitted):
    width = fitted.n_components + 1
    with pytest.raises(
        ValueError, match=f"multiple of n_components={fitted.n_components}"
    ):
        fitted.inverse_transform(np.zeros((3, width)))


@pytest.mark.parametrize(
    ("make_bad", "error", "fragment"),
    [
        (
            lambda codes: np.where(codes == codes[0, 0], np.nan, codes),
            ValueError,
            "NaN",
        ),
        (
            lambda codes: np.where(codes == codes[0, 0], np.inf, codes),
            ValueError,
            "infinity",
        ),
        (sp.csr_matrix, TypeError, "^Sparse data"),
        (lambda codes: codes[0], ValueError, "Expected 2D array"),
        (lambda codes: codes[:0], ValueError, "0 sample"),
    ],
    ids=["nan", "infinity", "sparse", "1d", "no-rows"],
)
def test_inverse_transform_refuses_bad_codes(fitted, images, make_bad, error, fragment):
    codes = fitted.transform(images[:5])
    with pytest.raises(error, match=fragment):
        fitted.inverse_transform(make_bad(codes))


def test_inverse_transform_of_a_single_row_gives_a_single_row(fitted, images):
    codes = fitted.transform(images[:1])
    assert fitted.inverse_transform(codes).shape == (1, 64)
