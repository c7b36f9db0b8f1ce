"""mixed_precision=True: bfloat16 autocast in training and inference.

The tests run on the CPU, where torch's autocast supports bfloat16 too; the
code path is the one CUDA takes, with the device type as its only input.
"""

import contextlib

import numpy as np
import pytest
import torch

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    IdentityAdderClassifier,
)
from sklarith.datasets import make_identity_adder


@contextlib.contextmanager
def linear_output_dtypes():
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


def _fitted_models(digits, pairs):
    images, _, labels, _ = digits
    X_pairs, Y_pairs = pairs[0][:500], pairs[1][:500]
    X_adder, y_adder = make_identity_adder(images[:300], labels[:300], random_state=0)
    common = {"max_epochs": 1, "mixed_precision": True, "random_state": 0}
    return {
        "autoencoder": (
            AutoencoderTransformer(
                n_components=4, image_shape=(8, 8), channels=(4,), **common
            ).fit(images[:300]),
            images[:50],
        ),
        "arithmetic": (
            ArithmeticMultiOutputClassifier(
                hidden_layer_sizes=(16,), head_layer_sizes=(8,), **common
            ).fit(X_pairs, Y_pairs),
            X_pairs[:50],
        ),
        "identity_adder": (
            IdentityAdderClassifier(
                image_shape=(8, 8), channels=(4,), hidden_layer_sizes=(8,), **common
            ).fit(X_adder, y_adder),
            X_adder[:50],
        ),
    }


@pytest.fixture(scope="module")
def fitted(digits, pairs):
    """The three models fitted under the hook, and the dtypes it recorded."""
    with linear_output_dtypes() as dtypes:
        models = _fitted_models(digits, pairs)
    return models, dtypes


def test_training_runs_linear_layers_in_bfloat16(fitted):
    _, dtypes_in_training = fitted
    assert dtypes_in_training == {torch.bfloat16}


@pytest.mark.parametrize("name", ["autoencoder", "arithmetic", "identity_adder"])
def test_inference_runs_in_bfloat16_and_returns_float32(name, fitted):
    model, X = fitted[0][name]
    with linear_output_dtypes() as dtypes:
        output = model.transform(X) if name == "autoencoder" else model.predict_proba(X)
    assert dtypes == {torch.bfloat16}
    first = output if name == "autoencoder" else output[0]
    assert first.dtype == np.float32
    assert np.isfinite(first).all()


def test_off_by_default_everything_runs_in_float32(digits):
    images = digits[0][:200]
    model = AutoencoderTransformer(
        n_components=4, image_shape=(8, 8), channels=(4,), max_epochs=1, random_state=0
    ).fit(images)
    with linear_output_dtypes() as dtypes:
        model.transform(images[:10])
    assert dtypes == {torch.float32}
