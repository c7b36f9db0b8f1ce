"""MLPAdderRegressor (``sklarith/adder.py``): which sums a small network
learns to add, its recipes and their knobs, and the rules of its X and y.
``make_addition`` is in ``test_datasets.py``, rounded accuracy in
``test_metrics.py``."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from sklarith import MLPAdderRegressor
from sklarith.datasets import make_addition
from sklarith.exceptions import TrainingDivergedError
from sklarith.metrics import rounded_accuracy, rounded_accuracy_scorer
from sklarith.modules.adder import AdderMSELoss, solve_output_layer


def accuracy(adder, max_sum, n_operands=2, n_samples=2000):
    X_test, y_test = make_addition(
        n_samples, max_sum=max_sum, n_operands=n_operands, random_state=1
    )
    return rounded_accuracy(y_test, adder.predict(X_test))


@pytest.fixture(scope="module")
def pairs_up_to_256():
    return make_addition(1000, max_sum=256, random_state=0)


@pytest.fixture(scope="module")
def fitted(pairs_up_to_256):
    X, y = pairs_up_to_256
    return MLPAdderRegressor(random_state=0).fit(X, y)


# MLPAdderRegressor: what it learns


def test_default_recipe_adds_every_held_out_sum_up_to_256(fitted):
    assert accuracy(fitted, max_sum=256) == 1.0


def test_default_recipe_adds_sums_up_to_65536():
    X, y = make_addition(1000, max_sum=65_536, random_state=0)
    adder = MLPAdderRegressor(hidden_layer_sizes=(4,), random_state=0).fit(X, y)
    assert accuracy(adder, max_sum=65_536) >= 0.99


def test_two_hidden_units_add_small_sums():
    X, y = make_addition(300, max_sum=16, random_state=0)
    adder = MLPAdderRegressor(hidden_layer_sizes=(2,), max_epochs=20, random_state=0)
    adder.fit(X, y)
    assert accuracy(adder, max_sum=16) == 1.0


def test_seed_recipe_fails_on_large_sums():
    X, y = make_addition(1000, max_sum=65_536, random_state=0)
    adder = MLPAdderRegressor(recipe="keras", max_epochs=3, random_state=0).fit(X, y)
    assert accuracy(adder, max_sum=65_536) < 0.05


def test_adds_three_operands():
    X, y = make_addition(1000, max_sum=300, n_operands=3, random_state=0)
    adder = MLPAdderRegressor(random_state=0).fit(X, y)
    assert accuracy(adder, max_sum=300, n_operands=3) == 1.0


def test_adds_floats_as_well_as_integers():
    rng = np.random.RandomState(0)
    X = rng.uniform(-5, 5, size=(500, 2))
    adder = MLPAdderRegressor(random_state=0).fit(X, X.sum(axis=1))
    X_test = rng.uniform(-5, 5, size=(200, 2))
    np.testing.assert_allclose(adder.predict(X_test), X_test.sum(axis=1), atol=1e-4)


def test_predict_returns_one_float64_sum_per_row(fitted):
    predicted = fitted.predict([[1, 2], [100, 28], [0, 0]])
    assert predicted.shape == (3,)
    assert predicted.dtype == np.float64
    np.testing.assert_array_equal(np.rint(predicted), [3, 128, 0])


def test_integer_and_float_inputs_give_the_same_predictions(fitted):
    X = np.array([[3, 4], [120, 7]])
    np.testing.assert_array_equal(fitted.predict(X), fitted.predict(X.astype(float)))


# Recipes and their knobs


def test_default_recipe_is_scaled_float64_lbfgs_on_all_rows(fitted, pairs_up_to_256):
    X, y = pairs_up_to_256
    module = fitted.net_.module_
    assert isinstance(fitted.net_.optimizer_, torch.optim.LBFGS)
    assert module.output.weight.dtype == torch.float64
    assert fitted.net_.batch_size == len(X)
    np.testing.assert_array_equal(module.input_offset.numpy(), X.min(axis=0))
    np.testing.assert_array_equal(module.input_scale.numpy(), np.ptp(X, axis=0))
    assert module.target_scale.item() == np.ptp(y)


def test_seed_recipe_is_raw_float32_adam_on_batches_of_32(pairs_up_to_256):
    X, y = pairs_up_to_256
    adder = MLPAdderRegressor(recipe="keras", max_epochs=1, random_state=0).fit(X, y)
    module = adder.net_.module_
    assert isinstance(adder.net_.optimizer_, torch.optim.Adam)
    assert adder.net_.optimizer_.param_groups[0]["lr"] == 1e-3
    assert module.output.weight.dtype == torch.float32
    assert adder.net_.batch_size == 32
    assert module.input_scale.tolist() == [1.0, 1.0]
    assert module.target_offset.item() == 0.0


def test_seed_recipe_stops_early_as_keras_does_by_default(pairs_up_to_256):
    X, y = pairs_up_to_256
    adder = MLPAdderRegressor(recipe="keras", max_epochs=1, random_state=0).fit(X, y)
    early_stopping = dict(adder.net_.callbacks_)["early_stopping"]
    assert early_stopping.patience == 1
    assert early_stopping.threshold == 0.0
    assert not early_stopping.load_best


def test_solver_scale_and_dtype_override_the_recipe(pairs_up_to_256):
    X, y = pairs_up_to_256
    adder = MLPAdderRegressor(
        recipe="keras", solver="sgd", scale=True, dtype="float64", max_epochs=1
    ).fit(X, y)
    module = adder.net_.module_
    assert isinstance(adder.net_.optimizer_, torch.optim.SGD)
    assert module.output.weight.dtype == torch.float64
    assert module.target_scale.item() == np.ptp(y)


def test_learning_rate_stays_constant(pairs_up_to_256):
    X, y = pairs_up_to_256
    adder = MLPAdderRegressor(
        recipe="keras", lr=0.01, max_epochs=3, early_stopping=False
    ).fit(X, y)
    assert adder.net_.optimizer_.param_groups[0]["lr"] == 0.01


def test_least_squares_output_layer_is_the_best_for_its_hidden_layer(fitted):
    X, y = make_addition(300, max_sum=256, random_state=5)
    module = fitted.net_.module_
    features = module.features(torch.as_tensor(X, dtype=torch.float64)).detach()
    design = np.column_stack([features.numpy(), np.ones(len(X))])
    target = (y - module.target_offset.item()) / module.target_scale.item()
    best, *_ = np.linalg.lstsq(design, target, rcond=None)
    mse = np.mean((fitted.predict(X) - y) ** 2)
    best_mse = np.mean(((design @ best) * module.target_scale.item() - target) ** 2)
    assert mse <= best_mse + 1e-9


def test_history_records_validation_rounded_accuracy(fitted):
    assert fitted.history_[-1, "valid_acc"] == 1.0


# The least-squares output layer on any batch


def test_lbfgs_on_mini_batches_fits_where_a_batch_is_fitted_exactly():
    """The last batch of an epoch, 8 rows for 9 unknowns, is fitted exactly:
    its loss is flat, and torch's line search tries a NaN step there."""
    X, y = load_iris(return_X_y=True)
    X = X - X.mean()  # scikit-learn's check_positive_only_tag_during_fit
    adder = MLPAdderRegressor(
        hidden_layer_sizes=(8, 8), batch_size=16, max_epochs=5, random_state=1
    ).fit(X, y)
    assert np.isfinite(adder.predict(X)).all()


