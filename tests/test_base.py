"""The fit template of every net estimator (``sklarith/base.py``): parameters
checked before any data, the device, the training history, the validation
split, and a caller's torch random state left alone. Run on every net estimator of
the registry."""

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback

from sklarith.base import NetEstimator
from sklarith.utils._testing import ESTIMATOR_CASES, computed

NETS = [c for c in ESTIMATOR_CASES if isinstance(c.estimator, NetEstimator)]
LAYER_SIZES = [
    pytest.param(case, name, id=f"{case.name}-{name}")
    for case in NETS
    for name in case.estimator.get_params(deep=False)
    if name.endswith("layer_sizes") or name == "channels"
]


@pytest.fixture(scope="module", params=NETS, ids=[c.name for c in NETS])
def case(request):
    return request.param


@pytest.fixture(scope="module")
def data(case):
    return case.data()


@pytest.mark.parametrize(("case", "name"), LAYER_SIZES)
def test_layer_sizes_must_be_positive_integers_checked_before_any_data(case, name):
    message = (
        rf"The '{name}' parameter of {type(case.estimator).__name__} must be a "
        r"(non-empty )?tuple of positive integers"
    )
    for sizes in [(0,), (8, -1), (8.0,), (True,), ("8",)]:
        with pytest.raises(InvalidParameterError, match=message):
            case.make_estimator(**{name: sizes}).fit(None, None)


@pytest.mark.parametrize("value", [1, "yes", None])
def test_warm_start_must_be_a_boolean_checked_before_any_data(case, value):
    message = rf"The 'warm_start' parameter of {type(case.estimator).__name__} must"
    with pytest.raises(InvalidParameterError, match=message):
        case.make_estimator(warm_start=value).fit(None, None)


@pytest.mark.parametrize("device", ["tpu", "mps", "xpu", "hpu", "meta"])
def test_a_device_other_than_cpu_or_cuda_is_refused(case, data, device):
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu', 'cuda'"):
        case.make_estimator(device=device).fit(*data)


def test_a_cuda_index_the_machine_does_not_have_is_refused(case, data, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match=r"1 CUDA device\(s\), cuda:0 to cuda:0"):
        case.make_estimator(device="cuda:7").fit(*data)


def test_cuda_without_cuda_is_an_error_not_a_silent_cpu_run(case, data, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        case.make_estimator(device="cuda").fit(*data)


def test_auto_device_trains_on_the_cpu_without_cuda(case, data, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    model = case.make_estimator(device="auto", max_epochs=1).fit(*data)
    assert model.device_ == "cpu"
    assert next(model.net_.module_.parameters()).device.type == "cpu"


def test_history_has_a_row_per_epoch_with_losses(case, data):
    model = case.make_estimator(max_epochs=2, n_iter_no_change=5).fit(*data)
    assert model.history_ is model.net_.history
    assert model.history_[:, "epoch"] == [1, 2]
    assert all(loss > 0 for loss in model.history_[:, "train_loss"])
    assert all(loss > 0 for loss in model.history_[:, "valid_loss"])


def test_epochs_and_curves_read_as_in_mlp_classifier(case, data):
    model = case.make_estimator(max_epochs=2, n_iter_no_change=5).fit(*data)
    assert model.n_iter_ == 2
    assert model.loss_curve_ == model.history_[:, "train_loss"]
    scores = model.validation_scores_
    if hasattr(model, "transform"):
        assert scores is None
    else:
        assert scores == model.history_[:, "valid_acc"]
        assert len(scores) == 2
        assert all(0 <= score <= 1 for score in scores)


def test_a_warm_start_adds_its_epochs_to_n_iter(case, data):
    model = case.make_estimator(max_epochs=1, warm_start=True).fit(*data)
    model.fit(*data)
    assert model.n_iter_ == 2


def test_without_early_stopping_no_validation_score_is_measured(case, data):
    model = case.make_estimator(max_epochs=1, early_stopping=False).fit(*data)
    assert model.validation_scores_ is None


def test_without_early_stopping_every_epoch_trains_on_every_row(case, data):
    X, y = data
    model = case.make_estimator(early_stopping=False, max_epochs=2).fit(X, y)
    assert len(model.history_) == 2
    assert "valid_loss" not in model.history_[-1]
    assert "valid_acc" not in model.history_[-1]


def test_fit_leaves_the_callers_torch_random_state_alone(case, data):
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    case.make_estimator(max_epochs=1).fit(*data)
    np.testing.assert_array_equal(torch.rand(3), expected)


@pytest.mark.parametrize(
    ("lr_schedule", "share_of_lr_at_the_end"), [("cosine", 0.0), ("constant", 1.0)]
)
def test_lr_schedule_decays_the_rate_to_zero_or_keeps_it(
    case, data, lr_schedule, share_of_lr_at_the_end
):
    model = case.make_estimator(max_epochs=2, lr_schedule=lr_schedule).fit(*data)
    names = [name for name, _ in model.net_.callbacks_]
    assert ("lr_schedule" in names) == (lr_schedule == "cosine")
    (group,) = model.net_.optimizer_.param_groups
    assert group["lr"] == pytest.approx(
        share_of_lr_at_the_end * model.net_.lr, abs=1e-12
    )


def _halves(data):
    X, y = data
    half = len(X) // 2
    return (X[:half], None if y is None else y[:half]), (
        X[half:],
        None if y is None else y[half:],
    )


def test_partial_fit_trains_as_warm_start_does_on_the_same_batches(case, data):
    first, second = _halves(data)
    partial = case.make_estimator()
    # Every class in the first call, as a batch may lack some.
    classes = getattr(case.make_estimator().fit(*data), "classes_", None)
    if classes is not None:
        partial.partial_fit(*first, classes=classes)
    else:
        partial.partial_fit(*first)
    partial.partial_fit(*second)
    warm = case.make_estimator(
        warm_start=True, max_epochs=1, early_stopping=False, lr_schedule="constant"
    )
    warm.fit(*first).fit(*second)
    assert partial.n_iter_ == 2
    np.testing.assert_array_equal(computed(partial, data[0]), computed(warm, data[0]))


def test_partial_fit_leaves_the_parameters_as_they_were(case, data):
    model = case.make_estimator()
    before = model.get_params()
    first, _ = _halves(data)
    model.partial_fit(*first)
    assert model.get_params() == before


def test_a_users_lr_schedule_replaces_the_built_in_one(case, data):
    from skorch.callbacks import LRScheduler

    halving = LRScheduler(torch.optim.lr_scheduler.StepLR, step_size=1, gamma=0.5)
    model = case.make_estimator(max_epochs=2, callbacks=[halving]).fit(*data)
    names = [name for name, _ in model.net_.callbacks_]
    assert "lr_schedule" not in names
    (group,) = model.net_.optimizer_.param_groups
    assert group["lr"] == pytest.approx(model.net_.lr * 0.25)


class _InterruptAtEpoch(Callback):
    """Ctrl-C as a user presses it, at the end of the given epoch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


def test_ctrl_c_in_fit_reaches_the_caller_and_keeps_the_model_it_had(case, data):
    model = case.make_estimator(max_epochs=1).fit(*data)
    net = model.net_
    interrupted = model.set_params(max_epochs=3, callbacks=[_InterruptAtEpoch(2)])
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit(*data)
    assert model.net_ is net


def test_ctrl_c_in_a_first_fit_leaves_the_estimator_unfitted(case, data):
    model = case.make_estimator(max_epochs=3, callbacks=[_InterruptAtEpoch(1)])
    with pytest.raises(KeyboardInterrupt):
        model.fit(*data)
    assert not hasattr(model, "net_")
