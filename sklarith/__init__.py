"""scikit-learn estimators that learn arithmetic on handwritten digits."""

from .arithmetic import ArithmeticMultiOutputClassifier
from .autoencoder import AutoencoderTransformer
from .identity_adder import IdentityAdderClassifier

__all__ = [
    "ArithmeticMultiOutputClassifier",
    "AutoencoderTransformer",
    "IdentityAdderClassifier",
]
__version__ = "0.1.0"
