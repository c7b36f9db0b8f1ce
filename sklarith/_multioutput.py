"""Per-output class probabilities turned into scikit-learn's classifier API."""

import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.utils.validation import check_is_fitted, validate_data

from ._torch import infer_batches
from .utils._distinct import value_range
from .utils._validation import check_pixel_range


def _holds_strings(labels):
    if labels.dtype.kind in "US":
        return True
    return labels.dtype.kind == "O" and any(isinstance(v, str) for v in labels)


class MultiOutputClassifierMixin:
    """Inference of a classifier with one softmax distribution per output.

    The net's criterion turns the module's output into a list of class
    probabilities, one per output (``criterion_.probabilities``); ``classes_``
    is one array (1-D ``y`` at fit) or a list of arrays. Inference runs batch
    by batch, and ``score`` is the subset accuracy, as in
    :class:`sklearn.multioutput.MultiOutputClassifier`. Each classifier's
    ``_validate_fit_data`` refuses a ``y`` with no columns. With a fitted
    ``encoder_`` (rows of pixels), inference warns when the pixels lie far
    outside the range the encoder saw at fit. Subclasses may override
    ``_validate_predict_input``.
    """

    def partial_fit(self, X, y, classes=None):
        """Train the network one epoch over ``X`` and ``y``, continuing it.

        The first call trains a new network; each later call continues it,
        as a fit with ``warm_start=True``, ``max_epochs=1``,
        ``early_stopping=False`` and ``lr_schedule="constant"`` would: one
        pass over the rows at the learning rate ``lr``, with a new optimiser
        and without a validation split. ``partial_fit(X1, y1)`` then
        ``partial_fit(X2, y2)`` trains the network that ``fit`` trains on
        the same batches with those four parameters. The classes are those
        of the first call, kept by every later one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        classes : array-like or list of array-like, default=None
            Every class of each output (a list of arrays, one per column of
            ``y``; an array for 1-D ``y``), for a first batch that may lack
            some; later calls keep the first call's. Ignored by classifiers
            whose classes are fixed (every value their results can take).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if classes is None and hasattr(self, "classes_"):
            classes = self.classes_
        return self._one_epoch_fit(X, y, classes=classes)

    def _validate_predict_input(self, X):
        X = validate_data(self, X, reset=False, dtype=np.float32)
        encoder = getattr(self, "encoder_", None)
        if encoder is not None:
            # The network scales the pixels batch by batch, inside torch: the
            # range is checked here, once per call, against the encoder's.
            check_pixel_range(*value_range(X), encoder, type(self).__name__)
        return X

    def _head_probabilities(self, X):
        """Yield, batch by batch, a list with each head's class probabilities."""
        check_is_fitted(self)
        X = self._validate_predict_input(X)
        probabilities = self.net_.criterion_.probabilities
        for output in infer_batches(self.net_, X):
            yield [p.numpy() for p in probabilities(output)]

    def predict_proba(self, X):
        """Class probabilities of each output.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such arrays
            One array per output, in the order of ``classes_``; a single
            array when ``y`` was 1-D at fit.
        """
        batches = list(self._head_probabilities(X))
        proba = [np.concatenate(parts) for parts in zip(*batches, strict=True)]
        return proba[0] if not isinstance(self.classes_, list) else proba

    def predict(self, X):
        """Most probable class of each output.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Same shape as ``y`` at fit.
        """
        check_is_fitted(self)
        single_output = not isinstance(self.classes_, list)
        classes = [self.classes_] if single_output else self.classes_
        columns = [[] for _ in classes]
        for parts in self._head_probabilities(X):
            for column, part in zip(columns, parts, strict=True):
                column.append(part.argmax(axis=1))
        predicted = [
            c[np.concatenate(col)] for c, col in zip(classes, columns, strict=True)
        ]
        return predicted[0] if single_output else np.stack(predicted, axis=1)

    def score(self, X, y, sample_weight=None):
        """Subset accuracy: the share of rows with every output right.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        y_pred = self.predict(X)
        y = np.asarray(y)
        if y.ndim == 2 and y_pred.ndim == 1 and y.shape[1] == 1:
            y = y.ravel()
        if y.shape != y_pred.shape:
            raise ValueError(
                f"y has shape {y.shape} but the model predicts {y_pred.shape}: "
                "pass one column per output seen at fit."
            )
        # Labels of another kind than at fit (strings against numbers) are
        # refused as scikit-learn's classifiers refuse them, not scored 0.
        n_rows = len(y)
        true_columns = y.reshape(n_rows, -1).T
        predicted_columns = y_pred.reshape(n_rows, -1).T
        for i, (true, predicted) in enumerate(
            zip(true_columns, predicted_columns, strict=True)
        ):
            if _holds_strings(true) != _holds_strings(predicted):
                raise ValueError(
                    f"Mix of label input types (string and number) in output {i}: "
                    f"y holds {true[:3].tolist()}... but the model predicts "
                    f"{predicted[:3].tolist()}...; pass labels of the kind seen at fit."
                )
        if y_pred.ndim == 1:
            return accuracy_score(y, y_pred, sample_weight=sample_weight)
        correct = np.all(y_pred == y, axis=1)
        return float(np.average(correct, weights=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags
