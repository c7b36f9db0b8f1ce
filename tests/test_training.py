"""The training engine's own rules (``sklarith/_torch``, the fit template of
``sklarith/base.py``): the warning that training stopped before its loss
settled, where verbose output goes, scikit-learn's callbacks through
meta-estimators, and what a warm start refuses. What every estimator does is
tested over the registry in ``test_common.py``."""

import io
import logging
import subprocess
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import Pipeline
from skorch.history import History

from sklarith._torch.callbacks import WarnIfNotConverged, _DefaultHandler
from sklarith.utils._testing import ESTIMATOR_CASES

CASES = {case.name: case for case in ESTIMATOR_CASES}
ROOT = Path(__file__).parents[1]


def _run_python(script):
    """Run ``script`` in a fresh interpreter; return its completed process."""
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


# The warning that max_epochs cut training short


def _net_after(
    losses, *, max_epochs, monitor="valid_loss", earlier=(), lower_is_better=True
):
    """A stand-in for a skorch net whose fit ran epochs of ``losses``, after
    the epochs of ``earlier`` fits (a warm start's history), and the callback
    that watches them: ``monitor``, or the validation loss, which falls back
    to ``"train_loss"`` as for a net without a validation split."""
    history = History()
    net = SimpleNamespace(history=history, max_epochs=max_epochs)
    for loss in earlier:
        history.new_epoch()
        history.record(monitor, loss)
    callback = WarnIfNotConverged(
        "SomeEstimator",
        patience=3,
        threshold=1e-4,
        threshold_mode="rel",
        monitor="valid_loss" if monitor == "train_loss" else monitor,
        lower_is_better=lower_is_better,
    )
    callback.on_train_begin(net)
    for loss in losses:
        history.new_epoch()
        history.record(monitor, loss)
    return callback, net


def _warnings_at_train_end(callback, net):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        callback.on_train_end(net)
    return [w for w in caught if issubclass(w.category, ConvergenceWarning)]


def test_a_loss_still_falling_at_max_epochs_warns_with_the_fix():
    [warning] = _warnings_at_train_end(*_net_after([3, 2, 1], max_epochs=3))
    assert str(warning.message) == (
        "SomeEstimator stopped at max_epochs=3 with its validation loss still "
        "improving: it improved in epoch 3 of 3, and training counts as "
        "converged only after 3 epoch(s) without improvement (n_iter_no_change). "
        "Raise max_epochs to train to convergence."
    )


def test_a_loss_that_improved_within_the_patience_still_warns():
    assert _warnings_at_train_end(*_net_after([3, 1, 2, 2], max_epochs=4))


def test_a_loss_without_improvement_for_the_patience_does_not_warn():
    """Early stopping ends such a fit, whether at max_epochs or before."""
    assert not _warnings_at_train_end(*_net_after([1, 2, 2, 2], max_epochs=4))
    assert not _warnings_at_train_end(*_net_after([1, 2, 2, 2], max_epochs=9))


def test_drops_below_the_early_stopping_threshold_are_no_improvement():
    losses = [1.0, 1.0 - 1e-5, 1.0 - 2e-5, 1.0 - 3e-5]
    assert not _warnings_at_train_end(*_net_after(losses, max_epochs=4))


def test_without_a_validation_split_the_training_loss_is_watched():
    callback, net = _net_after([3, 2, 1], max_epochs=3, monitor="train_loss")
    [warning] = _warnings_at_train_end(callback, net)
    assert "with its training loss still improving" in str(warning.message)


def test_a_validation_score_still_rising_at_max_epochs_warns():
    callback, net = _net_after(
        [0.5, 0.6, 0.7], max_epochs=3, monitor="valid_acc", lower_is_better=False
    )
    [warning] = _warnings_at_train_end(callback, net)
    assert "with its validation score still improving" in str(warning.message)
    assert "it improved in epoch 3 of 3" in str(warning.message)


def test_a_validation_score_that_stalled_for_the_patience_does_not_warn():
    callback, net = _net_after(
        [0.7, 0.6, 0.6, 0.65], max_epochs=4, monitor="valid_acc", lower_is_better=False
    )
    assert not _warnings_at_train_end(callback, net)


def test_only_the_epochs_of_the_current_fit_count():
    """A warm start continues a history whose best loss may be older."""
    callback, net = _net_after([5, 4, 3], max_epochs=3, earlier=[1, 1, 1])
    [warning] = _warnings_at_train_end(callback, net)
    assert "it improved in epoch 3 of 3" in str(warning.message)


