"""Persistence of fitted estimators with skops: secure loading, same results.

A fitted estimator's persisted state holds its weights (``torch.save`` bytes
that load with ``weights_only=True``), its fitted attributes and sklarith's
own types, so that :func:`skops.io.load` needs to trust sklarith's types and
nothing else. Pickle and joblib round trips, and loading a model trained on
CUDA on a CPU-only machine with pickle, are tested over the registry in
``test_common.py``.
"""

import warnings

import numpy as np
import pytest
import torch
import torch.serialization
from sklearn.pipeline import Pipeline
from skorch.exceptions import DeviceWarning

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from sklarith.base import DOCS_URL, NetEstimator
from sklarith.utils._testing import ESTIMATOR_CASES, image_pairs_and_seed_results

sio = pytest.importorskip("skops.io")


CASES = {case.name: case for case in ESTIMATOR_CASES}
NET_CASES = [c.name for c in ESTIMATOR_CASES if isinstance(c.estimator, NetEstimator)]


def _pipeline():
    """An autoencoder and the arithmetic classifier on its codes."""
    return Pipeline(
        [
            (
                "enc",
                AutoencoderTransformer(
                    n_components=2,
                    image_shape=(8, 8),
                    channels=(2,),
                    max_epochs=1,
                    random_state=0,
                ),
            ),
            (
                "arith",
                ArithmeticMultiOutputClassifier(
                    hidden_layer_sizes=(8,),
                    head_layer_sizes=(),
                    max_epochs=1,
                    random_state=0,
                ),
            ),
        ]
    )


#: Every registry estimator, and the Pipeline of an encoder and the
#: classifier, each as ``(make, data)``.
MODELS = {
    **{name: (case.make_estimator, case.data) for name, case in CASES.items()},
    "pipeline": (_pipeline, image_pairs_and_seed_results),
}


@pytest.fixture(scope="module", params=list(MODELS))
def model_name(request):
    return request.param


@pytest.fixture(scope="module")
def data(model_name):
    return MODELS[model_name][1]()


@pytest.fixture(scope="module")
def fitted(model_name, data):
    return MODELS[model_name][0]().fit(*data)


def _outputs(model, X):
    """Everything the model computes on ``X``: codes, probabilities, labels."""
    outputs = []
    if hasattr(model, "transform"):
        outputs.append(model.transform(X))
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(X)
        outputs.extend(proba if isinstance(proba, list) else [proba])
    if hasattr(model, "predict"):
        outputs.append(np.asarray(model.predict(X)))
    return outputs


def _assert_same_outputs(model, expected, X):
    for got, want in zip(_outputs(model, X), expected, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("skops") / "model.skops"
    sio.dump(fitted, path)
    return path


def test_skops_lists_only_sklarith_types_as_untrusted(saved):
    untrusted = sio.get_untrusted_types(file=saved)
    assert untrusted
    assert [name for name in untrusted if not name.startswith("sklarith.")] == []


def test_skops_loads_with_sklarith_types_and_predicts_the_same(data, fitted, saved):
    X, _ = data
    trusted = sio.get_untrusted_types(file=saved)
    restored = sio.load(saved, trusted=trusted)
    _assert_same_outputs(restored, _outputs(fitted, X), X)


def test_skops_refuses_to_load_before_the_types_are_trusted(saved):
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.load(saved)


@pytest.mark.parametrize("case", NET_CASES)
def test_a_loaded_model_keeps_its_training_history(case, tmp_path):
    X, y = CASES[case].data()
    fitted = CASES[case].make_estimator().fit(X, y)
    sio.dump(fitted, tmp_path / "model.skops")
    restored = sio.load(
        tmp_path / "model.skops",
        trusted=sio.get_untrusted_types(file=tmp_path / "model.skops"),
    )
    assert restored.history_.to_list() == fitted.history_.to_list()


@pytest.mark.parametrize("case", NET_CASES)
def test_a_loaded_model_refits_as_a_fresh_one(case, tmp_path):
    X, y = CASES[case].data()
    fitted = CASES[case].make_estimator().fit(X, y)
    sio.dump(fitted, tmp_path / "model.skops")
    restored = sio.load(
        tmp_path / "model.skops",
        trusted=sio.get_untrusted_types(file=tmp_path / "model.skops"),
    )
    refitted = restored.fit(X, y)
    _assert_same_outputs(refitted, _outputs(fitted, X), X)


@pytest.mark.parametrize(
    ("namespace", "name"),
    [("builtins", "eval"), ("torch.nn", "functional"), ("torch.optim", "Tensor")],
    ids=["outside-the-namespaces", "not-a-class", "not-an-optimizer"],
)
def test_a_persisted_net_naming_a_class_sklarith_does_not_persist_is_refused(
    namespace, name
):
    case = CASES["arithmetic"]
    fitted = case.make_estimator().fit(*case.data())
    state = fitted.__getstate__()
    # The optimizer (Adam) is a class persisted by its name.
    optimizer = state["net_"]["params"]["optimizer"]
    assert optimizer["name"] == "Adam"
    state["net_"]["params"]["optimizer"] = {
        **optimizer,
        "namespace": namespace,
        "name": name,
    }
    restored = type(fitted).__new__(type(fitted))
    with pytest.raises(ValueError, match=f"{namespace}.{name}"):
        restored.__setstate__(state)


def test_loading_leaves_torch_random_state_as_it_was(tmp_path):
    case = CASES["arithmetic"]
    fitted = case.make_estimator().fit(*case.data())
    sio.dump(fitted, tmp_path / "model.skops")
    trusted = sio.get_untrusted_types(file=tmp_path / "model.skops")
    before = torch.get_rng_state()
    sio.load(tmp_path / "model.skops", trusted=trusted)
    assert torch.equal(torch.get_rng_state(), before)


def _dumped_as_if_trained_on_cuda(estimator, path, monkeypatch):
    """Save ``estimator`` with skops as a CUDA machine would, without CUDA:
    the weights' storages tagged ``cuda:0`` and CUDA named as the device of
    every net (a fine-tuned encoder's too)."""
    held = [v for v in vars(estimator).values() if hasattr(v, "net_")]
    for model in [estimator, *held]:
        for name in ("device", "iterator_train__device", "iterator_valid__device"):
            monkeypatch.setattr(model.net_, name, "cuda")
    with monkeypatch.context() as patch:
        patch.setattr(torch.serialization, "location_tag", lambda storage: "cuda:0")
        sio.dump(estimator, path)


@pytest.mark.parametrize("case", NET_CASES)
def test_a_model_saved_on_cuda_loads_with_skops_on_a_cpu_only_machine(
    case, tmp_path, monkeypatch
):
    X, y = CASES[case].data()
    fitted = CASES[case].make_estimator().fit(X, y)
    expected = _outputs(fitted, X)
    path = tmp_path / "model.skops"
    _dumped_as_if_trained_on_cuda(fitted, path, monkeypatch)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(DeviceWarning, match="loaded on the CPU"):
        restored = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    assert restored.device_ == "cpu"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _assert_same_outputs(restored, expected, X)


# The HTML representation (in this file until test_common.py takes it)


@pytest.mark.parametrize("case", CASES)
def test_html_repr_links_to_the_estimators_api_page(case):
    estimator = CASES[case].make_estimator()
    page = f"{DOCS_URL}generated/sklarith.{type(estimator).__name__}.html"
    assert f'href="{page}"' in estimator._repr_html_()