def test_the_output_layer_of_activations_that_are_not_finite_is_nan():
    features = torch.rand(20, 4, dtype=torch.float64)
    features[3, 1] = torch.nan
    weight, bias = solve_output_layer(features, torch.rand(20, dtype=torch.float64))
    assert weight.shape == (4,)
    assert torch.isnan(weight).all()
    assert torch.isnan(bias)


def test_the_least_squares_loss_of_activations_that_are_not_finite_is_infinite():
    features = torch.rand(20, 4, dtype=torch.float64, requires_grad=True)
    activations = features * torch.tensor([1.0, torch.nan, 1.0, 1.0])
    loss = AdderMSELoss(least_squares_output=True).train()(
        (activations[:, 0], activations), torch.rand(20, dtype=torch.float64)
    )
    assert loss.item() == np.inf
    loss.backward()
    assert features.grad is not None


def test_the_output_layer_of_fewer_rows_than_unknowns_fits_them_exactly():
    generator = torch.Generator().manual_seed(0)
    features = torch.rand(6, 10, dtype=torch.float64, generator=generator)
    target = torch.rand(6, dtype=torch.float64, generator=generator)
    weight, bias = solve_output_layer(features, target)
    torch.testing.assert_close(features @ weight + bias, target)


# Bad input


def test_non_numeric_input_is_refused_with_a_clear_error():
    X = pd.DataFrame({"a": ["one", "two", "three"], "b": [1, 2, 3]})
    with pytest.raises(ValueError, match="adds numbers: X and y must hold integers"):
        MLPAdderRegressor().fit(X, [2, 4, 6])


