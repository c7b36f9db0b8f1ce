"""A fitted skorch net as plain data, and back, naming nothing a file could abuse.

A fitted net is persisted as what builds it again, its weights and its
history. What builds it is the net's constructor parameters (its module,
criterion and optimizer with their arguments, its callbacks, its batch
iterators, ...), as plain data: classes and functions are written by name,
objects as the name of their class and the arguments that build them (an
object whose class has no ``__init__`` of its own, from no argument).
Tensors go into one ``torch.save`` blob, which loads with
``weights_only=True`` after its SHA-256 is checked, so that a damaged pickle
or joblib file is refused rather than loaded with other weights. What none of
these describes (a user's own callback) stays an object, so that skops lists
its type.

Loading calls no function and builds no class that the file could choose
freely, because sklarith's own functions and classes are reachable too: a
file that could call any of them with its own arguments could write files and
reach ``eval``. The rule:

- A class name resolves only to a class of a torch or skorch namespace of
  :data:`_NAMED_CLASS_NAMESPACES` that subclasses the base given there
  (layers and losses, optimizers, learning-rate schedulers, callbacks, data
  splits), or to a class defined in a sklarith module that is already
  imported and that subclasses one of :data:`_SKLARITH_BASES` (networks and
  losses, callbacks, the batch iterator, the digit structures). Loading
  imports nothing: a module's import may run code (``sklarith.__main__``
  runs the command line), and the estimator's own module, which the loader
  imports, imports every module its net is built from.
- A function name resolves only to a function registered with
  :func:`persisted_by_name` (the validation scores, the sinks of the training
  output).
- The net must be sklarith's :class:`~sklarith._torch.net.SklarithNeuralNet`;
  its module a sklarith network (a ``torch.nn.Module``), its criterion a
  torch loss or a sklarith module, its optimizer a torch optimizer.

Anything else is refused with a ``ValueError`` before the net is built. A
skops file of a sklarith model thus lists its estimators' classes only, and
:func:`trusted_types` gives that exact list for the model one expects.
"""

import hashlib
import inspect
import io
import numbers
import sys
import warnings

import numpy as np
import skorch.callbacks
import skorch.dataset
import torch
from skorch.exceptions import DeviceWarning
from skorch.history import History

from ..structures import _ExactResults
from .data import BatchIterator

#: Namespaces of torch's and skorch's classes a persisted net may name, and
#: the base class that a class named there must have.
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

#: The classes one of which a sklarith class named by a persisted net must
#: subclass: what a net is built from, never an estimator or a helper whose
#: constructor acts (a results file, the command line).
_SKLARITH_BASES = (
    torch.nn.Module,
    skorch.callbacks.Callback,
    BatchIterator,
    _ExactResults,
)

#: The functions a persisted net may name, by their full names: filled by
#: :func:`persisted_by_name` as their modules are imported.
_PERSISTED_FUNCTIONS = {}

#: The key that marks a dict of the persisted net as an encoded value.
_KIND = "__sklarith_persisted__"

#: How a refusal ends: the file is not one that this sklarith wrote as it is
#: (an older sklarith wrote its net in another form).
_NOT_SKLARITHS = (
    "the file was not written by this version of sklarith, or was altered since."
)


def persisted_by_name(function):
    """Register ``function`` so that a persisted net names it, and loading
    finds it again by that name; return it unchanged.

    A decorator for the functions a fitted net holds (validation scores, the
    sinks of its output): registered, they are written by name, and a skops
    file of the model lists no function, which the user would have to trust.
    """
    _PERSISTED_FUNCTIONS[_full_name(function)] = function
    return function


def _full_name(value):
    return f"{value.__module__}.{value.__qualname__}"


def _refuse(what):
    return ValueError(f"The persisted net {what}: {_NOT_SKLARITHS}")


def _is_own(cls):
    return cls.__module__.split(".")[0] == "sklarith"


