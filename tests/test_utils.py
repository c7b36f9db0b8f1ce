"""The helpers the estimators share (``sklarith/utils``): device and seeding,
validation, and the registry of small estimators the common tests use.
Distinct rows have their own ``test_distinct.py``."""

import types
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import BaseEstimator

from sklarith.utils._device import resolve_device, torch_seed
from sklarith.utils._testing import ESTIMATOR_CASES, N_SAMPLES
from sklarith.utils._validation import (
    check_enough_samples,
    check_image_shape,
    check_pixel_range,
    check_y_has_columns,
    column_names,
    count_images_per_row,
    rows_where,
)


def test_auto_device_is_cuda_when_available(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"


def test_auto_device_is_cpu_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"


def test_explicit_devices_are_kept():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device(torch.device("cpu")) == "cpu"


def test_cuda_without_cuda_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="device='cuda:1' was requested"):
        resolve_device("cuda:1")


def test_a_device_torch_does_not_know_is_refused():
    with pytest.raises(ValueError, match="got 'tpu'"):
        resolve_device("tpu")


def test_torch_seed_follows_random_state():
    assert torch_seed(0) == torch_seed(0)
    assert torch_seed(0) != torch_seed(1)
    assert torch_seed(np.random.RandomState(3)) == torch_seed(3)


def test_a_row_must_hold_whole_images():
    assert count_images_per_row(128, (8, 8), "Encoder") == 2
    with pytest.raises(ValueError, match="whole number of 8x8 images"):
        count_images_per_row(100, (8, 8), "Encoder")


def test_the_message_about_images_names_the_width_seen_at_fit():
    message = "X has 0 features, but Encoder is expecting 128"
    with pytest.raises(ValueError, match=message):
        count_images_per_row(0, (8, 8), "Encoder", expected=128)


def test_image_shape_must_be_two_positive_integers():
    assert check_image_shape([28, 28]) == (28, 28)
    with pytest.raises(ValueError, match="pair of positive integers"):
        check_image_shape((28, 0))


def test_column_names_are_those_of_a_dataframe_or_a_named_series():
    frame = pd.DataFrame({"sum": [1], 3: [2]})
    assert column_names(frame) == ["sum", "3"]
    assert column_names(frame["sum"]) == ["sum"]
    assert column_names(pd.Series([1])) is None
    assert column_names(np.zeros((1, 2))) is None


def test_rows_where_names_the_first_rows_and_counts_the_others():
    values = np.arange(20.0)
    assert rows_where(values == 3, values) == "rows [3] (values [3.0])"
    assert rows_where(values > 5, values, limit=2) == (
        "rows [6, 7] and 12 more (values [6.0, 7.0])"
    )


def _early_stopping(validation_fraction):
    """The parameters of an estimator that ``check_enough_samples`` reads."""
    return types.SimpleNamespace(
        early_stopping=True, validation_fraction=validation_fraction
    )


def test_a_validation_fraction_that_leaves_one_row_to_train_on_passes():
    check_enough_samples(10, _early_stopping(0.9))


def test_a_validation_fraction_that_leaves_no_row_to_train_on_says_what_to_pass():
    message = (
        r"validation_fraction=0.95 holds out 10 of the 10 samples \(rounded up\)"
        r".* leaves 0 to train .* at most 9/10"
    )
    with pytest.raises(ValueError, match=message):
        check_enough_samples(10, _early_stopping(0.95))


def test_without_early_stopping_the_validation_fraction_holds_out_nothing():
    estimator = types.SimpleNamespace(early_stopping=False, validation_fraction=0.95)
    check_enough_samples(10, estimator)


@pytest.mark.parametrize(
    "y", [np.zeros((5, 0)), pd.DataFrame(index=range(5)), [[] for _ in range(5)]]
)
def test_a_y_with_no_columns_is_refused_saying_one_is_needed(y):
    with pytest.raises(ValueError, match=r"y has no columns \(shape \(5, 0\)\)"):
        check_y_has_columns(y, BaseEstimator())


@pytest.mark.parametrize(
    "y", [None, np.zeros(5), np.zeros((5, 1)), [[1], [1, 2]], pd.Series([1, 2])]
)
def test_a_y_with_columns_or_of_another_shape_is_left_to_validation(y):
    check_y_has_columns(y, BaseEstimator())


#: A range of [0, 1] seen at fit; "far outside" is beyond [-1, 2].
_FITTED_ON_0_1 = types.SimpleNamespace(data_min_=0.0, data_max_=1.0, data_range_=1.0)


@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (-1.0, 2.0), (0.2, 0.3)])
def test_pixels_within_one_width_of_the_fitted_range_do_not_warn(low, high):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_pixel_range(low, high, _FITTED_ON_0_1, "Encoder")


@pytest.mark.parametrize(("low", "high"), [(0.0, 2.01), (-1.01, 1.0), (0.0, 255.0)])
def test_pixels_beyond_one_width_of_the_fitted_range_warn(low, high):
    with pytest.warns(UserWarning, match="far outside the range Encoder saw at fit"):
        check_pixel_range(low, high, _FITTED_ON_0_1, "Encoder")


def test_the_pixel_range_warning_says_what_was_seen_what_was_given_and_the_fix():
    with pytest.warns(UserWarning, match="far outside") as caught:
        check_pixel_range(0.0, 255.0, _FITTED_ON_0_1, "Encoder")
    message = str(caught[0].message)
    assert "X holds pixels from 0 to 255" in message
    assert "saw at fit, 0 to 1" in message
    assert "Scale the images as at fit: divide 0-255 pixels by 255" in message


def test_a_nan_range_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_pixel_range(np.nan, np.nan, _FITTED_ON_0_1, "Encoder")


# The registry of small estimators


def test_registry_cases_have_distinct_names_and_fixed_random_states():
    names = [case.name for case in ESTIMATOR_CASES]
    assert len(set(names)) == len(names)
    for case in ESTIMATOR_CASES:
        params = case.estimator.get_params()
        assert all(
            value is not None
            for name, value in params.items()
            if name.endswith("random_state")
        )


@pytest.mark.parametrize("case", ESTIMATOR_CASES, ids=lambda case: case.name)
def test_registry_data_have_the_same_number_of_rows_in_x_and_y(case):
    X, y = case.data()
    assert len(X) == N_SAMPLES
    assert y is None or len(y) == N_SAMPLES


def test_each_case_is_a_fresh_clone_with_the_parameters_asked_for():
    case = ESTIMATOR_CASES[0]
    estimator = case.make_estimator(max_epochs=7)
    assert estimator is not case.estimator
    assert estimator.max_epochs == 7
    assert case.estimator.max_epochs != 7
