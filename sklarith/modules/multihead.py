"""Multi-head networks behind ArithmeticMultiOutputClassifier."""

import torch
from torch import nn

from ._layers import mlp, scale_pixels


class MultiHeadMLP(nn.Module):
    """A shared multilayer trunk followed by one small MLP head per output.

    Inputs are standardised inside the module with the feature means and
    scales given at construction, so that codes of any scale train alike.

    Parameters
    ----------
    n_features : int
        Width of the input.
    n_classes : sequence of int
        Number of classes of each output; one head per entry.
    hidden_layer_sizes : tuple of int
        Widths of the shared trunk.
    head_layer_sizes : tuple of int
        Widths of the hidden layers of each head, before its output layer.
    activation : type of torch.nn.Module
        Nonlinearity after every hidden layer.
    mean, scale : torch.Tensor of shape (n_features,) or None
        Input standardisation; ``None`` leaves inputs unchanged.
    dropout : float
        Share of the units of every hidden layer, the trunk's and the
        heads', dropped at random in training.

    Notes
    -----
    ``forward`` returns the logits of all heads concatenated along the last
    axis, so that skorch's batched inference can concatenate them;
    :meth:`MultiHeadCrossEntropy.probabilities` splits them.
    """

    def __init__(
        self,
        n_features,
        n_classes,
        hidden_layer_sizes=(1000,),
        head_layer_sizes=(200,),
        activation=nn.ReLU,
        mean=None,
        scale=None,
        dropout=0.0,
    ):
        super().__init__()
        self.n_classes = [int(k) for k in n_classes]
        self.register_buffer(
            "mean", torch.zeros(n_features) if mean is None else torch.as_tensor(mean)
        )
        self.register_buffer(
            "scale", torch.ones(n_features) if scale is None else torch.as_tensor(scale)
        )
        self.trunk = mlp([n_features, *hidden_layer_sizes], activation, dropout)
        width = hidden_layer_sizes[-1] if hidden_layer_sizes else n_features
        self.heads = nn.ModuleList(
            nn.Sequential(
                mlp([width, *head_layer_sizes], activation, dropout),
                nn.Linear(head_layer_sizes[-1] if head_layer_sizes else width, k),
            )
            for k in self.n_classes
        )

    def forward(self, x):
        shared = self.trunk((x - self.mean) / self.scale)
        return torch.cat([head(shared) for head in self.heads], dim=-1)


class MultiHeadCrossEntropy(nn.Module):
    """Sum over outputs of the cross-entropy of each head.

    Parameters
    ----------
    n_classes : sequence of int
        Number of classes of each output, in the order of the heads.
    label_smoothing : float
        Share of each target's probability spread evenly over its classes
        (``torch.nn.functional.cross_entropy``'s).
    """

    def __init__(self, n_classes, label_smoothing=0.0):
        super().__init__()
        self.n_classes = [int(k) for k in n_classes]
        self.label_smoothing = label_smoothing

    def forward(self, logits, y):
        parts = torch.split(logits, self.n_classes, dim=-1)
        return sum(
            nn.functional.cross_entropy(
                part, y[:, i], label_smoothing=self.label_smoothing
            )
            for i, part in enumerate(parts)
        )

    def probabilities(self, logits):
        """Class probabilities of every output, a list of (n, n_classes) tensors."""
        return [
            torch.softmax(part, dim=-1)
            for part in torch.split(logits, self.n_classes, dim=-1)
        ]


class EncodedHead(nn.Module):
    """An image encoder applied to each image of a row, then a head network.

    Rows hold several flattened images side by side. Each image is scaled
    to [0, 1], optionally augmented during training, and encoded by the same
    ``encoder``; the codes are concatenated and fed to ``head`` built from
    ``head_params``. Training the whole module fine-tunes the encoder on the
    head's targets.

    Parameters
    ----------
    encoder : torch.nn.Module
        Maps (n, height * width) pixels in [0, 1] to (n, n_components) codes,
        such as ``ConvAutoencoder.encoder``.
    image_shape : tuple of int
        ``(height, width)`` of each image.
    data_min, data_range : float
        The range of the raw pixels, which are mapped to [0, 1] (the range an
        encoder saw at fit).
    augment : torch.nn.Module or None
        Applied to (n, 1, height, width) images in training mode.
    freeze_encoder : bool
        Keep the encoder's weights fixed (and in evaluation mode).
    head : type of torch.nn.Module
        The network on the concatenated codes, such as :class:`MultiHeadMLP`.
    **head_params
        Arguments of ``head``, whose ``n_features`` is the width of the
        concatenated codes.
    """

    def __init__(
        self,
        encoder,
        image_shape,
        data_min=0.0,
        data_range=1.0,
        augment=None,
        freeze_encoder=False,
        head=MultiHeadMLP,
        **head_params,
    ):
        super().__init__()
        self.encoder = encoder
        self.head = head(**head_params)
        self.image_shape = tuple(image_shape)
        self.data_min = data_min
        self.data_range = data_range
        self.augment = augment
        self.freeze_encoder = freeze_encoder
        self.encoder.requires_grad_(not freeze_encoder)

    def train(self, mode=True):
        super().train(mode)
        if self.freeze_encoder:
            self.encoder.train(False)
        return self

    def forward(self, x):
        n_rows = x.shape[0]
        images = scale_pixels(x, self.data_min, self.data_range)
        images = images.reshape(-1, 1, *self.image_shape)
        if self.augment is not None:
            images = self.augment(images)
        codes = self.encoder(images.flatten(1))
        return self.head(codes.reshape(n_rows, -1))
