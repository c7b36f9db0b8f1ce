"""IdentityAdderClassifier (``sklarith/identity_adder.py``): reading a digit
and adding an integer to it, its classes, augmentation, pixel range, and the
rules of its X and y. What every multi-output classifier does is in
``test_multioutput.py``."""

import numpy as np
import pandas as pd
import pytest

from sklarith import IdentityAdderClassifier
from sklarith.datasets import make_identity_adder
from sklarith.modules import RandomAffine


def small_adder(**params):
    defaults = {
        "image_shape": (8, 8),
        "channels": (8, 16),
        "hidden_layer_sizes": (32,),
        "max_epochs": 2,
        "batch_size": 64,
        "random_state": 0,
    }
    return IdentityAdderClassifier(**{**defaults, **params})


@pytest.fixture(scope="module")
def adder_data(digits):
    """Each 8x8 training image three times, with different integers."""
    X_train, X_test, y_train, y_test = digits
    parts = [make_identity_adder(X_train, y_train, random_state=i) for i in range(3)]
    X = np.vstack([X for X, _ in parts])
    y = pd.concat([y for _, y in parts], ignore_index=True)
    X_eval, y_eval = make_identity_adder(X_test, y_test, random_state=3)
    return X, y, X_eval, y_eval


@pytest.fixture(scope="module")
def fitted(adder_data):
    X, y, _, _ = adder_data
    return small_adder(max_epochs=12, lr=1e-2).fit(X, y)


def test_learns_to_read_and_add_on_8x8_digits(fitted, adder_data):
    _, _, X_eval, y_eval = adder_data
    right = fitted.predict(X_eval) == y_eval.to_numpy()
    assert right[:, 0].mean() > 0.9
    assert right[:, 1].mean() > 0.9


def test_classes_are_every_digit_and_every_sum_even_unseen_ones():
    X = np.zeros((6, 65), dtype=np.float32)
    y = np.zeros((6, 2), dtype=int)
    clf = small_adder(max_epochs=1, early_stopping=False).fit(X, y)
    np.testing.assert_array_equal(clf.classes_[0], np.arange(10))
    np.testing.assert_array_equal(clf.classes_[1], np.arange(19))
    assert clf.n_outputs_ == 2


def test_reads_28x28_images_by_default(rng):
    images = rng.rand(40, 28 * 28).astype(np.float32)
    X, y = make_identity_adder(images, rng.randint(10, size=40), random_state=0)
    clf = IdentityAdderClassifier(
        channels=(4, 4, 4), max_epochs=1, batch_size=16, random_state=0
    ).fit(X, y)
    assert clf.net_.module_.image_shape == (28, 28)
    assert clf.predict(X).shape == (40, 2)


def test_augmentation_is_applied_in_training_only(adder_data):
    X, y, X_eval, _ = adder_data
    clf = small_adder(max_epochs=1).fit(X[:300], y[:300])
    assert isinstance(clf.net_.module_.augment, RandomAffine)
    np.testing.assert_array_equal(
        clf.predict_proba(X_eval)[0], clf.predict_proba(X_eval)[0]
    )
    plain = small_adder(max_epochs=1, augment=False).fit(X[:300], y[:300])
    assert plain.net_.module_.augment is None


def test_pixel_range_is_learnt_so_pixel_scale_does_not_matter(adder_data):
    X, y, X_eval, _ = adder_data
    scaled, scaled_eval = X[:300].copy(), X_eval.copy()
    scaled[:, :-1] *= 255
    scaled_eval[:, :-1] *= 255
    unit = small_adder(max_epochs=1).fit(X[:300], y[:300])
    wide = small_adder(max_epochs=1).fit(scaled, y[:300])
    np.testing.assert_allclose(
        unit.predict_proba(X_eval)[1], wide.predict_proba(scaled_eval)[1], atol=1e-4
    )


def test_fit_records_the_row_width_and_leaves_the_parameters_alone(adder_data):
    X, y, _, _ = adder_data
    clf = small_adder(max_epochs=1)
    params = clf.get_params()
    clf.fit(X[:300], y[:300])
    assert clf.get_params() == params
    assert clf.n_features_in_ == 65
    assert clf.image_shape_ == (8, 8)


def _rows(n=20, n_pixels=64):
    """Valid X and y: random pixels, integers 0-9, digits and sums."""
    rng = np.random.RandomState(0)
    X = rng.rand(n, n_pixels + 1)
    X[:, -1] = rng.randint(10, size=n)
    digits = rng.randint(10, size=n)
    return X, np.stack([digits, digits + X[:, -1]], axis=1)


def _with(array, rows, column, value):
    array = array.copy()
    array[rows, column] = value
    return array


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"X": _with(_rows()[0], [3], -1, 10)}, r"integer to add.*rows \[3\]"),
        ({"X": _with(_rows()[0], [4], -1, -1)}, r"whole number from 0 to 9.*\[4\]"),
        ({"X": _with(_rows()[0], [5, 7], -1, 2.5)}, r"rows \[5, 7\]"),
        ({"y": _with(_rows()[1], [2, 9], 1, 0)}, r"digit plus the integer.*\[2, 9\]"),
        ({"y": _with(_rows()[1], [6], 0, 12)}, r"first column of y.*rows \[6\]"),
        ({"X": _rows(n_pixels=63)[0]}, "expecting 65: the 8x8 pixels"),
        ({"y": _rows()[1][:, 0]}, "y must have two columns"),
        ({"y": np.hstack([_rows()[1], _rows()[1]])}, "y must have two columns"),
        ({"y": _rows()[1].astype(str)}, "y must hold whole numbers"),
        ({"y": _rows()[1] + 0.5}, "Unknown label type: continuous"),
    ],
)
def test_fit_refuses_x_and_y_that_break_its_rules(bad, message):
    X, y = _rows()
    X, y = bad.get("X", X), bad.get("y", y)
    with pytest.raises(ValueError, match=message):
        small_adder().fit(X, y)


def test_fit_lists_only_the_first_bad_rows():
    X, y = _rows(n=30)
    y[:, 1] = 99
    with pytest.raises(ValueError, match=r"\[0, 1, .*, 9\] and 20 more"):
        small_adder().fit(X, y)


def test_predict_rejects_an_integer_out_of_range(fitted, adder_data):
    _, _, X_eval, _ = adder_data
    with pytest.raises(ValueError, match=r"integer to add.*rows \[0\]"):
        fitted.predict(_with(X_eval, [0], -1, 11))


def test_predict_on_pixels_far_outside_the_fitted_range_warns_once(fitted, adder_data):
    _, _, X_eval, _ = adder_data
    X_255 = X_eval.copy()
    X_255[:, :-1] *= 255
    with pytest.warns(UserWarning, match="far outside the range") as caught:
        fitted.predict(X_255)
    assert len([w for w in caught if "far outside" in str(w.message)]) == 1
    assert caught[0].filename == __file__
