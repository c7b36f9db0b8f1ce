"""Every estimator behaves like scikit-learn's own in model selection.

The same behaviours, checked on all five estimators with tiny models: clone
before and after fit, cross-validation and grid search, set_params then refit,
pandas input and output, the HTML repr, determinism, a second fit that starts
from scratch, and inference batch by batch.
"""

import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from skorch.exceptions import DeviceWarning
from test_persistence import pickled_as_if_trained_on_cuda

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    IdentityAdderClassifier,
    MLPAdderRegressor,
    PCAEncoder,
)
from sklarith.datasets import load_digit_images, make_identity_adder


def _images():
    return load_digit_images().data[:240], None


def _features():
    rng = np.random.RandomState(0)
    X = rng.rand(240, 6).astype(np.float32)
    Y = pd.DataFrame({"first": X[:, 0] > 0.5, "second": (3 * X[:, 1]).astype(int)})
    return X, Y


def _images_and_integers():
    digits = load_digit_images()
    return make_identity_adder(digits.data[:240], digits.target[:240], random_state=0)


def _operands():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 20, size=(240, 2)).astype(np.float64)
    return X, X.sum(axis=1)


#: name: (tiny estimator, data, a parameter and two values to search over)
CASES = {
    "autoencoder": (
        AutoencoderTransformer(
            n_components=2,
            image_shape=(8, 8),
            channels=(4,),
            max_epochs=2,
            batch_size=32,
            random_state=0,
        ),
        _images,
        ("n_components", [2, 3]),
    ),
    "pca": (
        PCAEncoder(n_components=2, image_shape=(8, 8), batch_size=32),
        _images,
        ("n_components", [2, 3]),
    ),
    "arithmetic": (
        ArithmeticMultiOutputClassifier(
            hidden_layer_sizes=(8,),
            head_layer_sizes=(4,),
            max_epochs=3,
            batch_size=32,
            lr=1e-2,
            random_state=0,
        ),
        _features,
        ("hidden_layer_sizes", [(4,), (8,)]),
    ),
    "identity_adder": (
        IdentityAdderClassifier(
            image_shape=(8, 8),
            channels=(2,),
            n_components=2,
            hidden_layer_sizes=(8,),
            max_epochs=2,
            batch_size=32,
            random_state=0,
        ),
        _images_and_integers,
        ("n_components", [2, 3]),
    ),
    "adder": (
        MLPAdderRegressor(hidden_layer_sizes=(2,), max_epochs=5, random_state=0),
        _operands,
        ("hidden_layer_sizes", [(1,), (2,)]),
    ),
}
NET_CASES = [name for name in CASES if name != "pca"]


def _output(model, X):
    """What the model computes: codes, probabilities of every output, or sums."""
    if hasattr(model, "transform"):
        return model.transform(X)
    if hasattr(model, "predict_proba"):
        return np.hstack(model.predict_proba(X))
    return model.predict(X)


def _n_fitted_weights(model):
    if hasattr(model, "pca_"):
        return model.pca_.components_.size
    return sum(p.numel() for p in model.net_.module_.parameters())


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    estimator, data, grid = CASES[request.param]
    X, y = data()
    return request.param, clone(estimator), X, y, grid


@pytest.fixture(scope="module")
def fitted(case):
    _, estimator, X, y, _ = case
    return clone(estimator).fit(X, y)


def test_clone_of_an_unfitted_estimator_has_the_same_parameters(case):
    _, estimator, _, _, _ = case
    copy = clone(estimator)
    assert copy is not estimator
    assert copy.get_params() == estimator.get_params()


def test_clone_of_a_fitted_estimator_is_unfitted_and_leaves_the_original(case, fitted):
    _, _, X, _, _ = case
    before = _output(fitted, X[:5])
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not any(name.endswith("_") for name in vars(copy))
    with pytest.raises(NotFittedError):
        _output(copy, X[:5])
    np.testing.assert_array_equal(_output(fitted, X[:5]), before)


