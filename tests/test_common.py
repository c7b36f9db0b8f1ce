"""What every estimator does, tested once over the registry of small estimators.

Each test runs on every case of
:data:`sklarith.utils._testing.ESTIMATOR_CASES` (or on every case with the
feature it tests: a network, mixed precision): scikit-learn's own checks,
clone and model selection, warm start, pandas input, persistence (including
a model trained on CUDA loaded on a CPU-only machine), determinism, inference
batch by batch, bad input, progress output and the logger it goes through,
scikit-learn's callbacks, the warning that training stopped before its loss
settled, mixed precision and a Dask cluster. What only one estimator does is
tested in its own ``test_<module>.py``; the training engine's own rules in
``test_training.py``.

The registry's estimators train for a few epochs, so most fits end at
``max_epochs`` with the loss still falling: their ConvergenceWarning is
ignored here, except by the tests that expect it.
"""

import contextlib
import copy
import functools
import inspect
import logging
import pickle
import re
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
import torch.serialization
from sklearn.base import BaseEstimator, clone, is_classifier, is_regressor
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.utils.estimator_checks import (
    estimator_checks_generator,
    parametrize_with_checks,
)
from skorch.callbacks import Callback
from skorch.exceptions import DeviceWarning

import sklarith
from sklarith.base import NetEstimator
from sklarith.exceptions import TrainingDivergedError
from sklarith.utils._testing import ESTIMATOR_CASES, SMALL_BATCH_CHECKS, computed

CASES = {case.name: case for case in ESTIMATOR_CASES}
NET_CASES = [c.name for c in ESTIMATOR_CASES if isinstance(c.estimator, NetEstimator)]
SUPERVISED_CASES = [
    c.name
    for c in ESTIMATOR_CASES
    if c.estimator.__sklearn_tags__().target_tags.required
]
EARLY_STOPPING_CASES = [
    c.name for c in ESTIMATOR_CASES if "early_stopping" in c.estimator.get_params()
]
MIXED_PRECISION_CASES = [
    c.name for c in ESTIMATOR_CASES if "mixed_precision" in c.estimator.get_params()
]


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    return CASES[request.param]


@pytest.fixture(scope="module")
def data(case):
    return case.data()


@pytest.fixture(scope="module")
def fitted(case, data):
    """The case's estimator fitted on its data; tests leave it as it is."""
    return case.make_estimator().fit(*data)


def _inference_methods(estimator):
    methods = ("transform", "predict", "predict_proba")
    return [method for method in methods if hasattr(estimator, method)]


def _params(estimator):
    """The parameters, deep, with each nested estimator (whose own are among
    them) replaced by its class: a clone clones nested estimators too."""
    return {
        name: type(value) if isinstance(value, BaseEstimator) else value
        for name, value in estimator.get_params().items()
    }


def _rows(y, rows):
    """``y[rows]``, for a ``y`` that may be None."""
    return None if y is None else y[rows]


# scikit-learn's estimator checks, with the failures each case expects

_CHECKED_ESTIMATORS = [case.estimator_for_checks() for case in ESTIMATOR_CASES]
_EXPECTED_FAILURES = {
    id(estimator): case.expected_failed_checks
    for estimator, case in zip(_CHECKED_ESTIMATORS, ESTIMATOR_CASES, strict=True)
}


# An expected failure that passes is an error, so that the list stays true;
# scikit-learn 1.6, the oldest we support, cannot say so and only reports it.
_STRICT = (
    {"xfail_strict": True}
    if "xfail_strict" in inspect.signature(parametrize_with_checks).parameters
    else {}
)


def test_every_public_estimator_has_a_case_in_the_registry():
    public = {
        value
        for value in map(functools.partial(getattr, sklarith), sklarith.__all__)
        if isinstance(value, type) and issubclass(value, BaseEstimator)
    }
    assert public == {type(case.estimator) for case in ESTIMATOR_CASES}


