"""Write the Sphinx inventories through which the docs link to other projects.

The docs cross-reference scikit-learn, PyTorch, torchvision and skorch
(``:class:`sklearn.pipeline.Pipeline```). Sphinx's intersphinx resolves such
references from each project's ``objects.inv``, which it normally downloads;
the docs are built offline, so this script writes those inventories instead,
from the installed packages: it lists each package's public names and maps
each to the page where the project's own site documents it. Run it again
after upgrading one of the packages, and commit the result::

    python docs/_inventories/make_inventories.py

The URL rules follow the layout of each site (scikit-learn's API pages under
``modules/generated/``, PyTorch's under ``generated/``, skorch's one page per
module); a name whose page the rules do not know is left out rather than
linked to a page that does not exist.
"""

import importlib
import inspect
import pkgutil
import re
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Base URL of each project's documentation, as intersphinx_mapping uses it.
BASE_URLS = {
    "sklearn": "https://scikit-learn.org/stable/",
    "torch": "https://docs.pytorch.org/docs/stable/",
    "torchvision": "https://docs.pytorch.org/vision/stable/",
    "skorch": "https://skorch.readthedocs.io/en/stable/",
}

#: scikit-learn's glossary terms that docstrings (ours and the ones our
#: estimators inherit) use with :term:; the glossary is part of scikit-learn's
#: site, not of the installed package, so it cannot be introspected.
SKLEARN_GLOSSARY = [
    "classifier",
    "clone",
    "cross-validation",
    "early stopping",
    "estimator",
    "fit",
    "inverse_transform",
    "meta-estimator",
    "multioutput",
    "n_features_in_",
    "predict",
    "predict_proba",
    "random_state",
    "regressor",
    "score",
    "transform",
    "transformer",
]

#: Labels of scikit-learn's user guide that inherited docstrings reference
#: with :ref:, and the page and anchor of each on scikit-learn's site.
SKLEARN_LABELS = {
    "metadata_routing": ("metadata_routing.html#metadata-routing", "Metadata Routing"),
    "r2_score": ("modules/model_evaluation.html#r2-score", "R² score"),
}


def _public_names(module):
    """Names a module exports: its ``__all__``, else the public names it (or,
    for a package, one of its modules) defines rather than imports."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, obj in vars(module).items()
            if (getattr(obj, "__module__", None) or "").startswith(module.__name__)
        ]
    return [name for name in names if not name.startswith("_")]


def _role(obj):
    if inspect.isclass(obj):
        return "py:class"
    if callable(obj):
        return "py:function"
    return None


def _methods(cls):
    """Public methods a class defines or inherits from its own project."""
    package = cls.__module__.split(".")[0]
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") or not callable(member):
            continue
        owner = getattr(member, "__module__", None) or ""
        if owner.split(".")[0] == package:
            yield name


def _with_methods(name, cls, uri):
    """Entries for a class and each of its methods, anchored on its page."""
    page = uri.split("#")[0]
    yield name, "py:class", uri
    for method in _methods(cls):
        yield f"{name}.{method}", "py:method", f"{page}#{name}.{method}"


def _entries_of(module_name, uri_of):
    """Entries for the public classes and functions of a module.

    ``uri_of(qualified_name, role)`` gives the page of a name, or None for a
    name the site does not document.
    """
    module = importlib.import_module(module_name)
    for name in _public_names(module):
        try:
            obj = getattr(module, name, None)
        except ImportError:  # a name needing an optional dependency
            continue
        role = _role(obj)
        if role is None or inspect.ismodule(obj):
            continue
        qualified = f"{module_name}.{name}"
        uri = uri_of(qualified, role)
        if uri is None:
            continue
        if role == "py:class":
            yield from _with_methods(qualified, obj, uri)
        else:
            yield qualified, role, uri


def _sklearn_modules():
    """scikit-learn's public modules: no leading underscore, no tests."""
    import sklearn

    # Importing these exports the experimental estimators, which the API
    # reference documents beside the others.
    from sklearn.experimental import (  # noqa: F401
        enable_halving_search_cv,
        enable_iterative_imputer,
    )

    yield "sklearn"
    for info in pkgutil.walk_packages(sklearn.__path__, "sklearn."):
        parts = info.name.split(".")
        # experimental's modules enable estimators when imported, externals
        # holds vendored copies of other projects.
        if any(p.startswith("_") or p == "tests" for p in parts) or parts[1] in {
            "experimental",
            "externals",
        }:
            continue
        yield info.name


def sklearn_entries():
    """scikit-learn's API pages are ``modules/generated/<name>.html``."""

    def uri_of(name, role):
        return f"modules/generated/{name}.html#{name}"

    seen = set()
    for module_name in _sklearn_modules():
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # a module needing an optional dependency
            continue
        # The API reference has one page per top-level module.
        if module_name.count(".") == 1 and hasattr(module, "__all__"):
            yield module_name, "py:module", f"api/{module_name}.html"
        for entry in _entries_of(module_name, uri_of):
            if entry[0] not in seen:
                seen.add(entry[0])
                yield entry
    for term in SKLEARN_GLOSSARY:
        anchor = re.sub(r"[^a-zA-Z0-9._]+", "-", f"term-{term}").strip("-")
        yield term, "std:term", f"glossary.html#{anchor}"
    for label, (uri, title) in SKLEARN_LABELS.items():
        yield label, "std:label", uri, title