def test_cross_val_score_gives_one_finite_score_per_fold(case):
    _, estimator, X, y, _ = case
    scores = cross_val_score(estimator, X, y, cv=KFold(2))
    assert scores.shape == (2,)
    assert np.isfinite(scores).all()


def test_grid_search_tries_every_value_and_refits_the_best(case):
    _, estimator, X, y, (name, values) = case
    search = GridSearchCV(estimator, {name: values}, cv=KFold(2)).fit(X, y)
    assert [p[name] for p in search.cv_results_["params"]] == values
    assert search.best_params_[name] in values
    assert search.best_estimator_.get_params()[name] == search.best_params_[name]
    assert np.shape(_output(search.best_estimator_, X[:3]))[0] == 3


def test_set_params_then_refit_gives_the_model_of_the_new_parameters(case):
    _, estimator, X, y, (name, values) = case
    model = clone(estimator).set_params(**{name: values[0]}).fit(X, y)
    small = _n_fitted_weights(model)
    model.set_params(**{name: values[1]}).fit(X, y)
    fresh = clone(estimator).set_params(**{name: values[1]}).fit(X, y)
    assert _n_fitted_weights(model) == _n_fitted_weights(fresh) != small
    np.testing.assert_array_equal(_output(model, X[:5]), _output(fresh, X[:5]))


def _as_frame(X):
    columns = [f"column_{i}" for i in range(X.shape[1])]
    return pd.DataFrame(X, columns=columns, index=np.arange(100, 100 + len(X)))


def test_a_dataframe_at_fit_keeps_its_column_names(case, fitted):
    _, estimator, X, y, _ = case
    frame = _as_frame(X)
    model = clone(estimator).fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, frame.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_frame = _output(model, frame.iloc[:5])
    # A DataFrame's array is column-major: the arithmetic may round apart.
    np.testing.assert_allclose(from_frame, _output(fitted, X[:5]), rtol=1e-5)


