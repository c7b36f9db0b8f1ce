"""Fitted estimators survive pickling, including from CUDA to a CPU-only machine."""

import pickle
import warnings

import numpy as np
import pytest
import torch
import torch.serialization

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer


def pickled_as_if_trained_on_cuda(estimator, monkeypatch):
    """Pickle ``estimator`` as a CUDA machine would, without needing CUDA.

    skorch keeps the net's tensors in a ``torch.save`` blob whose storages are
    tagged with their device; tagging them ``cuda:0`` and naming CUDA as the
    device is what a GPU-trained model looks like to the unpickler.
    """
    net = estimator.net_
    for name in ("device", "iterator_train__device", "iterator_valid__device"):
        monkeypatch.setattr(net, name, "cuda")
    monkeypatch.setattr(estimator, "device_", "cuda")
    with monkeypatch.context() as patch:
        patch.setattr(torch.serialization, "location_tag", lambda storage: "cuda:0")
        blob = pickle.dumps(estimator)
    assert b"cuda:0" in blob
    return blob


@pytest.fixture(scope="module")
def fitted_models(pairs, digits):
    X, Y, _, _ = pairs
    encoder = AutoencoderTransformer(
        n_components=8, image_shape=(8, 8), max_epochs=2, random_state=0
    ).fit(digits[0])
    classifier = ArithmeticMultiOutputClassifier(
        hidden_layer_sizes=(32,), max_epochs=2, random_state=0
    ).fit(encoder.transform(X), Y)
    fine_tuned = ArithmeticMultiOutputClassifier(
        encoder=encoder, hidden_layer_sizes=(32,), max_epochs=1, random_state=0
    ).fit(X, Y)
    return {"encoder": encoder, "classifier": classifier, "fine_tuned": fine_tuned}


def predictions(name, model, fitted_models, pairs):
    _, _, X_eval, _ = pairs
    if name == "encoder":
        return model.transform(X_eval)
    if name == "classifier":
        X_eval = fitted_models["encoder"].transform(X_eval)
    return model.predict_proba(X_eval)[0]


@pytest.mark.parametrize("name", ["encoder", "classifier", "fine_tuned"])
def test_a_cuda_trained_model_loads_and_predicts_on_the_cpu(
    name, fitted_models, pairs, monkeypatch
):
    model = fitted_models[name]
    expected = predictions(name, model, fitted_models, pairs)
    blob = pickled_as_if_trained_on_cuda(model, monkeypatch)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        restored = pickle.loads(blob)
    assert restored.device_ == "cpu"
    assert restored.net_.iterator_valid__device == "cpu"
    np.testing.assert_array_equal(
        predictions(name, restored, fitted_models, pairs), expected
    )
