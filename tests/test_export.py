"""sklarith.export.to_torch: a fitted estimator as one torch module.

The module computes what the estimator's inference method computes, from
the same raw rows, and exports with ``torch.export`` and to ONNX.
"""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    MLPAdderRegressor,
)
from sklarith.export import to_torch
from sklarith.utils._testing import (
    ESTIMATOR_CASES,
    image_pairs_and_seed_results,
    random_features,
)

CASES = {case.name: case for case in ESTIMATOR_CASES}


def _pipeline():
    """An autoencoder and the arithmetic classifier on its codes."""
    encoder = AutoencoderTransformer(
        n_components=2, image_shape=(8, 8), channels=(2,), max_epochs=1, random_state=0
    )
    classifier = ArithmeticMultiOutputClassifier(
        hidden_layer_sizes=(8,), head_layer_sizes=(), max_epochs=1, random_state=0
    )
    return Pipeline([("enc", encoder), ("arith", classifier)])


#: Every registry estimator, and the Pipeline of an encoder and the
#: classifier, each as ``(make, data)``.
MODELS = {
    **{name: (case.make_estimator, case.data) for name, case in CASES.items()},
    "pipeline": (_pipeline, image_pairs_and_seed_results),
}

#: What each model's module computes by default.
DEFAULT_METHOD = {name: "predict" for name in MODELS} | {
    "autoencoder": "transform",
    "pca": "transform",
}

#: Every model with each inference method it exports.
MODEL_METHODS = [
    (name, method)
    for name in MODELS
    for method in (
        ["transform"]
        if DEFAULT_METHOD[name] == "transform"
        else ["predict", "predict_proba"]
        if name != "adder"
        else ["predict"]
    )
]


@pytest.fixture(scope="module")
def fitted_models():
    """Each model, fitted once on its data, on first use."""
    cache = {}

    def get(name):
        if name not in cache:
            make, data = MODELS[name]
            X, y = data()
            cache[name] = (make().fit(X, y), np.asarray(X, dtype=np.float32))
        return cache[name]

    return get


def _as_list(result):
    return list(result) if isinstance(result, list | tuple) else [result]


def _assert_same(got, expected):
    """Labels are equal; codes, probabilities and sums equal to float32's
    precision (the estimator and the module may batch differently)."""
    got, expected = _as_list(got), _as_list(expected)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        g = g.numpy() if isinstance(g, torch.Tensor) else np.asarray(g)
        e = np.asarray(e)
        assert g.shape == e.shape
        if np.issubdtype(e.dtype, np.floating):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
        else:
            np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize(("name", "method"), MODEL_METHODS)
def test_the_module_computes_what_the_estimator_computes(fitted_models, name, method):
    model, X = fitted_models(name)
    module = to_torch(model, method=method)
    with torch.no_grad():
        got = module(torch.from_numpy(X))
    _assert_same(got, getattr(model, method)(X))


def _nets(model):
    steps = (
        [step for _, step in model.steps] if isinstance(model, Pipeline) else [model]
    )
    return [step.net_ for step in steps if hasattr(step, "net_")]


@pytest.mark.parametrize("name", list(MODELS))
def test_the_module_is_a_copy_in_evaluation_mode(fitted_models, name):
    model, _ = fitted_models(name)
    module = to_torch(model)
    assert not any(layer.training for layer in module.modules())
    estimators = {id(p) for net in _nets(model) for p in net.module_.parameters()}
    assert not estimators & {id(p) for p in module.parameters()}


@pytest.mark.parametrize("name", list(MODELS))
def test_torch_export_gives_the_same_results(fitted_models, name):
    model, X = fitted_models(name)
    module = to_torch(model)
    program = torch.export.export(module, (torch.from_numpy(X),))
    _assert_same(
        program.module()(torch.from_numpy(X)), getattr(model, DEFAULT_METHOD[name])(X)
    )


@pytest.mark.parametrize("name", MODELS)
def test_torch_export_takes_any_number_of_rows(fitted_models, name):
    model, X = fitted_models(name)
    rows = torch.export.Dim("rows")
    program = torch.export.export(
        to_torch(model), (torch.from_numpy(X),), dynamic_shapes=({0: rows},)
    )
    _assert_same(
        program.module()(torch.from_numpy(X[:7])),
        getattr(model, DEFAULT_METHOD[name])(X[:7]),
    )


@pytest.mark.parametrize("name", list(MODELS))
def test_an_onnx_round_trip_with_onnxruntime_gives_the_same_results(
    fitted_models, name, tmp_path
):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    model, X = fitted_models(name)
    program = torch.onnx.export(
        to_torch(model), (torch.from_numpy(X),), dynamo=True, verbose=False
    )
    program.save(tmp_path / "model.onnx")
    session = ort.InferenceSession(tmp_path / "model.onnx")
    got = session.run(None, {session.get_inputs()[0].name: X})
    expected = getattr(model, DEFAULT_METHOD[name])(X)
    _assert_same([torch.from_numpy(g) for g in got], expected)


def test_a_frozen_estimator_exports_as_the_estimator(fitted_models):
    model, X = fitted_models("autoencoder")
    module = to_torch(FrozenEstimator(model))
    _assert_same(module(torch.from_numpy(X)), model.transform(X))


def test_string_labels_export_as_probabilities_only():
    X, Y = random_features()
    Y = Y.astype(str)
    model = CASES["arithmetic"].make_estimator().fit(X, Y)
    with pytest.raises(TypeError, match="numeric labels"):
        to_torch(model)
    _assert_same(
        to_torch(model, method="predict_proba")(torch.from_numpy(X)),
        model.predict_proba(X),
    )


def test_an_unfitted_estimator_is_refused():
    with pytest.raises(NotFittedError):
        to_torch(MLPAdderRegressor())


def test_a_method_the_estimator_lacks_is_refused(fitted_models):
    model, _ = fitted_models("adder")
    with pytest.raises(ValueError, match="method='transform'"):
        to_torch(model, method="transform")


def test_an_estimator_of_another_library_is_refused():
    X, _ = random_features()
    with pytest.raises(TypeError, match="PCA"):
        to_torch(PCA(n_components=2).fit(X))
