"""The skorch net the estimators compose, its training and its inference."""

import contextlib
import copy
import threading

import torch
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, LRScheduler

from ..exceptions import IncompatibleNetError
from ..modules._random import use_generators
from .callbacks import PlainPrintLog, StopTraining, diverged
from .data import is_cuda, to_cuda, to_tensor

#: Held while a fit draws its initial weights from torch's process-wide
#: generator, which fits in other threads must not reseed meanwhile.
_INITIALIZATION_LOCK = threading.Lock()


@contextlib.contextmanager
def exclusive_global_generator(devices=()):
    """Draw from torch's process-wide generator alone, and restore it after.

    Building a net draws its initial weights from that generator: fits and
    loads in other threads wait their turn, and the caller's random state
    (on the CPU and on the CUDA ``devices``, by index) is left as it was.
    """
    with _INITIALIZATION_LOCK, torch.random.fork_rng(devices=list(devices)):
        yield


def autocast(device, enabled):
    """bfloat16 autocast on ``device`` when ``enabled``, else a no-op context.

    bfloat16 keeps float32's exponent range, so unlike float16 it needs no
    loss scaling; weights, gradients and optimiser state stay float32.
    """
    return torch.autocast(
        torch.device(device).type, dtype=torch.bfloat16, enabled=enabled
    )


def _to_float32(output):
    if isinstance(output, tuple):
        return tuple(_to_float32(part) for part in output)
    return output.float() if output.is_floating_point() else output


