"""MLPAdderRegressor: a small sigmoid network that learns to add numbers."""

import numbers
import warnings
from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import Callback, EpochScoring

from ._base import (
    ACTIVATION_CONSTRAINT,
    ACTIVATIONS,
    COMMON_PARAMETER_CONSTRAINTS,
    InMemoryDataset,
    NetEstimatorMixin,
    build_net,
    check_enough_samples,
    fit_net,
    infer_batches,
    resolve_device,
    to_tensor,
    torch_seed,
)
from .modules import AdderMLP, AdderMSELoss

#: What each recipe sets: the defaults of ``solver``, ``scale``, ``dtype`` and
#: ``n_iter_no_change``, the gain of the initial hidden weights, how the output
#: layer is found, and when an epoch improves on the best validation loss
#: (by at least ``min_improvement``) for early stopping.
RECIPES = {
    "least_squares": {
        "solver": "lbfgs",
        "scale": True,
        "dtype": "float64",
        "n_iter_no_change": 10,
        "init_gain": 0.1,
        "least_squares_output": True,
        # A float64 fit keeps creeping down long after every sum rounds right:
        # drops of the MSE below 1e-16 on the [0, 1] scale (errors of 1e-8 of
        # the range; sums up to 65,536 need 8e-6) do not count.
        "min_improvement": 1e-16,
        "restore_best": True,
    },
    "seed": {
        "solver": "adam",
        "scale": False,
        "dtype": "float32",
        # Keras's EarlyStopping() defaults: stop at the first epoch without
        # any improvement and keep the weights of the last epoch.
        "n_iter_no_change": 1,
        "init_gain": 1.0,
        "least_squares_output": False,
        "min_improvement": 0.0,
        "restore_best": False,
    },
}

#: Optimiser of each solver, its default learning rate and its options.
#: L-BFGS's default tolerances end a step at gradients of 1e-7, far short of
#: the precision that sums up to 65,536 need: early stopping ends training.
SOLVERS = {
    "lbfgs": (
        torch.optim.LBFGS,
        1.0,
        {
            "line_search_fn": "strong_wolfe",
            "tolerance_grad": 0.0,
            "tolerance_change": 0.0,
        },
    ),
    "adam": (torch.optim.Adam, 1e-3, {}),
    "sgd": (torch.optim.SGD, 1e-2, {}),
}

# Keras's default batch size, the seed's.
_MINI_BATCH_SIZE = 32


def _valid_rounded_accuracy(net, dataset, y):
    """Share of validation rows predicted within 0.5 of the target."""
    prediction, _ = net.forward(dataset)
    scale = net.module_.target_scale.cpu()
    error = (prediction - torch.as_tensor(y, dtype=prediction.dtype)) * scale
    return float((error.abs() < 0.5).double().mean())


class _FitOutputLayer(Callback):
    """After each training step, solve the output layer by least squares on
    the step's batch, so that validation and inference use the fit that the
    loss measured."""

    def on_batch_end(self, net, batch, training, **kwargs):
        if training:
            X, y = batch
            net.module_.fit_output_layer(X, y)


def _is_numeric(array):
    """Whether ``array`` converts to floats (complex numbers do, with a
    warning that this probe has no reason to show); sparse matrices hold
    numbers, and scikit-learn's own error says they must be dense."""
    if sp.issparse(array):
        return True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            np.asarray(array, dtype=np.float64)
        except (TypeError, ValueError):
            return False
    return True


def _shape(array):
    shape = getattr(array, "shape", None)
    return np.asarray(array, dtype=object).shape if shape is None else shape