def test_inference_on_a_dataframe_warns_of_nothing_in_a_fresh_interpreter():
    """torch warns once per process when it shares a read-only array, such
    as a pandas DataFrame's: only a fresh interpreter shows whether it does."""
    script = (
        "import numpy as np, pandas as pd\n"
        "from sklarith import ArithmeticMultiOutputClassifier\n"
        "X = pd.DataFrame(np.random.rand(20, 2).astype(np.float32))\n"
        "model = ArithmeticMultiOutputClassifier(\n"
        "    hidden_layer_sizes=(2,), max_epochs=1, random_state=0\n"
        ").fit(X, (X[0] > 0.5).astype(int))\n"
        "model.predict(X)\n"
        "model.predict_proba(X)\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_other_column_names_at_inference_are_refused(case):
    _, estimator, X, y, _ = case
    model = clone(estimator).fit(_as_frame(X), y)
    renamed = _as_frame(X[:5]).rename(columns={"column_0": "other"})
    with pytest.raises(ValueError, match="feature names should match"):
        _output(model, renamed)


@pytest.mark.parametrize("name", ["autoencoder", "pca"])
def test_pandas_output_names_the_codes_and_keeps_the_index(name):
    estimator, data, _ = CASES[name]
    X, _ = data()
    frame = _as_frame(X)
    codes = clone(estimator).set_output(transform="pandas").fit(frame).transform(frame)
    assert isinstance(codes, pd.DataFrame)
    assert list(codes.columns) == ["image0_code0", "image0_code1"]
    pd.testing.assert_index_equal(codes.index, frame.index)


def test_html_repr_shows_the_estimator_and_its_changed_parameters(case, fitted):
    _, estimator, _, _, (changed, _) = case
    for model in (estimator, fitted):
        html = model._repr_html_()
        assert f"{type(model).__name__}(" in html
        assert f"{changed}=" in html
        assert ("Not fitted</span>" in html) == (model is not fitted)


def test_pickle_and_joblib_round_trips_give_identical_results(case, fitted, tmp_path):
    _, _, X, _, _ = case
    expected = _output(fitted, X)
    joblib.dump(fitted, tmp_path / "model.joblib")
    for restored in (
        pickle.loads(pickle.dumps(fitted)),
        joblib.load(tmp_path / "model.joblib"),
    ):
        np.testing.assert_array_equal(_output(restored, X), expected)


@pytest.mark.parametrize("name", NET_CASES)
def test_a_model_pickled_on_cuda_predicts_the_same_on_a_cpu_only_machine(
    name, monkeypatch
):
    estimator, data, _ = CASES[name]
    X, y = data()
    model = clone(estimator).fit(X, y)
    expected = _output(model, X)
    blob = pickled_as_if_trained_on_cuda(model, monkeypatch)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with warnings.catch_warnings():
        # skorch says, as it should, that it moves the net to the CPU.
        warnings.simplefilter("ignore", DeviceWarning)
        restored = pickle.loads(blob)
    assert restored.device_ == "cpu"
    np.testing.assert_array_equal(_output(restored, X), expected)


@pytest.mark.parametrize("name", list(CASES))
def test_the_same_random_state_gives_identical_results(name):
    estimator, data, _ = CASES[name]
    X, y = data()
    first = clone(estimator).fit(X, y)
    second = clone(estimator).fit(X, y)
    np.testing.assert_array_equal(_output(first, X), _output(second, X))


@pytest.mark.parametrize("name", NET_CASES)
def test_another_random_state_gives_another_model(name):
    estimator, data, _ = CASES[name]
    X, y = data()
    first = clone(estimator).fit(X, y)
    other = clone(estimator).set_params(random_state=1).fit(X, y)
    assert not np.array_equal(_output(first, X), _output(other, X))


@pytest.mark.parametrize("name", NET_CASES)
def test_a_second_fit_starts_from_scratch(name):
    """No estimator has warm_start: fit always trains a new network, so a
    model fitted twice is the model fitted once on the second data."""
    estimator, data, _ = CASES[name]
    X, y = data()
    half = len(X) // 2
    y_first = None if y is None else y[:half]
    y_second = None if y is None else y[half:]
    refitted = clone(estimator).fit(X[:half], y_first).fit(X[half:], y_second)
    fresh = clone(estimator).fit(X[half:], y_second)
    np.testing.assert_array_equal(_output(refitted, X), _output(fresh, X))
    assert len(refitted.history_) == len(fresh.history_)


def _inference_method(model):
    """The module method that inference runs batch by batch."""
    if isinstance(model, AutoencoderTransformer):
        return "encode"
    if isinstance(model, MLPAdderRegressor):
        return "predict_sum"
    return "forward"


@pytest.mark.parametrize("name", NET_CASES)
def test_inference_runs_batch_by_batch_and_matches_one_big_batch(name, monkeypatch):
    estimator, data, _ = CASES[name]
    X, y = data()
    model = clone(estimator).set_params(batch_size=32).fit(X, y)
    module = model.net_.module_
    method = _inference_method(model)
    seen = []
    run = getattr(module, method)

    def spy(batch):
        seen.append(len(batch))
        return run(batch)

    X = X[:100]
    monkeypatch.setattr(model.net_, "batch_size", len(X))
    whole = _output(model, X)
    monkeypatch.setattr(model.net_, "batch_size", 32)
    monkeypatch.setattr(module, method, spy)
    batched = _output(model, X)
    expected = [32, 32, 32, 4]
    if hasattr(model, "predict_proba"):
        predicted = model.predict(X)
        expected = expected * 2
    assert seen == expected
    np.testing.assert_allclose(batched, whole, rtol=1e-5, atol=1e-6)
    if hasattr(model, "predict_proba"):
        monkeypatch.setattr(model.net_, "batch_size", len(X))
        np.testing.assert_array_equal(predicted, model.predict(X))