def torch_entries():
    """PyTorch documents most names on ``generated/<name>.html``; the tensor,
    its attributes and the data utilities have one page each."""
    import torch

    def generated(name, role):
        return f"generated/{name}.html#{name}"

    for name in torch.__all__:
        obj = getattr(torch, name, None)
        if inspect.isfunction(obj) or inspect.isbuiltin(obj):
            yield f"torch.{name}", "py:function", generated(f"torch.{name}", None)
    yield "torch.Tensor", "py:class", "tensors.html#torch.Tensor"
    for name in dir(torch.Tensor):
        if not name.startswith("_") and callable(getattr(torch.Tensor, name)):
            method = f"torch.Tensor.{name}"
            yield method, "py:method", generated(method, None)
    for name in ("device", "dtype", "layout", "memory_format"):
        yield f"torch.{name}", "py:class", f"tensor_attributes.html#torch.{name}"
    yield from _with_methods(
        "torch.Generator", torch.Generator, generated("torch.Generator", None)
    )
    # torch.nn's layers are exported from torch.nn.modules under torch.nn.
    import torch.nn.modules

    for name in torch.nn.modules.__all__:
        obj = getattr(torch.nn, name, None)
        if inspect.isclass(obj):
            yield from _with_methods(
                f"torch.nn.{name}", obj, generated(f"torch.nn.{name}", None)
            )
    yield from _entries_of("torch.optim", generated)
    yield from _entries_of("torch.optim.lr_scheduler", generated)
    # These modules are documented on one page each.
    for module, page in [
        ("torch.utils.data", "data"),
        ("torch.export", "export"),
        ("torch.onnx", "onnx"),
    ]:
        yield from _entries_of(
            module, lambda name, role, page=page: f"{page}.html#{name}"
        )
    for module in ("torch", "torch.nn", "torch.optim", "torch.utils.data"):
        page = {"torch": "torch", "torch.utils.data": "data"}.get(
            module, module.removeprefix("torch.")
        )
        yield module, "py:module", f"{page}.html#module-{module}"


def torchvision_entries():
    """torchvision documents its names on ``generated/<name>.html``."""

    def generated(name, role):
        return f"generated/{name}.html#{name}"

    for module in ("torchvision.datasets", "torchvision.transforms"):
        yield from _entries_of(module, generated)


def skorch_entries():
    """skorch documents each module ``skorch.<m>`` on the page ``<m>.html``
    (``skorch.callbacks.EarlyStopping`` on ``callbacks.html``); the names the
    package re-exports (``skorch.NeuralNet``) link to their module's entry."""
    import skorch

    pages = ["callbacks", "classifier", "dataset", "helper", "history"]
    pages += ["net", "probabilistic", "regressor", "scoring", "toy", "utils"]
    for page in pages:
        module_name = f"skorch.{page}"
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # probabilistic needs gpytorch, an optional extra
            continue
        yield module_name, "py:module", f"{page}.html#module-{module_name}"
        for name in _public_names(module):
            obj = getattr(module, name)
            role = _role(obj)
            if role is None:
                continue
            uri = f"{page}.html#{module_name}.{name}"
            if role == "py:class":
                yield from _with_methods(f"{module_name}.{name}", obj, uri)
            else:
                yield f"{module_name}.{name}", role, uri
    for name in skorch.__all__:
        obj = getattr(skorch, name)
        if inspect.isclass(obj):
            module_name = obj.__module__
            page = module_name.removeprefix("skorch.")
            yield from _with_methods(
                f"skorch.{name}", obj, f"{page}.html#{module_name}.{name}"
            )


ENTRIES = {
    "sklearn": sklearn_entries,
    "torch": torch_entries,
    "torchvision": torchvision_entries,
    "skorch": skorch_entries,
}


def inventory_bytes(project, version, entries):
    """An inventory in Sphinx's format (version 2): four plain header lines,
    then one zlib-compressed line per object (name, role, priority, URI,
    displayed text), sorted so that the file changes only when the names
    do."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = set()
    for name, role, uri, *title in entries:
        # "-" displays the name itself; a label displays its section title.
        lines.add(f"{name} {role} 1 {uri} {title[0] if title else '-'}\n")
    lines = sorted(lines)
    return header.encode() + zlib.compress("".join(lines).encode(), 9)


def main():
    for project, entries in ENTRIES.items():
        version = importlib.import_module(project).__version__.split("+")[0]
        path = HERE / f"{project}.inv"
        path.write_bytes(inventory_bytes(project, version, entries()))
        print(f"wrote {path.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