def _sklarith_class(namespace, name):
    """The sklarith class ``name`` of the imported module ``namespace`` that
    a persisted net may name, or None."""
    module = sys.modules.get(namespace) if namespace.startswith("sklarith.") else None
    # vars(): a name the module defines, never one that a module __getattr__
    # would make up.
    cls = vars(module).get(name) if module is not None else None
    if not isinstance(cls, type) or cls.__module__ != namespace:
        # Not a class, or one that the module imported (pathlib's Path).
        return None
    if cls.__qualname__ != name or not issubclass(cls, _SKLARITH_BASES):
        return None
    return cls


def _class_name(cls):
    """``{namespace, name}`` of a class that a persisted net may name, or None."""
    if _is_own(cls):
        if _sklarith_class(cls.__module__, cls.__qualname__) is not cls:
            return None
        return {_KIND: "class", "namespace": cls.__module__, "name": cls.__qualname__}
    for namespace, (module, base) in _NAMED_CLASS_NAMESPACES.items():
        if getattr(module, cls.__name__, None) is cls and issubclass(cls, base):
            return {_KIND: "class", "namespace": namespace, "name": cls.__name__}
    return None


def _named_class(value):
    """The class that ``value``, written by :func:`_class_name`, names."""
    if not isinstance(value, dict) or value.get(_KIND) != "class":
        raise _refuse(f"holds {value!r} where it names a class")
    namespace, name = value.get("namespace"), value.get("name")
    if not (isinstance(namespace, str) and isinstance(name, str)):
        raise _refuse(f"names a class by {namespace!r} and {name!r}")
    if namespace in _NAMED_CLASS_NAMESPACES:
        module, base = _NAMED_CLASS_NAMESPACES[namespace]
        cls = getattr(module, name, None)
        cls = cls if isinstance(cls, type) and issubclass(cls, base) else None
    else:
        cls = _sklarith_class(namespace, name)
    if cls is None:
        raise _refuse(
            f"names the class {namespace}.{name}, which is not one that "
            "sklarith persists"
        )
    return cls


def _named_function(value):
    """The registered function that ``value`` names."""
    name = value.get("name")
    function = _PERSISTED_FUNCTIONS.get(name) if isinstance(name, str) else None
    if function is None:
        raise _refuse(
            f"names the function {name!r}, which is not one that sklarith persists"
        )
    return function


def _construction(obj):
    """``(args, kwargs)`` that build ``obj`` again from its class, or None.

    The constructor's arguments are read from the attributes of the same
    names, as scikit-learn, skorch and torch's layers keep them; arguments at
    their default are left out. A layer's ``bias`` is whether it has one. A
    class without an ``__init__`` of its own takes no argument.
    """
    if type(obj).__init__ is object.__init__:
        return [], {}
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


def _function_name(function):
    """``{name}`` of a function registered with :func:`persisted_by_name`, or
    None."""
    name = f"{getattr(function, '__module__', None)}.{function.__qualname__}"
    if _PERSISTED_FUNCTIONS.get(name) is not function:
        return None
    return {_KIND: "function", "name": name}


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
        return _class_name(value) or value
    plain = str | bytes | numbers.Number | np.ndarray | np.generic
    if value is None or isinstance(value, plain):
        return value
    if inspect.isfunction(value) or inspect.isbuiltin(value):
        # A user's own function stays as it is: skops lists it.
        return _function_name(value) or value
    named = _class_name(type(value))
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
    """The value that :func:`_encode` persisted as ``value``.

    Only the classes :func:`_named_class` accepts are called, with arguments
    that are themselves decoded; what a file gives in their place is refused.
    """
    if isinstance(value, dict):
        kind = value.get(_KIND)
        if kind is None:
            return {key: _decode(item, tensors) for key, item in value.items()}
        if kind == "tensor":
            index = value.get("index")
            if not (isinstance(index, int) and 0 <= index < len(tensors)):
                raise _refuse(f"names the tensor {index!r}, which it does not hold")
            return tensors[index]
        if kind == "dtype":
            dtype = getattr(torch, str(value.get("name")), None)
            if not isinstance(dtype, torch.dtype):
                raise _refuse(f"names {value.get('name')!r} as a torch dtype")
            return dtype
        if kind == "class":
            return _named_class(value)
        if kind == "function":
            return _named_function(value)
        if kind == "object":
            cls = _named_class(value.get("class"))
            args = _decode(value.get("args"), tensors)
            kwargs = _decode(value.get("kwargs"), tensors)
            if not (isinstance(args, list) and isinstance(kwargs, dict)):
                raise _refuse(f"builds {cls.__name__} from {args!r} and {kwargs!r}")
            return cls(*args, **kwargs)
        raise _refuse(f"holds a value of the unknown kind {kind!r}")
    if isinstance(value, list | tuple):
        items = [_decode(item, tensors) for item in value]
        return items if isinstance(value, list) else tuple(items)
    return value