@parametrize_with_checks(
    _CHECKED_ESTIMATORS,
    expected_failed_checks=lambda estimator: _EXPECTED_FAILURES[id(estimator)],
    **_STRICT,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _check_function(check):
    while isinstance(check, functools.partial):
        check = check.func
    return check


def _small_batch_checks():
    """The checks of :data:`SMALL_BATCH_CHECKS` on each case's small-batch
    estimator, those the case expects to fail marked with their reason."""
    for case in ESTIMATOR_CASES:
        estimator = case.estimator_for_small_batch_checks()
        if estimator is None:
            continue
        for estimator_, check in estimator_checks_generator(estimator, legacy=True):
            name = _check_function(check).__name__
            if name not in SMALL_BATCH_CHECKS:
                continue
            reason = case.expected_failed_checks.get(name)
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            yield pytest.param(estimator_, check, marks=marks, id=f"{case.name}-{name}")


@pytest.mark.parametrize(("estimator", "check"), list(_small_batch_checks()))
def test_sklearn_checks_of_batching_with_small_batches(estimator, check):
    """Batches of fewer rows than the checks' data: training and inference
    on several batches, the last one shorter."""
    check(estimator)


# Clone and model selection


def test_clone_of_an_unfitted_estimator_has_the_same_parameters(case):
    copy_ = clone(case.estimator)
    assert copy_ is not case.estimator
    assert _params(copy_) == _params(case.estimator)


def test_clone_of_a_fitted_estimator_is_unfitted_and_leaves_the_original(data, fitted):
    X, _ = data
    before = computed(fitted, X[:5])
    copy_ = clone(fitted)
    assert _params(copy_) == _params(fitted)
    assert not any(name.endswith("_") for name in vars(copy_))
    with pytest.raises(NotFittedError):
        computed(copy_, X[:5])
    np.testing.assert_array_equal(computed(fitted, X[:5]), before)


def test_cross_val_score_scores_each_fold_with_a_model_of_the_other(case, data):
    X, y = data
    scores = cross_val_score(case.estimator, X, y, cv=KFold(2))
    first, second = slice(0, len(X) // 2), slice(len(X) // 2, None)
    expected = [
        case.make_estimator()
        .fit(X[train], _rows(y, train))
        .score(X[test], _rows(y, test))
        for train, test in [(second, first), (first, second)]
    ]
    np.testing.assert_array_equal(scores, expected)


def test_grid_search_tries_every_value_and_refits_the_best(case, data):
    X, y = data
    name, values = case.grid
    search = GridSearchCV(case.estimator, {name: values}, cv=KFold(2)).fit(X, y)
    assert [params[name] for params in search.cv_results_["params"]] == values
    assert search.best_estimator_.get_params()[name] == search.best_params_[name]
    np.testing.assert_array_equal(
        computed(search.best_estimator_, X[:3]),
        computed(case.make_estimator(**search.best_params_).fit(X, y), X[:3]),
    )


def _n_fitted_weights(model):
    if hasattr(model, "pca_"):
        return model.pca_.components_.size
    return sum(p.numel() for p in model.net_.module_.parameters())


def test_set_params_then_refit_gives_the_model_of_the_new_parameters(case, data):
    X, y = data
    name, (first, second) = case.grid
    model = case.make_estimator(**{name: first}).fit(X, y)
    small = _n_fitted_weights(model)
    model.set_params(**{name: second}).fit(X, y)
    fresh = case.make_estimator(**{name: second}).fit(X, y)
    assert _n_fitted_weights(model) == _n_fitted_weights(fresh) != small
    np.testing.assert_array_equal(computed(model, X[:5]), computed(fresh, X[:5]))


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_a_second_fit_starts_from_scratch(case, data, fitted):
    """Without warm_start (the default), fit always trains a new network, so
    a model fitted twice is the model fitted once on the second data."""
    X, y = data
    second = slice(len(X) // 2, None)
    refitted = copy.deepcopy(fitted).fit(X[second], _rows(y, second))
    fresh = case.make_estimator().fit(X[second], _rows(y, second))
    np.testing.assert_array_equal(computed(refitted, X), computed(fresh, X))
    assert len(refitted.history_) == len(fresh.history_)


# Warm start


def _parameters(net):
    return {
        name: value.detach().clone() for name, value in net.module_.named_parameters()
    }


class _WeightsAtStart(Callback):
    """Records the parameters a fit starts training from."""

    def on_train_begin(self, net, **kwargs):
        self.weights_ = _parameters(net)


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_warm_start_continues_from_the_fitted_weights_and_history(case, data):
    model = case.make_estimator(warm_start=True).fit(*data)
    fitted_weights, n_epochs = _parameters(model.net_), len(model.history_)
    first_losses = model.history_[:, "train_loss"]
    model.set_params(callbacks=[("start", _WeightsAtStart())]).fit(*data)
    start = dict(model.net_.callbacks_)["start"].weights_
    assert start.keys() == fitted_weights.keys()
    for name, weights in fitted_weights.items():
        torch.testing.assert_close(start[name], weights, rtol=0, atol=0)
    assert len(model.history_) > n_epochs
    assert model.history_[:, "epoch"] == list(range(1, len(model.history_) + 1))
    assert model.history_[:n_epochs, "train_loss"] == first_losses


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_warm_start_on_an_unfitted_estimator_trains_from_scratch(case, data, fitted):
    X, y = data
    model = case.make_estimator(warm_start=True).fit(X, y)
    np.testing.assert_array_equal(computed(model, X), computed(fitted, X))


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_a_warm_start_on_another_network_is_refused_and_keeps_the_model(case, data):
    """The grid's two values give networks of different sizes."""
    X, y = data
    name, (first, second) = case.grid
    model = case.make_estimator(warm_start=True, **{name: first}).fit(X, y)
    fitted_state, output = dict(vars(model)), computed(model, X)
    with pytest.raises(ValueError, match=r"differs from it: .*warm_start=False"):
        model.set_params(**{name: second}).fit(X, y)
    assert vars(model).keys() == fitted_state.keys()
    for attribute, value in fitted_state.items():
        if attribute.endswith("_"):
            assert vars(model)[attribute] is value, attribute
    np.testing.assert_array_equal(computed(model, X), output)


def test_html_repr_shows_the_estimator_and_its_changed_parameters(case, fitted):
    changed, _ = case.grid
    for model in (case.estimator, fitted):
        html = model._repr_html_()
        assert f"{type(model).__name__}(" in html
        assert f"{changed}=" in html
        assert ("Not fitted</span>" in html) == (model is not fitted)


# pandas input


def _as_frame(X):
    columns = [f"column_{i}" for i in range(X.shape[1])]
    return pd.DataFrame(X, columns=columns, index=np.arange(100, 100 + len(X)))


def test_a_dataframe_at_fit_keeps_its_column_names(case, data, fitted):
    X, y = data
    frame = _as_frame(X)
    model = case.make_estimator().fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, frame.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_frame = computed(model, frame.iloc[:5])
    # A DataFrame's array is column-major: the arithmetic may round apart.
    np.testing.assert_allclose(from_frame, computed(fitted, X[:5]), rtol=1e-5)


def test_other_column_names_at_inference_are_refused(case, data):
    X, y = data
    model = case.make_estimator().fit(_as_frame(X), y)
    renamed = _as_frame(X[:5]).rename(columns={"column_0": "other"})
    for method in _inference_methods(model):
        with pytest.raises(ValueError, match="feature names should match"):
            getattr(model, method)(renamed)


def test_nothing_warns_on_dataframes_in_a_fresh_interpreter():
    """torch warns once per process when it shares a read-only array, such
    as a pandas DataFrame's: only a fresh interpreter shows whether it does."""
    script = (
        "import warnings\n"
        "import pandas as pd\n"
        "from sklearn.exceptions import ConvergenceWarning\n"
        "from sklarith.utils._testing import ESTIMATOR_CASES\n"
        "# The registry's short fits end with the loss still falling.\n"
        "warnings.simplefilter('ignore', ConvergenceWarning)\n"
        "for case in ESTIMATOR_CASES:\n"
        "    X, y = case.data()\n"
        "    X = pd.DataFrame(X[:40])\n"
        "    y = None if y is None else y[:40]\n"
        "    model = case.make_estimator().fit(X, y)\n"
        "    for method in ('transform', 'predict', 'predict_proba'):\n"
        "        if hasattr(model, method):\n"
        "            getattr(model, method)(X)\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_read_only_input_trains_and_infers_without_a_warning(case, data):
    """joblib hands workers read-only memory maps: valid input, no warning."""
    X, y = data
    X = np.array(X)
    X.setflags(write=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = case.make_estimator().fit(X, y)
        computed(model, X)


# Persistence


def test_pickle_and_joblib_round_trips_give_identical_results(data, fitted, tmp_path):
    X, _ = data
    expected = computed(fitted, X)
    joblib.dump(fitted, tmp_path / "model.joblib")
    for restored in (
        pickle.loads(pickle.dumps(fitted)),
        joblib.load(tmp_path / "model.joblib"),
    ):
        np.testing.assert_array_equal(computed(restored, X), expected)


def _with_nets(estimator):
    """The estimator and the fitted estimators it holds, those with a net."""
    held = [value for value in vars(estimator).values() if hasattr(value, "net_")]
    return [estimator, *held] if hasattr(estimator, "net_") else held


def pickled_as_if_trained_on_cuda(estimator, monkeypatch):
    """Pickle ``estimator`` as a CUDA machine would, without needing CUDA.

    skorch keeps a net's tensors in a ``torch.save`` blob whose storages are
    tagged with their device; tagging them ``cuda:0`` and naming CUDA as the
    device of every net (a fine-tuned encoder's too) is what a GPU-trained
    model looks like to the unpickler.
    """
    for model in _with_nets(estimator):
        for name in ("device", "iterator_train__device", "iterator_valid__device"):
            monkeypatch.setattr(model.net_, name, "cuda")
        monkeypatch.setattr(model, "device_", "cuda")
    with monkeypatch.context() as patch:
        patch.setattr(torch.serialization, "location_tag", lambda storage: "cuda:0")
        blob = pickle.dumps(estimator)
    assert b"cuda:0" in blob
    return blob


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_a_model_pickled_on_cuda_predicts_the_same_on_a_cpu_only_machine(
    data, fitted, monkeypatch
):
    X, _ = data
    expected = computed(fitted, X)
    blob = pickled_as_if_trained_on_cuda(fitted, monkeypatch)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with warnings.catch_warnings():
        # skorch says, as it should, that it moves the net to the CPU.
        warnings.simplefilter("ignore", DeviceWarning)
        restored = pickle.loads(blob)
    for model in _with_nets(restored):
        assert model.device_ == "cpu"
        assert model.net_.iterator_valid__device == "cpu"
    np.testing.assert_array_equal(computed(restored, X), expected)


# Determinism


def test_the_same_random_state_gives_identical_results(case, data, fitted):
    X, y = data
    again = case.make_estimator().fit(X, y)
    np.testing.assert_array_equal(computed(again, X), computed(fitted, X))


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_another_random_state_gives_another_model(case, data, fitted):
    X, y = data
    other = case.make_estimator(random_state=1).fit(X, y)
    assert not np.array_equal(computed(other, X), computed(fitted, X))


def _search_scores(case, data, backend, n_jobs):
    X, y = data
    name, values = case.grid
    search = GridSearchCV(
        case.estimator,
        {name: values, "random_state": [0, 1]},
        cv=KFold(2),
        n_jobs=n_jobs,
        refit=False,
    )
    with joblib.parallel_backend(backend):
        search.fit(X, y)
    return np.stack(
        [search.cv_results_[f"split{fold}_test_score"] for fold in range(2)]
    )


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_a_grid_search_scores_the_same_on_threads_processes_or_one_by_one(case, data):
    """Each fit owns its random streams: fits running at the same time in one
    process reproduce those run one after the other, and fits in other
    processes reproduce them to float32 rounding: a worker process runs torch
    on another number of threads, whose sums may round the last bit apart
    (seen once, 6e-8 on one fold, with the augmented autoencoder)."""
    one_by_one = _search_scores(case, data, "sequential", n_jobs=1)
    np.testing.assert_array_equal(
        _search_scores(case, data, "threading", n_jobs=2), one_by_one
    )
    np.testing.assert_allclose(
        _search_scores(case, data, "loky", n_jobs=2), one_by_one, rtol=1e-6, atol=0
    )


# The user's own skorch callbacks


class _EpochCounter(Callback):
    def initialize(self):
        self.epochs_ = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs_ += 1


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_a_users_callback_runs_every_epoch_as_a_copy_of_its_own(case, data):
    counter = _EpochCounter()
    model = case.make_estimator(callbacks=[("counter", counter)]).fit(*data)
    assert dict(model.net_.callbacks_)["counter"].epochs_ == len(model.history_)
    assert not hasattr(counter, "epochs_")


# scikit-learn's callbacks (sklearn.callback, from scikit-learn 1.9)


class _TaskRecorder:
    """A scikit-learn callback that records the tasks it is told of, and
    what the estimator it is given at the end of each computes."""

    def __init__(self, X):
        self.X = X
        self.tasks = []
        self.outputs = []

    def setup(self, estimator, context):
        self.tasks.append("setup")

    def teardown(self, estimator, context):
        self.tasks.append("teardown")

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self.tasks.append(f"begin {context.task_name}")

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None, **kwargs):
        self.tasks.append(f"end {context.task_name}")
        self.outputs.append(computed(fitted_estimator, self.X))


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_a_sklearn_callback_is_told_of_the_fit_and_of_every_epoch(case, data):
    pytest.importorskip("sklearn.callback")
    X, y = data
    recorder = _TaskRecorder(X[:5])
    model = case.make_estimator().set_callbacks(recorder).fit(X, y)
    epochs = ["begin epoch", "end epoch"] * len(model.history_)
    assert recorder.tasks == ["setup", "begin fit", *epochs, "end fit", "teardown"]
    # The fit's task ends with the fitted model.
    np.testing.assert_array_equal(recorder.outputs[-1], computed(model, X[:5]))


# Training cut short by max_epochs


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_max_epochs_cutting_a_falling_loss_warns_naming_the_estimator(case, data):
    name = type(case.estimator).__name__
    with pytest.warns(
        ConvergenceWarning, match=rf"^{name} stopped at max_epochs="
    ) as caught:
        model = case.make_estimator().fit(*data)
    # What the warning says: the validation loss was lowest at the last epoch.
    losses = model.history_[:, "valid_loss"]
    assert losses[-1] == min(losses)
    assert any("Raise max_epochs" in str(w.message) for w in caught)


# A diverged fit is an error, not a model


@pytest.mark.parametrize(
    "case", [name for name in NET_CASES if name != "adder"], indirect=True
)
@pytest.mark.parametrize("lr", [1e30, 1e38])
def test_a_fit_that_diverges_stops_with_an_error_naming_the_learning_rate(
    case, data, lr
):
    """At lr=1e30 the loss becomes NaN; at 1e38 Adam's step overflows float32
    before it does. The adder's L-BFGS line search does not diverge: its own
    tests make its loss overflow with large inputs instead."""
    model = case.make_estimator(lr=lr)
    with pytest.raises(TrainingDivergedError, match=re.escape(f"lr={lr:g}")):
        model.fit(*data)
    assert not hasattr(model, "net_")


# Inference batch by batch


@contextlib.contextmanager
def _rows_seen_by_each_layer():
    """Record the number of rows of every input a leaf torch module computes."""
    rows = []

    def hook(module, args):
        if not any(module.children()) and args and torch.is_tensor(args[0]):
            rows.append(len(args[0]))

    handle = torch.nn.modules.module.register_module_forward_pre_hook(hook)
    try:
        yield rows
    finally:
        handle.remove()


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_inference_runs_batch_by_batch_and_matches_one_big_batch(
    data, fitted, monkeypatch
):
    X, _ = data
    X = X[:100]
    monkeypatch.setattr(fitted.net_, "batch_size", 100)
    methods = _inference_methods(fitted)
    whole = {method: getattr(fitted, method)(X) for method in methods}
    monkeypatch.setattr(fitted.net_, "batch_size", 32)
    with _rows_seen_by_each_layer() as one_batch:
        computed(fitted, X[:32])
    for method in methods:
        with _rows_seen_by_each_layer() as batched:
            result = getattr(fitted, method)(X)
        # A batch size of 32 rounds up to batches of 48 rows: 100 rows go in
        # batches of 48, 48 and 4 padded to 48. Every layer sees what it sees
        # of one full batch, as for 32 rows.
        assert set(batched) == set(one_batch)
        np.testing.assert_allclose(
            np.hstack(result) if isinstance(result, list) else result,
            np.hstack(whole[method]) if isinstance(result, list) else whole[method],
            rtol=1e-5,
            atol=1e-6,
        )


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_a_rows_output_does_not_depend_on_the_rows_inferred_with_it(
    data, fitted, monkeypatch
):
    """Batches of 18 rows: a row's output is the same, to the last bit, in
    any order of the rows, where the batches fall elsewhere, and alone."""
    X, _ = data
    X = X[:100]
    monkeypatch.setattr(fitted.net_, "batch_size", 18)
    whole = computed(fitted, X)
    order = np.random.RandomState(0).permutation(len(X))
    np.testing.assert_array_equal(computed(fitted, X[order]), whole[order])
    alone = np.concatenate([computed(fitted, X[row : row + 1]) for row in range(5)])
    np.testing.assert_array_equal(alone, whole[:5])


# Bad input: refused with an error that names it, never a torch error


def _with(array, value, row=0, column=0):
    """A copy of ``array`` with one entry replaced."""
    kind = object if isinstance(value, str) else np.result_type(array, type(value))
    array = np.array(array, dtype=kind)
    array[row, column] = value
    return array


def _strings(array):
    return np.full(np.shape(array), "seven", dtype=object)


def _ragged(array):
    """A list of rows, one of them a number short."""
    rows = np.asarray(array).tolist()
    rows[1] = rows[1][:-1]
    return rows


#: Bad X, made from good X: (make it, the error, a fragment of its message).
BAD_X = {
    "nan": (lambda X: _with(X, np.nan), ValueError, "NaN"),
    "infinity": (lambda X: _with(X, np.inf), ValueError, "infinity"),
    "strings": (_strings, ValueError, "could not convert string to float"),
    "sparse": (sp.csr_matrix, TypeError, "^Sparse data"),
    "1d": (lambda X: np.asarray(X)[0], ValueError, "Expected 2D array"),
    "no-rows": (lambda X: X[:0], ValueError, "0 sample"),
}


@contextlib.contextmanager
def _refused(error, fragment):
    """Expect ``error``, its message holding ``fragment``, not raised by torch."""
    with pytest.raises(error, match=fragment) as caught:
        yield
    assert not type(caught.value).__module__.startswith("torch")
    assert "torch" not in str(caught.value).lower()


@pytest.mark.parametrize("bad", list(BAD_X))
def test_fit_refuses_bad_X(case, data, bad):
    X, y = data
    make_bad, error, fragment = BAD_X[bad]
    if bad == "no-rows":
        y = _rows(y, slice(0, 0))
    with _refused(error, fragment):
        case.make_estimator().fit(make_bad(X), y)


@pytest.mark.parametrize("bad", list(BAD_X))
def test_inference_refuses_bad_X(data, fitted, bad):
    X, _ = data
    make_bad, error, fragment = BAD_X[bad]
    for method in _inference_methods(fitted):
        with _refused(error, fragment):
            getattr(fitted, method)(make_bad(X))


def test_fit_refuses_rows_of_different_lengths(case, data):
    X, y = data
    with _refused(ValueError, "inhomogeneous"):
        case.make_estimator().fit(_ragged(X), y)


@pytest.mark.parametrize("case", SUPERVISED_CASES, indirect=True)
def test_fit_refuses_y_with_another_number_of_rows(case, data):
    X, y = data
    with _refused(ValueError, "inconsistent numbers of samples"):
        case.make_estimator().fit(X, y[:-1])


def test_a_single_row_is_too_few_to_fit(case, data):
    X, y = data
    fragment = r"at least 2 (samples|distinct images)|more than the 1 distinct images"
    with _refused(ValueError, fragment):
        case.make_estimator().fit(X[:1], _rows(y, slice(0, 1)))


@pytest.mark.parametrize("case", EARLY_STOPPING_CASES, indirect=True)
def test_a_validation_fraction_that_leaves_no_row_to_train_on_is_refused(case, data):
    model = case.make_estimator(early_stopping=True, validation_fraction=0.999)
    with _refused(ValueError, r"validation_fraction=0.999 holds out .* leaves 0"):
        model.fit(*data)


def test_inference_refuses_another_number_of_features(data, fitted):
    X, _ = data
    n_features = X.shape[1]
    fragment = (
        f"X has {n_features - 1} features, but .* is expecting {n_features} features"
    )
    for method in _inference_methods(fitted):
        with _refused(ValueError, fragment):
            getattr(fitted, method)(X[:, :-1])


def test_inference_on_a_single_row_gives_a_single_result(data, fitted):
    X, _ = data
    for method in _inference_methods(fitted):
        result = getattr(fitted, method)(X[:1])
        for output in result if isinstance(result, list) else [result]:
            assert len(output) == 1


def test_inference_before_fit_raises_not_fitted(case, data):
    X, _ = data
    for method in _inference_methods(case.estimator):
        with _refused(NotFittedError, "not fitted yet"):
            getattr(case.make_estimator(), method)(X)


# What verbose shows while a network trains: lines logged to the
# "sklarith.training" logger (pytest's handlers receive them here), and
# tqdm's progress bar on standard error


def _fit_verbosely(case, data, verbose, caplog, capsys):
    """Fit for two epochs; return the lines logged, and what was printed on
    standard output and standard error."""
    with caplog.at_level(logging.INFO, logger="sklarith"):
        case.make_estimator(max_epochs=2, verbose=verbose).fit(*data)
    lines = [r.getMessage() for r in caplog.records if r.name == "sklarith.training"]
    captured = capsys.readouterr()
    return lines, captured.out, captured.err


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_verbose_1_logs_a_table_row_per_epoch(case, data, caplog, capsys):
    lines, _, err = _fit_verbosely(case, data, 1, caplog, capsys)
    header, rule, *rows = lines
    predicts = is_classifier(case.estimator) or is_regressor(case.estimator)
    accuracy = ["valid_acc"] if predicts else []
    assert header.split() == ["epoch", "train_loss", *accuracy, "valid_loss", "dur"]
    assert set(rule) == {"-", " "}
    # Early stopping may add its line about the best epoch it restores.
    epochs = [row for row in rows if not row.startswith("Restoring best model")]
    assert [row.split()[0] for row in epochs] == ["1", "2"]
    assert "it/s" not in err


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_the_logged_epoch_table_has_no_colour_codes(case, data, caplog, capsys):
    """Log records are plain text whatever the terminal; only sklarith's own
    handler colours them, on a terminal (``test_training.py``)."""
    lines, out, _ = _fit_verbosely(case, data, 1, caplog, capsys)
    assert not any("\x1b[" in line for line in lines)
    assert "\x1b[" not in out


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_verbose_2_adds_a_progress_bar_within_each_epoch(case, data, caplog, capsys):
    lines, _, err = _fit_verbosely(case, data, 2, caplog, capsys)
    # tqdm draws on stderr and counts the batches of the epoch from 0.
    bars = re.findall(r"\| 0/(\d+) \[", err)
    assert len(bars) == 2
    assert all(int(n_batches) >= 1 for n_batches in bars)
    assert lines[0].split()[0] == "epoch"


@pytest.mark.parametrize("case", NET_CASES, indirect=True)
def test_verbose_0_logs_and_prints_nothing(case, data, caplog, capsys):
    assert _fit_verbosely(case, data, 0, caplog, capsys) == ([], "", "")


# mixed_precision=True: bfloat16 autocast in training and inference. On the
# CPU, torch's autocast supports bfloat16 too; the code path is the one CUDA
# takes, with the device type as its only input.


@contextlib.contextmanager
def _linear_output_dtypes():
    """Record the dtype of every nn.Linear output computed inside the block."""
    dtypes = set()

    def hook(module, _, output):
        if isinstance(module, torch.nn.Linear):
            dtypes.add(output.dtype)

    handle = torch.nn.modules.module.register_module_forward_hook(hook)
    try:
        yield dtypes
    finally:
        handle.remove()


@pytest.fixture(scope="module")
def fitted_in_mixed_precision(case, data):
    """The case fitted for an epoch with mixed precision, its own encoder's
    included, and the dtypes of the linear layers' outputs in training."""
    params = case.estimator.get_params()
    mixed = {name: True for name in params if name.endswith("mixed_precision")}
    model = case.make_estimator(max_epochs=1, **mixed)
    with _linear_output_dtypes() as dtypes:
        model.fit(*data)
    return model, dtypes


@pytest.mark.parametrize("case", MIXED_PRECISION_CASES, indirect=True)
def test_mixed_precision_trains_linear_layers_in_bfloat16(fitted_in_mixed_precision):
    _, dtypes_in_training = fitted_in_mixed_precision
    assert dtypes_in_training == {torch.bfloat16}


@pytest.mark.parametrize("case", MIXED_PRECISION_CASES, indirect=True)
def test_mixed_precision_infers_in_bfloat16_and_returns_float32(
    data, fitted_in_mixed_precision
):
    X, _ = data
    model, _ = fitted_in_mixed_precision
    with _linear_output_dtypes() as dtypes:
        output = computed(model, X[:50])
    assert dtypes == {torch.bfloat16}
    assert output.dtype == np.float32
    assert np.isfinite(output).all()


@pytest.mark.parametrize("case", MIXED_PRECISION_CASES, indirect=True)
def test_without_mixed_precision_inference_runs_in_float32(data, fitted):
    X, _ = data
    with _linear_output_dtypes() as dtypes:
        computed(fitted, X[:10])
    assert dtypes == {torch.float32}


# Hyperparameter search on a Dask cluster, through joblib


def test_grid_search_runs_on_the_workers_of_a_local_dask_cluster():
    """Every estimator is shipped to a worker process, fitted and scored
    there. One cluster serves all the cases and is closed before any other
    test runs beside it; its worker has two threads, so that joblib sees two
    jobs and ships them instead of running them in this process."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        workers = set(client.scheduler_info()["workers"])
        for case in ESTIMATOR_CASES:
            name, values = case.grid
            search = GridSearchCV(case.estimator, {name: values}, cv=2, refit=False)
            with (
                distributed.get_task_stream(client) as tasks,
                joblib.parallel_backend("dask"),
            ):
                search.fit(*case.data())
            # One fit and score per value and fold.
            assert len(tasks.data) == 2 * len(values), case.name
            assert {task["worker"] for task in tasks.data} <= workers, case.name
            assert np.isfinite(search.cv_results_["mean_test_score"]).all(), case.name