class MLPAdderRegressor(NetEstimatorMixin, RegressorMixin, BaseEstimator):
    """Regress the sum of numbers with a small multilayer perceptron.

    Each row of ``X`` holds ``n_operands`` numbers (integers or floats) and
    ``y`` their sum; the network has ``hidden_layer_sizes`` sigmoid units and
    one linear output unit, trained to minimise the mean squared error. A
    prediction counts as correct when it rounds to the sum
    (:func:`sklarith.metrics.rounded_accuracy`).

    Two recipes are built in:

    - ``recipe="seed"`` reproduces the seed experiment: raw numbers in and out,
      float32, Adam (learning rate 1e-3, batches of 32), Glorot-initialised
      weights, Keras's default early stopping. It adds small numbers and
      fails at large ones: the output unit must reach sums in the tens of
      thousands from sigmoids in [0, 1] with steps of 1e-3, and large raw
      inputs saturate the sigmoids.
    - ``recipe="least_squares"`` (the default) adds correctly. Inputs and sums
      are scaled to [0, 1] with the ranges seen at fit, so that the
      sigmoids work in their near-linear middle; hidden weights start small
      (Glorot with a gain of 0.1); the output layer is solved by linear least
      squares for the current hidden layer at every evaluation of the loss
      (variable projection), and L-BFGS, a quasi-Newton method, tunes the
      hidden weights on the whole training set at once. Rounding a sum up
      to 65,536 needs a relative error under 8e-6, hence float64. Addition is
      within reach of even two sigmoid units (their near-linear parts combine
      into any linear function), so the limit the seed met is training, not
      capacity: this recipe rounds every held-out sum right up to 256 and
      more than 99 % up to 65,536 from two hidden units up.

    ``solver``, ``scale`` and ``dtype`` default to the recipe's choice and may
    be set on their own to study one ingredient at a time. ``score`` is the
    coefficient of determination, as for every scikit-learn regressor; pass
    ``scoring=rounded_accuracy_scorer`` to model selection to count exact
    sums instead.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(8,)
        Widths of the hidden layers.
    activation : {"sigmoid", "tanh", "relu"}, default="sigmoid"
        Nonlinearity after every hidden layer.
    recipe : {"least_squares", "seed"}, default="least_squares"
        How the network is trained, as described above.
    solver : {"lbfgs", "adam", "sgd"} or None, default=None
        Optimiser; None takes the recipe's ("lbfgs" or "adam"). L-BFGS runs
        up to 20 iterations with a strong-Wolfe line search per epoch.
    scale : bool or None, default=None
        Map each input and the target to [0, 1] with the ranges seen at fit;
        None takes the recipe's (True or False).
    dtype : {"float32", "float64"} or None, default=None
        Precision of the weights and the computation; None takes the
        recipe's ("float64" or "float32").
    max_epochs : int, default=1000
        Maximum number of passes over the training rows (the seed's limit).
    batch_size : int or None, default=None
        Rows per optimisation step (and per inference batch); None means all
        rows for L-BFGS and 32 otherwise.
    lr : float or None, default=None
        Learning rate (the initial step length for L-BFGS); None means 1 for
        L-BFGS, 1e-3 for Adam and 1e-2 for SGD. It stays constant.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows and stop when their
        loss stalls. With ``recipe="least_squares"`` an epoch improves when
        the MSE drops by 1e-16 or more (a float64 fit keeps creeping down
        long after every sum rounds right) and the best epoch's weights are
        restored; with ``recipe="seed"``, as Keras's ``EarlyStopping()``
        defaults, any drop counts and the last epoch's weights are kept.
    validation_fraction : float, default=0.2
        Share of the rows held out for early stopping (the seed's 20 %).
    n_iter_no_change : int or None, default=None
        Epochs without improvement of the validation loss before stopping;
        None takes the recipe's: 10, or 1 for "seed" (Keras's default).
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``
        or ``"cuda:<index>"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split and the shuffling.
    verbose : int, default=0
        1 prints losses and validation rounded accuracy per epoch, 2 adds a
        progress bar.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is the
        :class:`~sklarith.modules.AdderMLP`.
    history_ : skorch.History
        Per-epoch losses, validation rounded accuracy and durations.
    device_ : str
        The device the net lives on.
    n_features_in_ : int
        Number of operands seen at fit.
    feature_names_in_ : ndarray of str
        Column names seen at fit, when ``X`` had string column names.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : The same network in scikit-learn;
        with ``activation="logistic"`` it fails beyond small sums as the seed
        does.
    sklarith.datasets.make_addition : Random numbers and their sums.
    sklarith.metrics.rounded_accuracy : Share of sums predicted exactly.

    Examples
    --------
    >>> from sklarith import MLPAdderRegressor
    >>> from sklarith.datasets import make_addition
    >>> from sklarith.metrics import rounded_accuracy
    >>> X, y = make_addition(1000, max_sum=256, random_state=0)
    >>> X_test, y_test = make_addition(1000, max_sum=256, random_state=1)
    >>> adder = MLPAdderRegressor(hidden_layer_sizes=(2,), random_state=0)
    >>> adder.fit(X, y).predict([[100, 28]]).round(3)
    array([128.])
    >>> float(rounded_accuracy(y_test, adder.predict(X_test)))
    1.0
    """

    _parameter_constraints = {
        **COMMON_PARAMETER_CONSTRAINTS,
        **ACTIVATION_CONSTRAINT,
        "hidden_layer_sizes": [tuple, list],
        "recipe": [StrOptions(set(RECIPES))],
        "solver": [StrOptions(set(SOLVERS)), None],
        "scale": ["boolean", None],
        "dtype": [StrOptions({"float32", "float64"}), None],
        "batch_size": [*COMMON_PARAMETER_CONSTRAINTS["batch_size"], None],
        "lr": [*COMMON_PARAMETER_CONSTRAINTS["lr"], None],
        "n_iter_no_change": [*COMMON_PARAMETER_CONSTRAINTS["n_iter_no_change"], None],
    }

    def __init__(
        self,
        *,
        hidden_layer_sizes=(8,),
        activation="sigmoid",
        recipe="least_squares",
        solver=None,
        scale=None,
        dtype=None,
        max_epochs=1000,
        batch_size=None,
        lr=None,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=None,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.recipe = recipe
        self.solver = solver
        self.scale = scale
        self.dtype = dtype
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_numbers(self, X, y="no_validation", reset=True):
        """``validate_data`` with an error that says numbers are expected."""
        try:
            if isinstance(y, str) and y == "no_validation":
                return validate_data(self, X, reset=reset, dtype=np.float64)
            X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
            return X, y.astype(np.float64, copy=False)
        except (TypeError, ValueError) as exc:
            if _is_numeric(X) and (y is None or isinstance(y, str) or _is_numeric(y)):
                raise
            raise type(exc)(
                f"{type(self).__name__} adds numbers: X and y must hold integers "
                f"or floats only ({exc})."
            ) from exc

    def _resolved_settings(self, n_samples):
        """The hyperparameters with each None replaced by the recipe's or the
        solver's value, for ``build_net``."""
        recipe = RECIPES[self.recipe]
        settings = SimpleNamespace(**self.get_params(deep=False))
        for name in ("solver", "scale", "dtype", "n_iter_no_change"):
            if getattr(settings, name) is None:
                setattr(settings, name, recipe[name])
        settings.dtype = getattr(torch, settings.dtype)
        _, default_lr, _ = SOLVERS[settings.solver]
        if settings.lr is None:
            settings.lr = default_lr
        if settings.batch_size is None:
            full_batch = settings.solver == "lbfgs"
            settings.batch_size = n_samples if full_batch else _MINI_BATCH_SIZE
        return settings

    def fit(self, X, y):
        """Train the network to predict ``y``, the sums of the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_operands)
            The numbers to add, one row per sum.
        y : array-like of shape (n_samples,)
            The sum of each row.

        Returns
        -------
        self : MLPAdderRegressor
        """
        self._validate_params()
        sizes = self.hidden_layer_sizes
        if not all(isinstance(s, numbers.Integral) and s >= 1 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be a tuple of positive integers; got "
                f"{sizes!r}."
            )
        shape = _shape(y)
        if len(shape) == 2 and shape[1] != 1:
            raise ValueError(
                f"y must hold one sum per row, of shape (n_samples,); got shape "
                f"{shape}. For several targets, fit one model per column, e.g. "
                "with sklearn.multioutput.MultiOutputRegressor."
            )
        self.device_ = resolve_device(self.device)
        X, y = self._validate_numbers(X, y)
        check_enough_samples(len(X), self)

        recipe = RECIPES[self.recipe]
        settings = self._resolved_settings(len(X))
        if settings.scale:
            input_offset, input_scale = X.min(axis=0), np.ptp(X, axis=0)
            input_scale[input_scale == 0] = 1.0
            target_offset, target_scale = float(y.min()), float(np.ptp(y)) or 1.0
        else:
            input_offset, input_scale, target_offset, target_scale = 0.0, 1.0, 0.0, 1.0

        callbacks, net_params = [], {}
        if recipe["least_squares_output"]:
            callbacks.append(("fit_output_layer", _FitOutputLayer()))
        if self.early_stopping:
            scoring = EpochScoring(
                _valid_rounded_accuracy,
                name="valid_acc",
                lower_is_better=False,
                use_caching=True,
            )
            callbacks.append(("valid_acc", scoring))
            net_params = {
                "callbacks__early_stopping__threshold_mode": "abs",
                "callbacks__early_stopping__threshold": recipe["min_improvement"],
                "callbacks__early_stopping__load_best": recipe["restore_best"],
            }
        optimizer, _, optimizer_options = SOLVERS[settings.solver]
        for key, value in optimizer_options.items():
            net_params[f"optimizer__{key}"] = value
        seed = torch_seed(self.random_state)
        self.net_ = build_net(
            settings,
            AdderMLP,
            criterion=AdderMSELoss,
            n_samples=len(X),
            device=self.device_,
            seed=seed,
            callbacks=callbacks,
            optimizer=optimizer,
            callbacks__lr_schedule=None,
            criterion__least_squares_output=recipe["least_squares_output"],
            module__n_operands=X.shape[1],
            module__hidden_layer_sizes=tuple(int(s) for s in sizes),
            module__activation=ACTIVATIONS[self.activation],
            module__input_offset=input_offset,
            module__input_scale=input_scale,
            module__target_offset=target_offset,
            module__target_scale=target_scale,
            module__init_gain=recipe["init_gain"],
            module__dtype=settings.dtype,
            **net_params,
        )
        X_tensor = to_tensor(X, settings.dtype)
        y_tensor = to_tensor((y - target_offset) / target_scale, settings.dtype)
        fit_net(self.net_, InMemoryDataset(X_tensor, y_tensor), seed)
        if recipe["least_squares_output"]:
            self.net_.module_.fit_output_layer(
                X_tensor.to(self.device_), y_tensor.to(self.device_)
            )
        return self

    def predict(self, X):
        """Predicted sums of the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_operands)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            float64 predictions; round them to read integer sums.
        """
        check_is_fitted(self)
        X = self._validate_numbers(X, reset=False)
        dtype = self.net_.module_.output.weight.dtype
        batches = infer_batches(self.net_, X, method="predict_sum", dtype=dtype)
        return torch.cat(list(batches)).numpy().astype(np.float64)
