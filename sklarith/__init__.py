"""scikit-learn estimators that learn arithmetic on handwritten digits."""

from .adder import MLPAdderRegressor
from .arithmetic import ArithmeticMultiOutputClassifier
from .autoencoder import AutoencoderTransformer
from .identity_adder import IdentityAdderClassifier
from .pca import PCAEncoder

__all__ = [
    "ArithmeticMultiOutputClassifier",
    "AutoencoderTransformer",
    "IdentityAdderClassifier",
    "MLPAdderRegressor",
    "PCAEncoder",
]
__version__ = "0.1.0"
