"""scikit-learn estimators that learn arithmetic on handwritten digits."""

from .adder import MLPAdderRegressor
from .arithmetic import ArithmeticMultiOutputClassifier
from .autoencoder import AutoencoderTransformer
from .export import to_torch
from .identity_adder import IdentityAdderClassifier
from .pca import PCAEncoder
from .utils._show_versions import show_versions

__all__ = [
    "ArithmeticMultiOutputClassifier",
    "AutoencoderTransformer",
    "IdentityAdderClassifier",
    "MLPAdderRegressor",
    "PCAEncoder",
    "show_versions",
    "to_torch",
]
__version__ = "0.1.0"