def test_non_numeric_target_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="must hold integers or floats"):
        MLPAdderRegressor().fit([[1, 2], [3, 4]], ["three", "seven"])


def test_target_with_several_columns_is_refused(pairs_up_to_256):
    X, y = pairs_up_to_256
    with pytest.raises(ValueError, match="one sum per row"):
        MLPAdderRegressor().fit(X, np.column_stack([y, y]))


@pytest.mark.parametrize(
    ("y", "message"),
    [([3.0, np.nan], "y contains NaN"), ([3.0, np.inf], "y contains infinity")],
    ids=["nan", "infinity"],
)
def test_a_target_that_is_not_finite_is_refused(y, message):
    with pytest.raises(ValueError, match=message):
        MLPAdderRegressor().fit([[1, 2], [3, 4]], y)


def test_non_numeric_input_at_predict_is_refused(fitted):
    with pytest.raises(ValueError, match="adds numbers"):
        fitted.predict([["1", "two"]])


def test_an_empty_hidden_layer_is_refused():
    message = (
        r"The 'hidden_layer_sizes' parameter of MLPAdderRegressor must be a "
        r"non-empty tuple of positive integers"
    )
    with pytest.raises(InvalidParameterError, match=message):
        MLPAdderRegressor(hidden_layer_sizes=()).fit([[1, 2], [3, 4]], [3, 7])


# Model selection by rounded accuracy


def test_rounded_accuracy_scorer_selects_the_recipe_that_adds(pairs_up_to_256):
    X, y = pairs_up_to_256
    search = GridSearchCV(
        MLPAdderRegressor(max_epochs=5, random_state=0),
        {"recipe": ["keras", "least_squares"]},
        scoring=rounded_accuracy_scorer,
        cv=2,
    ).fit(X, y)
    assert search.best_params_ == {"recipe": "least_squares"}
    assert search.best_score_ == 1.0


def test_a_loss_that_overflows_stops_the_fit_with_an_error_naming_the_input_scale():
    X, y = make_addition(200, max_sum=256, random_state=0)
    adder = MLPAdderRegressor(
        recipe="keras", dtype="float64", max_epochs=3, random_state=0
    )
    with pytest.raises(TrainingDivergedError, match="scale X"):
        adder.fit(X * 1e200, y * 1e200)
    assert not hasattr(adder, "net_")


def test_inputs_beyond_the_range_of_the_recipes_dtype_are_refused():
    X, y = make_addition(20, max_sum=256, random_state=0)
    with pytest.raises(ValueError, match="beyond the range of float32"):
        MLPAdderRegressor(recipe="keras", random_state=0).fit(X * 1e200, y * 1e200)


def test_inputs_whose_range_overflows_float64_are_refused_before_training():
    X = np.array([[1e308, -1e308], [-1e308, 1e308], [0.0, 0.0]])
    with pytest.raises(ValueError, match="range overflows float64"):
        MLPAdderRegressor(random_state=0).fit(X, [0.0, 0.0, 0.0])
