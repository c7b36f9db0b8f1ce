"""scikit-learn estimators that learn arithmetic on handwritten digits."""

import importlib

#: The public names and the modules that define them. They are imported on
#: first use (PEP 562), so that ``import sklarith`` does not load torch: the
#: command line answers ``--help`` and Ctrl-C at once.
_PUBLIC = {
    "ArithmeticMultiOutputClassifier": ".arithmetic",
    "AutoencoderTransformer": ".autoencoder",
    "DigitArithmeticClassifier": ".digit_arithmetic",
    "IdentityAdderClassifier": ".identity_adder",
    "MLPAdderRegressor": ".adder",
    "PCAEncoder": ".pca",
    "show_versions": ".utils._show_versions",
    "to_torch": ".export",
}

__all__ = sorted(_PUBLIC)
__version__ = "0.1.0"


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_PUBLIC])
