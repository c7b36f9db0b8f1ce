"""A fitted skorch net as plain data, and back.

A fitted net is persisted as what builds it again, its weights and its
history. What builds it is the net's constructor parameters (its module,
criterion and optimizer with their arguments, its callbacks, its batch
iterators, ...), written with no object that unpickling would have to run:
sklarith's own classes and functions stay as they are (skops lists them, and
the user trusts them); torch's and skorch's classes are written by name and
looked up, when loading, only among the namespaces below, each limited to
one kind of class; objects are written as the class and the arguments that
build them; tensors go into one ``torch.save`` blob, which loads with
``weights_only=True``. What none of these describes (a user's own callback)
stays an object, so that skops lists its type.
"""

import inspect
import io
import numbers
import warnings

import numpy as np
import skorch.callbacks
import skorch.dataset
import torch
from skorch.exceptions import DeviceWarning
from skorch.history import History

from .net import exclusive_global_generator

#: Namespaces of the classes a persisted net may name, and the base class that
#: a class named there must have.
_NAMED_CLASS_NAMESPACES = {
    "torch.nn": (torch.nn, torch.nn.Module),
    "torch.optim": (torch.optim, torch.optim.Optimizer),
    "torch.optim.lr_scheduler": (
        torch.optim.lr_scheduler,
        torch.optim.lr_scheduler.LRScheduler,
    ),
    "skorch.callbacks": (skorch.callbacks, skorch.callbacks.Callback),
    "skorch.dataset": (
        skorch.dataset,
        (skorch.dataset.ValidSplit, torch.utils.data.Dataset),
    ),
}

#: The key that marks a dict of the persisted net as an encoded value.
_KIND = "__sklarith_persisted__"


def _is_own(cls):
    return cls.__module__.split(".")[0] == "sklarith"


def _class_name(cls):
    """``{namespace, name}`` of a torch or skorch class, or None."""
    for namespace, (module, base) in _NAMED_CLASS_NAMESPACES.items():
        if getattr(module, cls.__name__, None) is cls and issubclass(cls, base):
            return {_KIND: "class", "namespace": namespace, "name": cls.__name__}
    return None


def _named_class(value):
    namespace, name = value["namespace"], value["name"]
    module, base = _NAMED_CLASS_NAMESPACES.get(namespace, (None, object))
    cls = getattr(module, name, None) if module is not None else None
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ValueError(
            f"The persisted net names the class {namespace}.{name}, which is not "
            "one that sklarith persists; the file was not written by sklarith."
        )
    return cls


def _construction(obj):
    """``(args, kwargs)`` that build ``obj`` again from its class, or None.

    The constructor's arguments are read from the attributes of the same
    names, as scikit-learn, skorch and torch's layers keep them; arguments at
    their default are left out. A layer's ``bias`` is whether it has one.
    """
    signature = inspect.signature(type(obj).__init__)
    parameters = list(signature.parameters.items())[1:]
    args, kwargs = [], {}
    for name, parameter in parameters:
        if parameter.kind is parameter.VAR_POSITIONAL:
            # nn.Sequential's layers are its constructor's arguments.
            if not isinstance(obj, torch.nn.Sequential):
                return None
            args = list(obj)
        elif parameter.kind is parameter.VAR_KEYWORD:
            # skorch's LRScheduler keeps the scheduler's arguments as attributes.
            kwargs.update(
                (key, value)
                for key, value in vars(obj).items()
                if key not in signature.parameters
                and not key.startswith("_")
                and not key.endswith("_")
                and not isinstance(obj, torch.nn.Module)
            )
        elif isinstance(obj, torch.nn.Module) and name == "bias":
            kwargs[name] = getattr(obj, name) is not None
        elif isinstance(obj, torch.nn.Module) and name == "dtype":
            weights = list(obj.parameters())
            if weights:
                kwargs[name] = weights[0].dtype
        elif hasattr(obj, name):
            value = getattr(obj, name)
            if value is not parameter.default:
                kwargs[name] = value
        elif parameter.default is parameter.empty:
            return None
    return args, kwargs


