"""Persistence of fitted estimators with skops: secure loading, same results.

A fitted estimator's persisted state holds its weights (``torch.save`` bytes
that load with ``weights_only=True``, with their checksum), its fitted
attributes and its net as data, so that :func:`skops.io.load` needs to trust
the estimators' classes and nothing else, and a file altered to make loading
call anything is refused. Pickle and joblib round trips, and loading a model
trained on CUDA on a CPU-only machine with pickle, are tested over the
registry in ``test_common.py``.
"""

import importlib
import json
import warnings
import zipfile

import joblib
import numpy as np
import pytest
import torch
import torch.serialization
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback
from skorch.exceptions import DeviceWarning

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    DigitArithmeticClassifier,
    structures,
)
from sklarith.base import DOCS_URL, NetEstimator
from sklarith.persistence import trusted_types
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


def _digit_reader_of_the_default_structure():
    """A digit-reading classifier given no structure: its fit holds one."""
    return DigitArithmeticClassifier(
        hidden_layer_sizes=(8,), max_epochs=1, random_state=0
    )


#: Every registry estimator, the Pipeline of an encoder and the classifier,
#: and the digit reader of the default structure, each as ``(make, data)``.
MODELS = {
    **{name: (case.make_estimator, case.data) for name, case in CASES.items()},
    "pipeline": (_pipeline, image_pairs_and_seed_results),
    "default_structure": (
        _digit_reader_of_the_default_structure,
        image_pairs_and_seed_results,
    ),
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


def test_skops_lists_the_estimators_and_structures_classes_and_no_function(saved):
    untrusted = sio.get_untrusted_types(file=saved)
    assert untrusted
    for name in untrusted:
        module, _, attribute = name.rpartition(".")
        value = getattr(importlib.import_module(module), attribute)
        assert isinstance(value, type), name
        assert (
            issubclass(value, BaseEstimator) or value.__module__ == structures.__name__
        ), name


def test_trusted_types_are_those_skops_lists_for_a_fitted_model(model_name, saved):
    expected = trusted_types(MODELS[model_name][0]())
    assert expected == sorted(sio.get_untrusted_types(file=saved))


def test_skops_loads_trusting_the_types_of_its_kind_and_predicts_the_same(
    model_name, data, fitted, saved
):
    X, _ = data
    restored = sio.load(saved, trusted=trusted_types(MODELS[model_name][0]()))
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


@pytest.fixture(scope="module")
def arithmetic():
    """The fitted arithmetic classifier of the registry, with early stopping:
    its net holds objects (a data split), classes and functions."""
    case = CASES["arithmetic"]
    fitted = case.make_estimator().fit(*case.data())
    assert fitted.early_stopping
    return fitted


@pytest.mark.parametrize(
    ("part", "namespace", "name"),
    [
        ("module", "torch.nn", "Linear"),
        ("module", "sklarith.structures", "PairResults"),
        ("criterion", "torch.nn", "ReLU"),
        ("criterion", "sklarith._torch.callbacks", "StopOnNonFiniteLoss"),
        ("optimizer", "torch.nn", "MSELoss"),
    ],
    ids=[
        "module-a-torch-layer",
        "module-not-a-network",
        "criterion-not-a-loss",
        "criterion-a-callback",
        "optimizer-a-loss",
    ],
)
def test_a_persisted_net_with_a_part_of_another_kind_is_refused(
    arithmetic, part, namespace, name
):
    state = arithmetic.__getstate__()
    params = state["net_"]["params"]
    params[part] = {**params["optimizer"], "namespace": namespace, "name": name}
    restored = type(arithmetic).__new__(type(arithmetic))
    with pytest.raises(ValueError, match=f"as its {part}, not"):
        restored.__setstate__(state)


def test_a_persisted_net_naming_a_function_sklarith_does_not_persist_is_refused(
    arithmetic,
):
    state = arithmetic.__getstate__()
    callbacks = dict(state["net_"]["params"]["callbacks"])
    scoring = callbacks["valid_acc"]["kwargs"]
    scoring["scoring"] = {
        "__sklarith_persisted__": "function",
        "name": "sklarith.utils._files.set_aside",
    }
    restored = type(arithmetic).__new__(type(arithmetic))
    with pytest.raises(ValueError, match=r"names the function .*set_aside"):
        restored.__setstate__(state)


# Files altered to make loading call what they name: each is refused before
# anything runs, even with every type the file lists trusted.


def _json_node(value):
    return {
        "__class__": "str",
        "__module__": "builtins",
        "__loader__": "JsonNode",
        "content": json.dumps(value),
        "is_json": True,
    }


def _list_node(items):
    return {
        "__class__": "list",
        "__module__": "builtins",
        "__loader__": "ListNode",
        "content": list(items),
    }


def _dict_node(content):
    key_type = {"__class__": "str", "__module__": "builtins", "__loader__": "TypeNode"}
    return {
        "__class__": "dict",
        "__module__": "builtins",
        "__loader__": "DictNode",
        "content": content,
        "key_types": _list_node([key_type] * len(content)),
    }


def _named_node(loader, module, name):
    """The node that skops loads as the function or class ``module.name``."""
    return {"__class__": name, "__module__": module, "__loader__": loader}


def _call_node(callee, *args):
    """A persisted object whose class is the node ``callee``, built from the
    nodes ``args``: what a file writes to have loading call ``callee``."""
    return _dict_node(
        {
            "__sklarith_persisted__": _json_node("object"),
            "class": callee,
            "args": _list_node(args),
            "kwargs": _dict_node({}),
        }
    )


def _net_nodes(schema):
    """The nodes of the persisted net in the schema of an estimator's file."""
    return schema["content"]["content"]["net_"]["content"]


def _altered(estimator, path, alter):
    """Write ``estimator`` with skops to ``path``, its schema changed by
    ``alter(net_nodes)`` as an attacker would; return the types it lists."""
    sio.dump(estimator, path)
    with zipfile.ZipFile(path) as source:
        files = {name: source.read(name) for name in source.namelist()}
    schema = json.loads(files["schema.json"])
    alter(_net_nodes(schema))
    files["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, content in files.items():
            target.writestr(name, content)
    return sio.get_untrusted_types(file=path)


def test_a_skops_file_naming_a_function_as_a_class_is_refused_and_writes_nothing(
    arithmetic, tmp_path
):
    users = tmp_path / "users"
    users.mkdir()
    notes = "<!-- quote other.txt -->\nhours of work\n<!-- end quote -->\n"
    (users / "notes.md").write_text(notes)
    (users / "other.txt").write_text("lost\n")
    # refresh_quotes rewrites the document it is given, by one call.
    refresh = _named_node(
        "FunctionNode", "sklarith.experiments.results", "refresh_quotes"
    )
    call = _call_node(refresh, _json_node(str(users / "notes.md")))

    def alter(net):
        net["params"]["content"]["train_split"] = call

    trusted = _altered(arithmetic, tmp_path / "model.skops", alter)
    with pytest.raises(
        ValueError, match="not written by this version of sklarith, or was altered"
    ):
        sio.load(tmp_path / "model.skops", trusted=trusted)
    assert (users / "notes.md").read_text() == notes


def test_a_skops_file_chaining_calls_to_eval_is_refused_and_runs_nothing(
    arithmetic, tmp_path
):
    marker = tmp_path / "eval-ran"
    code = f"__import__('pathlib').Path({str(marker)!r}).write_text('ran')"
    text = _call_node(_named_node("TypeNode", "builtins", "str"), _json_node(code))
    call = _call_node(_named_node("FunctionNode", "builtins", "eval"), text)

    def alter(net):
        net["params"]["content"]["train_split"] = call

    trusted = _altered(arithmetic, tmp_path / "model.skops", alter)
    with pytest.raises(
        ValueError, match="not written by this version of sklarith, or was altered"
    ):
        sio.load(tmp_path / "model.skops", trusted=trusted)
    assert not marker.exists()


@pytest.mark.parametrize(
    "net_class",
    [
        _named_node("TypeNode", "skorch.net", "NeuralNet"),
        _named_node("TypeNode", "sklarith.modules.multihead", "MultiHeadMLP"),
        _json_node("skorch.net.NeuralNet"),
    ],
    ids=["skorch-net", "sklarith-module", "skorch-net-by-name"],
)
def test_a_skops_file_with_another_class_as_its_net_is_refused(
    arithmetic, tmp_path, net_class
):
    def alter(net):
        net["class"] = net_class

    trusted = _altered(arithmetic, tmp_path / "model.skops", alter)
    with pytest.raises(ValueError, match=r"not the .*SklarithNeuralNet"):
        sio.load(tmp_path / "model.skops", trusted=trusted)


def test_a_joblib_file_with_a_flipped_bit_in_its_weights_is_refused(
    arithmetic, tmp_path
):
    path = tmp_path / "model.joblib"
    joblib.dump(arithmetic, path)
    content = bytearray(path.read_bytes())
    # The first layer's weights, as the file holds them.
    weights = next(arithmetic.net_.module_.parameters()).detach().numpy().tobytes()
    start = content.find(weights)
    assert start >= 0
    content[start + len(weights) // 2] ^= 1
    path.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="do not match their SHA-256 checksum"):
        joblib.load(path)


def test_a_verbose_model_lists_no_function_as_untrusted():
    case = CASES["arithmetic"]
    fitted = case.make_estimator().set_params(verbose=1).fit(*case.data())
    # Its early stopping writes to sklarith's logger: a function, persisted
    # by name.
    assert sio.get_untrusted_types(data=sio.dumps(fitted)) == trusted_types(fitted)


class _UsersCallback(Callback):
    """A callback of the user's own class, which sklarith does not know."""

    def __init__(self, every=1):
        self.every = every


def test_a_users_own_callback_is_listed_by_skops_and_loads(tmp_path):
    case = CASES["arithmetic"]
    estimator = case.make_estimator().set_params(callbacks=[_UsersCallback(every=2)])
    fitted = estimator.fit(*case.data())
    sio.dump(fitted, tmp_path / "model.skops")
    trusted = trusted_types(estimator)
    assert f"{_UsersCallback.__module__}._UsersCallback" in trusted
    restored = sio.load(tmp_path / "model.skops", trusted=trusted)
    (callback,) = [c for c in restored.net_.callbacks if isinstance(c, _UsersCallback)]
    assert callback.every == 2


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