def test_a_fit_that_early_stopping_ends_does_not_warn():
    case = CASES["arithmetic"]
    model = case.make_estimator(max_epochs=100, n_iter_no_change=1, lr=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(*case.data())
    assert len(model.history_) < 100


def test_without_early_stopping_the_warning_names_the_training_loss():
    case = CASES["arithmetic"]
    model = case.make_estimator(early_stopping=False)
    with pytest.warns(ConvergenceWarning, match="its training loss still improving"):
        model.fit(*case.data())


@pytest.mark.parametrize("case", ["autoencoder", "arithmetic_encoder"])
def test_the_warning_points_at_the_line_that_called_fit(case):
    case = CASES[case]
    model = case.make_estimator(early_stopping=False, max_epochs=1)
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(*case.data())
    assert {warning.filename for warning in record} == {__file__}


def test_the_warning_points_at_the_line_that_called_cross_val_score():
    """Through scikit-learn's loop over the folds, which joblib runs."""
    case = CASES["arithmetic_encoder"]
    model = case.make_estimator(early_stopping=False, max_epochs=1)
    with pytest.warns(ConvergenceWarning) as record:
        cross_val_score(model, *case.data(), cv=2)
    assert {warning.filename for warning in record} == {__file__}


def test_the_pixel_range_warning_points_at_the_line_that_called_a_pipeline():
    case = CASES["arithmetic_encoder"]
    X, y = case.data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline = Pipeline([("arith", case.make_estimator())]).fit(X, y)
    with pytest.warns(UserWarning, match="far outside the range") as record:
        pipeline.predict(X * 255)
    assert {warning.filename for warning in record} == {__file__}


# Where verbose output goes


@pytest.fixture
def sklarith_logger():
    """The "sklarith" logger, its level and handlers restored afterwards."""
    logger = logging.getLogger("sklarith")
    level, handlers = logger.level, list(logger.handlers)
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers


class _ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append((record.name, record.getMessage()))


def _fit_verbosely(verbose):
    case = CASES["arithmetic"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Without early stopping: no line about restoring the best epoch.
        return case.make_estimator(
            max_epochs=2, early_stopping=False, verbose=verbose
        ).fit(*case.data())


def test_the_table_reaches_a_handler_of_the_sklarith_logger(sklarith_logger, capsys):
    handler = _ListHandler()
    sklarith_logger.addHandler(handler)
    _fit_verbosely(1)
    names = {name for name, _ in handler.messages}
    header, _, *rows = [message for _, message in handler.messages]
    assert names == {"sklarith.training"}
    assert header.split()[:2] == ["epoch", "train_loss"]
    assert [row.split()[0] for row in rows] == ["1", "2"]
    # A handler of the application's own shows the table, and only it.
    assert capsys.readouterr().out == ""


def test_setting_the_sklarith_logger_to_warning_silences_table_and_bar(
    sklarith_logger, capsys
):
    handler = _ListHandler()
    sklarith_logger.addHandler(handler)
    sklarith_logger.setLevel(logging.WARNING)
    _fit_verbosely(2)
    assert handler.messages == []
    assert capsys.readouterr() == ("", "")


def test_with_no_logging_configured_verbose_1_prints_the_table():
    script = (
        "import warnings\n"
        "from sklarith.utils._testing import ESTIMATOR_CASES\n"
        "warnings.simplefilter('ignore')\n"
        "case = {c.name: c for c in ESTIMATOR_CASES}['arithmetic']\n"
        "case.make_estimator(max_epochs=2, early_stopping=False, verbose=1)"
        ".fit(*case.data())\n"
    )
    result = _run_python(script)
    assert result.returncode == 0, result.stderr
    header, _, *rows = result.stdout.splitlines()
    assert header.split()[:2] == ["epoch", "train_loss"]
    assert [row.split()[0] for row in rows] == ["1", "2"]
    assert "\x1b[" not in result.stdout


def test_once_logging_is_configured_its_handlers_alone_show_the_table():
    script = (
        "import logging, sys, warnings\n"
        "from sklarith.utils._testing import ESTIMATOR_CASES\n"
        "warnings.simplefilter('ignore')\n"
        "logging.basicConfig(stream=sys.stderr, format='LOG %(name)s: %(message)s')\n"
        "case = {c.name: c for c in ESTIMATOR_CASES}['arithmetic']\n"
        "case.make_estimator(max_epochs=2, early_stopping=False, verbose=1)"
        ".fit(*case.data())\n"
    )
    result = _run_python(script)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 4
    assert all(line.startswith("LOG sklarith.training: ") for line in lines)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize(
    ("stream", "coloured"), [(_Terminal(), True), (io.StringIO(), False)]
)
def test_sklarith_s_own_handler_colours_only_on_a_terminal(
    stream, coloured, monkeypatch
):
    record = logging.LogRecord(
        "sklarith.training", logging.INFO, "", 0, "1  0.5", None, None
    )
    record.coloured = "1  \x1b[36m0.5\x1b[0m"
    monkeypatch.setattr(sys, "stdout", stream)
    _DefaultHandler().emit(record)
    expected = record.coloured if coloured else "1  0.5"
    assert stream.getvalue() == expected + "\n"


# scikit-learn's callbacks through meta-estimators


class _EpochCounter:
    """A scikit-learn callback that meta-estimators pass on to the
    estimators they fit, counting the epochs of each estimator class."""

    max_propagation_depth = None

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.epochs = {}

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        if context.task_name != "epoch":
            return False
        name = context.estimator_name
        self.epochs[name] = self.epochs.get(name, 0) + 1
        return self.epochs[name] == self.stop_after


@pytest.fixture
def sklearn_callbacks():
    pytest.importorskip("sklearn.callback")


@pytest.mark.usefixtures("sklearn_callbacks")
def test_a_callback_set_on_a_grid_search_counts_the_epochs_of_every_fit():
    case = CASES["arithmetic"]
    X, y = case.data()
    # Without early stopping, every fit runs max_epochs epochs.
    model = case.make_estimator(early_stopping=False, max_epochs=2)
    counter = _EpochCounter()
    search = GridSearchCV(model, {"hidden_layer_sizes": [(4,), (8,)]}, cv=KFold(2))
    search.set_callbacks(counter).fit(X, y)
    n_fits = 2 * 2 + 1
    assert counter.epochs == {"ArithmeticMultiOutputClassifier": n_fits * 2}


@pytest.mark.usefixtures("sklearn_callbacks")
def test_a_callback_set_on_a_pipeline_counts_the_epochs_of_its_steps():
    case = CASES["arithmetic"]
    X, y = case.data()
    model = case.make_estimator(early_stopping=False, max_epochs=2)
    counter = _EpochCounter()
    pipeline = Pipeline([("identity", "passthrough"), ("net", model)])
    pipeline.set_callbacks(counter).fit(X, y)
    assert counter.epochs == {"ArithmeticMultiOutputClassifier": 2}


@pytest.mark.usefixtures("sklearn_callbacks")
def test_a_callback_that_asks_to_stop_ends_training_after_that_epoch():
    case = CASES["arithmetic"]
    model = case.make_estimator(max_epochs=5).set_callbacks(_EpochCounter(stop_after=2))
    model.fit(*case.data())
    assert len(model.history_) == 2


class _TaskRecorder(_EpochCounter):
    """Records the estimator and name of every task that ends."""

    def __init__(self):
        super().__init__()
        self.tasks = []

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.tasks.append((context.estimator_name, context.task_name))
        return False


@pytest.mark.usefixtures("sklearn_callbacks")
def test_a_pca_encoder_in_a_pipeline_reports_its_fit_as_one_task():
    case = CASES["pca"]
    recorder = _TaskRecorder()
    pipeline = Pipeline([("enc", case.make_estimator()), ("identity", "passthrough")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pipeline.set_callbacks(recorder).fit(*case.data())
    assert ("PCAEncoder", "fit") in recorder.tasks


def test_without_sklearn_s_callback_api_estimators_import_and_fit():
    """scikit-learn before 1.9 has no ``sklearn.callback``: here it is
    hidden from sklarith, after importing the parts of scikit-learn that
    import it themselves."""
    script = (
        "import sys, warnings\n"
        "import sklearn.model_selection, sklearn.pipeline, sklearn.decomposition\n"
        "sys.modules['sklearn.callback'] = None\n"
        "from sklarith.utils._testing import ESTIMATOR_CASES\n"
        "warnings.simplefilter('ignore')\n"
        "for case in ESTIMATOR_CASES:\n"
        "    model = case.make_estimator().fit(*case.data())\n"
        "    assert not hasattr(model, 'set_callbacks'), case.name\n"
    )
    result = _run_python(script)
    assert result.returncode == 0, result.stderr


# What a warm start refuses


def test_a_warm_start_on_other_classes_is_refused_and_keeps_the_model():
    case = CASES["arithmetic"]
    X, Y = case.data()
    model = case.make_estimator(warm_start=True).fit(X, Y)
    classes, predictions = model.classes_, model.predict(X)
    other = Y.assign(second=Y["second"] + 1)
    message = (
        r"classes_ was \[\[0, 1\], \[0, 1, 2\]\], now "
        r"\[\[0, 1\], \[1, 2, 3\]\]\. .*set warm_start=False"
    )
    with pytest.raises(ValueError, match=message):
        model.fit(X, other)
    assert model.classes_ is classes
    np.testing.assert_array_equal(model.predict(X), predictions)


def test_a_warm_start_on_rows_of_another_width_is_refused():
    case = CASES["adder"]
    X, y = case.data()
    model = case.make_estimator(warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="n_features_in_ was 2, now 3"):
        model.fit(np.hstack([X, X[:, :1]]), y)


def test_an_encoder_warm_started_on_pairs_continues_the_network_of_single_images():
    """An encoder codes each image on its own: rows of two images train the
    same network as rows of one."""
    case = CASES["autoencoder"]
    images, _ = case.data()
    model = case.make_estimator(warm_start=True).fit(images)
    n_epochs = len(model.history_)
    model.fit(np.hstack([images[:80], images[80:]]))
    assert len(model.history_) > n_epochs
    assert model.transform(images[:3]).shape == (3, model.n_components)
