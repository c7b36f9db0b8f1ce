"""MLPAdderRegressor: a small sigmoid network that learns to add numbers."""

import warnings

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import RegressorMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import Callback

from ._torch import NetSpec, infer_batches
from ._torch.persistence import persisted_by_name
from .base import ACTIVATION_CONSTRAINT, ACTIVATIONS, NetEstimator
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
    "keras": {
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

# Keras's default batch size, the adder post's.
_MINI_BATCH_SIZE = 32


@persisted_by_name
def _valid_rounded_accuracy(net, dataset, y):
    """Share of validation rows predicted within 0.5 of the target."""
    prediction, _ = net.forward(dataset)
    scale = net.module_.target_scale.cpu()
    error = (prediction - torch.as_tensor(y, dtype=prediction.dtype)) * scale
    return float((error.abs() < 0.5).double().mean())


class _FitOutputLayer(Callback):
    """After each training step, solve the output layer by least squares on
    the step's batch, so that validation and inference use the fit that the
    loss measured; at the end of training (after early stopping has restored
    the best weights), solve it on all the rows."""

    def on_batch_end(self, net, batch, training, **kwargs):
        if training:
            X, y = batch
            net.module_.fit_output_layer(X, y)

    def on_train_end(self, net, X=None, y=None, **kwargs):
        net.module_.fit_output_layer(X.X.to(net.device), X.y.to(net.device))


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


class MLPAdderRegressor(RegressorMixin, NetEstimator):
    """Regress the sum of numbers with a small multilayer perceptron.

    Read more in the :ref:`User Guide <user_guide_adder>`.

    Each row of ``X`` holds ``n_operands`` numbers (integers or floats) and
    ``y`` their sum; the network has ``hidden_layer_sizes`` sigmoid units and
    one linear output unit, trained to minimise the mean squared error. A
    prediction counts as correct when it rounds to the sum
    (:func:`sklarith.metrics.rounded_accuracy`).

    Two recipes are built in:

    - ``recipe="keras"`` trains as the adder post ("Can a small network
      add?") did, with Keras's defaults: raw numbers in and out,
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
      into any linear function), so the limit the post met is training, not
      capacity: the user guide shows this recipe rounding held-out sums
      right where the Keras recipe fails.

    ``solver``, ``scale`` and ``dtype`` default to the recipe's choice and may
    be set on their own to study one ingredient at a time. ``score`` is the
    coefficient of determination, as for every scikit-learn regressor; pass
    ``scoring=rounded_accuracy_scorer`` to model selection to count exact
    sums instead.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(8,)
        Widths of the hidden layers; at least one.
    activation : {"sigmoid", "tanh", "relu"}, default="sigmoid"
        Nonlinearity after every hidden layer.
    recipe : {"least_squares", "keras"}, default="least_squares"
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
        Maximum number of passes over the training rows (the adder post's limit).
    batch_size : int or None, default=None
        Rows per optimisation step (and per inference batch); None means all
        rows for L-BFGS and 32 otherwise.
    lr : float or None, default=None
        Learning rate (the initial step length for L-BFGS); None means 1 for
        L-BFGS, 1e-3 for Adam and 1e-2 for SGD. It stays constant.
    lr_schedule : {"cosine", "constant"}, default="constant"
        ``"cosine"``: the learning rate decays from ``lr`` to zero along a
        cosine, step by step, over ``max_epochs``; the last steps are small,
        which settles the weights. ``"constant"``: it stays at ``lr``, as in
        the recipes of the posts. A skorch ``LRScheduler`` among
        ``callbacks`` replaces either.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows and stop when their
        loss stalls. With ``recipe="least_squares"`` an epoch improves when
        the MSE drops by 1e-16 or more (a float64 fit keeps creeping down
        long after every sum rounds right) and the best epoch's weights are
        restored; with ``recipe="keras"``, as Keras's ``EarlyStopping()``
        defaults, any drop counts and the last epoch's weights are kept.
    validation_fraction : float, default=0.2
        Share of the rows held out for early stopping (the adder post's 20 %).
    n_iter_no_change : int or None, default=None
        Epochs without improvement of the validation loss before stopping;
        None takes the recipe's: 10, or 1 for "keras" (Keras's default).
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``
        or ``"cuda:<index>"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split and the shuffling.
    verbose : int, default=0
        1 prints losses and validation rounded accuracy per epoch, 2 adds a
        progress bar.
    callbacks : list of skorch callbacks or None, default=None
        Callbacks of your own (``Checkpoint``, a logger, ``LRScheduler``...),
        as instances or ``(name, callback)`` pairs, run after sklarith's own
        in every fit. Each fit trains copies of them; the fitted ones are in
        ``net_.callbacks_``.
    warm_start : bool, default=False
        When fitted already, continue training from the fitted network's
        weights instead of new random ones: ``history_`` grows by the new
        epochs. With ``recipe="least_squares"`` the hidden weights carry over
        and the output layer is solved again by least squares at every step,
        as in any fit; with ``"keras"`` every weight carries over. The
        optimiser (L-BFGS's memory, Adam's moments) starts afresh, as in
        scikit-learn's ``MLPRegressor``, and inputs and sums are scaled with
        the new data's ranges. ``X`` must hold as many operands as at the
        first fit, and ``hidden_layer_sizes`` must be the same.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is the
        :class:`~sklarith.modules.AdderMLP`.
    history_ : skorch.History
        Per-epoch losses, validation rounded accuracy and durations.
    n_iter_ : int
        Epochs trained, those of warm starts included.
    loss_curve_ : list of float
        The training loss of each epoch.
    validation_scores_ : list of float or None
        The validation score of each epoch: the share of
        held-out rows whose sum rounds right; None
        without ``early_stopping``.
    device_ : str
        The device the net lives on.
    n_features_in_ : int
        Number of operands seen at fit.
    feature_names_in_ : ndarray of str
        Column names seen at fit, when ``X`` had string column names.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : The same network in scikit-learn;
        with ``activation="logistic"`` it fails beyond small sums as the
        adder post's network does.
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
        **NetEstimator._parameter_constraints,
        **ACTIVATION_CONSTRAINT,
        "hidden_layer_sizes": [tuple, list],
        "recipe": [StrOptions(set(RECIPES))],
        "solver": [StrOptions(set(SOLVERS)), None],
        "scale": ["boolean", None],
        "dtype": [StrOptions({"float32", "float64"}), None],
        "batch_size": [*NetEstimator._parameter_constraints["batch_size"], None],
        "lr": [*NetEstimator._parameter_constraints["lr"], None],
        "n_iter_no_change": [
            *NetEstimator._parameter_constraints["n_iter_no_change"],
            None,
        ],
    }

    _layer_sizes = {"hidden_layer_sizes": 1}

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
        lr_schedule="constant",
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=None,
        device="auto",
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
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
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start

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
        return super().fit(X, y)

    def _setting(self, name):
        """The parameter ``name``, or the recipe's value when it is None."""
        value = getattr(self, name)
        return RECIPES[self.recipe][name] if value is None else value

    def _validate_fit_data(self, X, y):
        shape = _shape(y)
        if len(shape) == 2 and shape[1] != 1:
            raise ValueError(
                f"y must hold one sum per row, of shape (n_samples,); got shape "
                f"{shape}. For several targets, fit one model per column, e.g. "
                "with sklearn.multioutput.MultiOutputRegressor."
            )
        X, y = self._validate_numbers(X, y)
        with np.errstate(over="ignore"):
            spans = np.ptp(X, axis=0), np.ptp(y)
        if not (np.isfinite(spans[0]).all() and np.isfinite(spans[1])):
            raise ValueError(
                f"{type(self).__name__} cannot train on X or y whose range overflows "
                "float64 (its largest value minus its smallest is infinite); "
                "divide X and y by a common factor first."
            )
        dtype = self._setting("dtype")
        largest = float(np.finfo(dtype).max)
        if np.abs(X).max(initial=0) > largest or np.abs(y).max(initial=0) > largest:
            raise ValueError(
                f"X or y holds values beyond the range of {dtype} ({largest:.3g}), "
                f"in which recipe={self.recipe!r} computes; pass dtype='float64' "
                "or divide X and y by a common factor first."
            )
        if self._setting("scale"):
            input_offset, input_scale = X.min(axis=0), np.ptp(X, axis=0)
            input_scale[input_scale == 0] = 1.0
            target_offset, target_scale = float(y.min()), float(np.ptp(y)) or 1.0
        else:
            input_offset, input_scale, target_offset, target_scale = 0.0, 1.0, 0.0, 1.0
        # The network computes on the scaled values; these scales become its
        # buffers, and predict_sum maps its output back to sums.
        self._scaling = {
            "input_offset": input_offset,
            "input_scale": input_scale,
            "target_offset": target_offset,
            "target_scale": target_scale,
        }
        return X, (y - target_offset) / target_scale

    def _net_spec(self, X, y):
        recipe = RECIPES[self.recipe]
        solver = self._setting("solver")
        optimizer, default_lr, optimizer_params = SOLVERS[solver]
        dtype = getattr(torch, self._setting("dtype"))
        if self.batch_size is not None:
            batch_size = self.batch_size
        else:
            batch_size = len(X) if solver == "lbfgs" else _MINI_BATCH_SIZE
        callbacks = ()
        if recipe["least_squares_output"]:
            callbacks = (("fit_output_layer", _FitOutputLayer()),)
        return NetSpec(
            module=AdderMLP,
            module_params={
                "n_operands": X.shape[1],
                "hidden_layer_sizes": tuple(int(s) for s in self.hidden_layer_sizes),
                "activation": ACTIVATIONS[self.activation],
                "init_gain": recipe["init_gain"],
                "dtype": dtype,
                **self._scaling,
            },
            criterion=AdderMSELoss,
            criterion_params={
                "least_squares_output": recipe["least_squares_output"],
            },
            optimizer=optimizer,
            optimizer_params=optimizer_params,
            valid_scoring=_valid_rounded_accuracy,
            min_improvement=recipe["min_improvement"],
            min_improvement_mode="abs",
            restore_best=recipe["restore_best"],
            callbacks=callbacks,
            dtype=dtype,
            lr=default_lr if self.lr is None else self.lr,
            batch_size=batch_size,
            n_iter_no_change=self._setting("n_iter_no_change"),
        )

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
