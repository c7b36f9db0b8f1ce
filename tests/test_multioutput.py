"""Classifiers of several outputs (``sklarith/_multioutput.py``): probabilities
as a list, one array per output; predictions the most probable class of each;
subset accuracy as the score and as the validation accuracy of training; a
``y`` of no columns refused; a warning on pixels far outside the range the
encoder saw at fit. Run on every classifier of the registry."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import is_classifier

from sklarith._torch import InMemoryDataset
from sklarith.utils._testing import ESTIMATOR_CASES

CLASSIFIERS = [c for c in ESTIMATOR_CASES if is_classifier(c.estimator)]
WITH_ENCODER = [
    c for c in CLASSIFIERS if c.estimator.get_params().get("encoder") is not None
]


@pytest.fixture(scope="module", params=CLASSIFIERS, ids=[c.name for c in CLASSIFIERS])
def case(request):
    return request.param


@pytest.fixture(scope="module")
def data(case):
    return case.data()


@pytest.fixture(scope="module")
def fitted(case, data):
    return case.make_estimator().fit(*data)


def test_predict_proba_is_a_list_of_distributions_one_per_output(fitted, data):
    X, _ = data
    proba = fitted.predict_proba(X)
    assert isinstance(proba, list)
    assert len(proba) == fitted.n_outputs_ == len(fitted.classes_)
    for p, classes in zip(proba, fitted.classes_, strict=True):
        assert p.shape == (len(X), len(classes))
        assert p.dtype == np.float32
        assert (p >= 0).all()
        np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)


def test_predict_is_the_most_probable_class_of_each_output(fitted, data):
    X, y = data
    proba = fitted.predict_proba(X)
    expected = np.stack(
        [c[p.argmax(axis=1)] for c, p in zip(fitted.classes_, proba, strict=True)],
        axis=1,
    )
    predicted = fitted.predict(X)
    assert predicted.shape == np.shape(y)
    np.testing.assert_array_equal(predicted, expected)


def _with_other_last_output(fitted, y, rows):
    """``y`` with the last output of ``rows`` changed to another class."""
    y = y.copy()
    classes = list(fitted.classes_[-1])
    y[rows, -1] = [classes[(classes.index(c) + 1) % len(classes)] for c in y[rows, -1]]
    return y


def test_score_is_the_share_of_rows_with_every_output_right(fitted, data):
    X, _ = data
    predicted = fitted.predict(X)
    assert fitted.score(X, predicted) == 1.0
    one_wrong_output_in_a_quarter = _with_other_last_output(
        fitted, predicted, slice(0, None, 4)
    )
    assert fitted.score(X, one_wrong_output_in_a_quarter) == 0.75


def test_score_weighs_rows_by_sample_weight(fitted, data):
    X, _ = data
    y = _with_other_last_output(fitted, fitted.predict(X), slice(0, None, 4))
    weights = np.ones(len(X))
    weights[::4] = 3.0
    assert fitted.score(X, y, sample_weight=weights) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "reshape", [lambda y: y[:, :1], lambda y: y[:-1]], ids=["outputs", "rows"]
)
def test_score_refuses_y_of_another_shape(fitted, data, reshape):
    X, y = data
    with pytest.raises(ValueError, match="pass one column per output seen at fit"):
        fitted.score(X, reshape(np.asarray(y)))


def test_the_validation_accuracy_of_an_epoch_is_its_subset_accuracy(fitted, data):
    """The best epoch's weights are restored at the end of training, so the
    model scores on the held-out rows what that epoch recorded."""
    X, y = data
    # The split is drawn from the number of rows and the seed alone.
    _, valid = fitted.net_.train_split(InMemoryDataset(torch.zeros(len(X), 1)))
    rows = np.asarray(valid.indices)
    best_epoch = dict(fitted.net_.callbacks_)["early_stopping"].best_epoch_
    recorded = fitted.history_[best_epoch - 1, "valid_acc"]
    assert fitted.score(X[rows], np.asarray(y)[rows]) == recorded


def test_score_refuses_labels_of_another_kind_than_at_fit(fitted, data):
    X, y = data
    with pytest.raises(ValueError, match="Mix of label input types"):
        fitted.score(X, np.asarray(y).astype(str))


@pytest.mark.parametrize(
    "no_columns",
    [lambda y: pd.DataFrame(index=range(len(y))), lambda y: np.empty((len(y), 0))],
    ids=["dataframe", "array"],
)
def test_fit_refuses_a_y_with_no_columns(case, data, no_columns):
    X, y = data
    name = type(case.estimator).__name__
    with pytest.raises(
        ValueError, match=rf"y has no columns .*: {name} learns one output per column"
    ):
        case.make_estimator().fit(X, no_columns(y))


@pytest.mark.parametrize(
    "case", WITH_ENCODER, indirect=True, ids=[c.name for c in WITH_ENCODER]
)
@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_pixels_far_outside_the_encoders_range_warn_once_per_call(fitted, data, method):
    X, _ = data
    with pytest.warns(UserWarning, match="far outside the range") as caught:
        getattr(fitted, method)(X * 255)
    (warning,) = [w for w in caught if "far outside the range" in str(w.message)]
    assert "ArithmeticMultiOutputClassifier saw at fit, 0 to 1" in str(warning.message)
    assert warning.filename == __file__


@pytest.mark.parametrize(
    "case", WITH_ENCODER, indirect=True, ids=[c.name for c in WITH_ENCODER]
)
def test_pixels_in_the_encoders_range_are_predicted_silently(fitted, data):
    X, _ = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted.predict_proba(X)
    assert not [w for w in caught if "far outside the range" in str(w.message)]