class SklarithNeuralNet(NeuralNet):
    """The skorch ``NeuralNet`` every sklarith estimator trains: its forward
    passes may run under bfloat16 autocast (outputs are handed to the
    criterion as float32), it sets the modules' training mode only when it
    changes, and its epoch table goes to the ``"sklarith.training"`` logger."""

    def __init__(self, *args, mixed_precision=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.mixed_precision = mixed_precision

    @property
    def _default_callbacks(self):
        return [
            (name, PlainPrintLog() if name == "print_log" else callback)
            for name, callback in super()._default_callbacks
        ]

    def initialize_module(self):
        super().initialize_module()
        # A module may hold a copy of a fitted one, an encoder left in
        # evaluation mode, under its own training mode: _set_training trusts
        # the top module's mode, so the whole tree starts in one mode, or
        # the copy would train its first epoch with batch normalisation's
        # stored statistics and without dropout.
        super()._set_training(True)
        return self

    def _set_training(self, training=True):
        # skorch sets the mode of every module before each batch; walking the
        # module tree each time costs a small network a few percent of its
        # training time, and the mode only changes around validation.
        modules = [getattr(self, f"{name}_") for name in self._modules]
        if all(
            not isinstance(module, torch.nn.Module) or module.training == training
            for module in modules
        ):
            return
        super()._set_training(training)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt as interrupt:
            # Callbacks end training by raising it too: sklarith's ask with
            # StopTraining, skorch's EarlyStopping when its patience is out.
            self._interrupted = not isinstance(interrupt, StopTraining) and not any(
                isinstance(callback, EarlyStopping)
                and callback.misses_ >= callback.patience
                for _, callback in self.callbacks_
            )
            raise

    def partial_fit(self, *args, **kwargs):
        # skorch ends training on Ctrl-C and returns the half-trained net as
        # if it had finished; the interrupt goes on to the caller instead, as
        # in scikit-learn, once on_train_end has run (the best weights are
        # restored), and the estimator's fit keeps the model it had.
        self._interrupted = False
        try:
            super().partial_fit(*args, **kwargs)
            if self._interrupted:
                raise KeyboardInterrupt
        finally:
            del self._interrupted
        return self

    def infer(self, x, **fit_params):
        if not self.mixed_precision:
            return super().infer(x, **fit_params)
        with autocast(self.device, enabled=True):
            output = super().infer(x, **fit_params)
        return _to_float32(output)


def _learnt_state(module):
    """What training learnt in ``module``: its parameters and the running
    statistics of its normalisation layers. Its other buffers are constants
    taken from the training data (input means and scales), which a new fit
    takes from its own data."""
    state = dict(module.named_parameters())
    for prefix, layer in module.named_modules():
        if isinstance(layer, torch.nn.modules.batchnorm._NormBase):
            for name, buffer in layer.named_buffers(recurse=False):
                state[f"{prefix}.{name}" if prefix else name] = buffer
    return state


def _continue_from(net, fitted):
    """Load the learnt state and the history of the net ``fitted`` into the
    initialized ``net``; :class:`IncompatibleNetError` names the first
    weights whose names or shapes differ."""
    state, fitted_state = _learnt_state(net.module_), _learnt_state(fitted.module_)
    for name in sorted(state.keys() | fitted_state.keys()):
        shapes = [
            tuple(s[name].shape) if name in s else "absent"
            for s in (fitted_state, state)
        ]
        if shapes[0] != shapes[1]:
            raise IncompatibleNetError(
                f"the fitted network's '{name}' is {shapes[0]}, the new one's "
                f"{shapes[1]}"
            )
    with torch.no_grad():
        for name, tensor in state.items():
            tensor.copy_(fitted_state[name])
    net.history_ = copy.deepcopy(fitted.history_)


def fit_net(net, dataset, seed, warm_from=None):
    """Train ``net`` on ``dataset``, its random streams seeded by ``seed``:
    from scratch, or from the weights of the fitted net ``warm_from``.

    The initial weights are drawn from torch's process-wide generator,
    seeded, under a lock that other fits share; the process-wide state is then
    restored, so fitting never changes the random state of the caller's own
    torch code. Everything training draws afterwards (the batch order,
    dropout, augmentation) comes from generators of this fit's own, which
    continue the seeded stream: fits running at the same time in one process
    (joblib's threading backend, a Dask worker's threads) reproduce as they
    would one after the other.

    A warm start draws the initial weights all the same, so that it consumes
    the seeded stream as a fit from scratch does, then replaces them with
    the learnt state of ``warm_from`` (its parameters and normalisation
    statistics) and continues its history; the optimizer and the callbacks
    start afresh. :class:`IncompatibleNetError` says when the two networks'
    weights differ in names or shapes.
    """
    devices = [torch.device(net.device).index or 0] if is_cuda(net.device) else []
    with exclusive_global_generator(devices):
        torch.manual_seed(seed)
        net.initialize()
        if warm_from is not None:
            _continue_from(net, warm_from)
        generators = {"cpu": torch.Generator()}
        generators["cpu"].set_state(torch.get_rng_state())
        if devices:
            generators["cuda"] = torch.Generator(device=net.device)
            generators["cuda"].set_state(torch.cuda.get_rng_state(devices[0]))
    with use_generators(generators):
        try:
            net.partial_fit(dataset, None)
        except RuntimeError as exc:
            # An optimizer step whose size overflows float32 (a learning rate
            # near 1e38) fails inside torch before any loss is NaN.
            if "overflow" not in str(exc):
                raise
            raise diverged(net, f"an optimizer step overflowed ({exc})") from exc
    # The best weights kept by early stopping and the scheduler's reference to
    # the optimizer are training state; skorch would pickle them as plain
    # objects, so a CUDA-trained model could not load on a CPU-only machine.
    for _, callback in net.callbacks_:
        if isinstance(callback, EarlyStopping):
            callback.best_model_weights_ = None
        if isinstance(callback, LRScheduler):
            callback.lr_scheduler_ = None
    return net


#: Inference batches hold a multiple of this many rows: a multiple in turn of
#: the widths in which BLAS kernels commonly compute the rows of a matrix
#: product (4, 6, 8, 12, 16 or 24), see :func:`infer_batches`.
INFERENCE_ROW_MULTIPLE = 48


def _round_up(n_rows):
    return -(-n_rows // INFERENCE_ROW_MULTIPLE) * INFERENCE_ROW_MULTIPLE


def infer_batches(net, X, method="forward", preprocess=None, dtype=torch.float32):
    """Yield ``net.module_.<method>`` of ``X`` batch by batch, as CPU tensors.

    ``X`` is a NumPy array or a tensor, ``preprocess`` maps a slice of it to a
    float32 array; batches are passed to the module as ``dtype``. Inference
    never holds more than one batch of inputs and activations beyond the
    outputs already yielded, whatever the size of ``X``. With the net's
    ``mixed_precision``, forward passes run under bfloat16 autocast and
    outputs come back as float32.

    A row's result must not depend on the rows inferred with it. The kernels
    of a matrix product compute rows in groups of a fixed width; rows left
    over at the end of a batch, or in a batch of a few rows, go through
    another kernel, which sums in another order, and their results differ in
    the last bits: enough for ``predict_proba`` to change when the rows of
    ``X`` are reordered (scikit-learn's
    ``check_methods_sample_order_invariance``). So batches hold
    ``net.batch_size`` rows rounded up to a multiple of
    :data:`INFERENCE_ROW_MULTIPLE`, the last one padded to such a multiple
    with copies of its last row, whose outputs are dropped: every row goes
    through the kernel of full groups.
    """
    module = getattr(net.module_, method)
    net.module_.train(False)
    mixed_precision = getattr(net, "mixed_precision", False)
    batch_size = _round_up(net.batch_size)
    for start in range(0, len(X), batch_size):
        batch = X[start : start + batch_size]
        if preprocess is not None:
            batch = preprocess(batch)
        batch = to_tensor(batch, dtype)
        n_rows = len(batch)
        batch = _padded(batch, _round_up(n_rows))
        if is_cuda(net.device):
            batch = to_cuda(batch, net.device)
        # Autocast and inference mode cover the forward pass only: a context
        # left open across ``yield`` would also govern the caller's code
        # between batches (the classifiers' probabilities in bfloat16).
        with torch.inference_mode(), autocast(net.device, enabled=mixed_precision):
            output = module(batch)
        if mixed_precision:
            output = _to_float32(output)
        if isinstance(output, tuple):
            yield tuple(part[:n_rows].cpu() for part in output)
        else:
            yield output[:n_rows].cpu()


def _padded(batch, n_rows):
    """``batch`` with copies of its last row appended up to ``n_rows`` rows."""
    missing = n_rows - len(batch)
    if missing == 0:
        return batch
    return torch.cat([batch, batch[-1:].expand(missing, *batch.shape[1:])])