#: What the module, criterion and optimizer of a persisted net must be: the
#: words of a refusal, and the test their class must pass.
_PARTS = {
    "module": (
        "a sklarith network",
        lambda cls: issubclass(cls, torch.nn.Module) and _is_own(cls),
    ),
    "criterion": (
        "a loss of torch or sklarith",
        lambda cls: (
            issubclass(cls, torch.nn.modules.loss._Loss)
            or (issubclass(cls, torch.nn.Module) and _is_own(cls))
        ),
    ),
    "optimizer": (
        "a torch optimizer",
        lambda cls: issubclass(cls, torch.optim.Optimizer),
    ),
}


def net_to_state(net):
    """The persisted form of a fitted skorch ``net``: plain data, and
    ``torch.save`` bytes of tensors only with their SHA-256."""
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
        "class": _full_name(type(net)),
        "params": config,
        "weights": buffer.getvalue(),
        "weights_sha256": hashlib.sha256(buffer.getvalue()).hexdigest(),
        "history": net.history.to_list(),
    }


def net_from_state(state):
    """The skorch net that :func:`net_to_state` persisted as ``state``.

    A net trained on CUDA loads on the CPU when CUDA is missing, with skorch's
    warning that it does.

    Raises
    ------
    ValueError
        When ``state`` is not what :func:`net_to_state` writes: another net
        class, a class or function that sklarith does not persist, weights
        that do not match their checksum. Nothing is built then.
    """
    # Imported here: the net's module imports the callbacks, which import
    # this one to register their functions.
    from .net import SklarithNeuralNet, exclusive_global_generator

    if not isinstance(state, dict):
        raise _refuse(f"is {type(state).__name__}, not a dict")
    if state.get("class") != _full_name(SklarithNeuralNet):
        raise _refuse(
            f"is a {state.get('class')!r}, not the {_full_name(SklarithNeuralNet)} "
            "that sklarith builds"
        )
    _check_weights(state.get("weights"), state.get("weights_sha256"))
    params = state.get("params")
    if not isinstance(params, dict):
        raise _refuse("holds no parameters")
    device = params.get("device")
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
    params = _decode(params, weights["tensors"])
    for name, (kind, accepts) in _PARTS.items():
        cls = params.get(name)
        if not (isinstance(cls, type) and accepts(cls)):
            raise _refuse(f"has {cls!r} as its {name}, not {kind}")
    params.update(
        (name, device)
        for name in ("device", "iterator_train__device", "iterator_valid__device")
        if name in params
    )
    net = SklarithNeuralNet(**params)
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


def _check_weights(weights, checksum):
    """Refuse weights that are not bytes matching their SHA-256 ``checksum``.

    A damaged file (a flipped bit on a disk, a truncated download) would load
    otherwise, with other weights, and predict otherwise. This is no defence
    against an attacker, who writes the checksum of their own weights.
    """
    if not isinstance(weights, bytes):
        raise _refuse("holds no weights")
    if not isinstance(checksum, str):
        raise _refuse("holds no checksum of its weights")
    if hashlib.sha256(weights).hexdigest() != checksum:
        raise ValueError(
            "The weights of the persisted net do not match their SHA-256 "
            "checksum: the file was damaged or altered since it was written."
        )