def _encode(value, tensors):
    """``value`` as persisted data; its tensors are appended to ``tensors``."""
    if isinstance(value, torch.Tensor):
        tensors.append(value)
        return {_KIND: "tensor", "index": len(tensors) - 1}
    if isinstance(value, torch.dtype):
        return {_KIND: "dtype", "name": str(value).removeprefix("torch.")}
    if isinstance(value, dict):
        return {key: _encode(item, tensors) for key, item in value.items()}
    if isinstance(value, list | tuple):
        items = [_encode(item, tensors) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, type):
        return value if _is_own(value) else (_class_name(value) or value)
    plain = str | bytes | numbers.Number | np.ndarray | np.generic
    if value is None or isinstance(value, plain):
        return value
    if inspect.isfunction(value) or inspect.isbuiltin(value):
        # Functions (sklarith's validation scores) are persisted by name.
        return value
    cls = type(value)
    named = cls if _is_own(cls) else _class_name(cls)
    construction = _construction(value) if named is not None else None
    if construction is None:
        return value
    args, kwargs = construction
    return {
        _KIND: "object",
        "class": named,
        "args": _encode(args, tensors),
        "kwargs": _encode(kwargs, tensors),
    }


def _decode(value, tensors):
    """The value that :func:`_encode` persisted as ``value``."""
    if isinstance(value, dict):
        kind = value.get(_KIND)
        if kind == "tensor":
            return tensors[value["index"]]
        if kind == "dtype":
            dtype = getattr(torch, value["name"], None)
            if not isinstance(dtype, torch.dtype):
                raise ValueError(f"{value['name']!r} is not a torch dtype.")
            return dtype
        if kind == "class":
            return _named_class(value)
        if kind == "object":
            cls = value["class"]
            cls = _named_class(cls) if isinstance(cls, dict) else cls
            args = _decode(value["args"], tensors)
            return cls(*args, **_decode(value["kwargs"], tensors))
        return {key: _decode(item, tensors) for key, item in value.items()}
    if isinstance(value, list | tuple):
        items = [_decode(item, tensors) for item in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def net_to_state(net):
    """The persisted form of a fitted skorch ``net``: plain data, sklarith's
    own classes and functions, and ``torch.save`` bytes of tensors only."""
    tensors = []
    params = {
        name: value
        for name, value in net.get_params(deep=False).items()
        if not name.startswith("_")
    }
    config = _encode(params, tensors)
    weights = {
        "tensors": tensors,
        "module": net.module_.state_dict(),
        "criterion": net.criterion_.state_dict(),
        "optimizer": net.optimizer_.state_dict(),
    }
    buffer = io.BytesIO()
    torch.save(weights, buffer)
    return {
        "class": type(net),
        "params": config,
        "weights": buffer.getvalue(),
        "history": net.history.to_list(),
    }


def net_from_state(state):
    """The skorch net that :func:`net_to_state` persisted as ``state``.

    A net trained on CUDA loads on the CPU when CUDA is missing, with skorch's
    warning that it does.
    """
    device = state["params"]["device"]
    if torch.device(device).type == "cuda" and not torch.cuda.is_available():
        warnings.warn(
            f"The model was trained on {device!r} but CUDA is not available; "
            "it is loaded on the CPU.",
            DeviceWarning,
            stacklevel=3,
        )
        device = "cpu"
    weights = torch.load(
        io.BytesIO(state["weights"]), map_location=device, weights_only=True
    )
    params = _decode(state["params"], weights["tensors"])
    params.update(
        (name, device)
        for name in ("device", "iterator_train__device", "iterator_valid__device")
        if name in params
    )
    net = state["class"](**params)
    # Building the net draws initial weights from torch's process-wide
    # generator, which a fit in another thread may have seeded: take turns
    # with fits, and leave the caller's random state as it was.
    with exclusive_global_generator():
        net.initialize()
    net.module_.load_state_dict(weights["module"])
    net.criterion_.load_state_dict(weights["criterion"])
    net.optimizer_.load_state_dict(weights["optimizer"])
    net.history_ = History(state["history"])
    return net
