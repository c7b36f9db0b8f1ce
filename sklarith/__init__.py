"""scikit-learn estimators that learn arithmetic on handwritten digits."""

from .arithmetic import ArithmeticMultiOutputClassifier
from .autoencoder import AutoencoderTransformer
from .pca import PCAEncoder

__all__ = ["ArithmeticMultiOutputClassifier", "AutoencoderTransformer", "PCAEncoder"]
__version__ = "0.1.0"
