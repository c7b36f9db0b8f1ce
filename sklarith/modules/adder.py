"""The network behind MLPAdderRegressor: numbers in, their sum out."""

import itertools

import torch
from torch import nn


class AdderMLP(nn.Module):
    """Fully connected network with one linear output unit, on scaled numbers.

    Inputs are mapped to ``(x - input_offset) / input_scale`` inside the
    module; the output unit predicts the target on the scale
    ``(y - target_offset) / target_scale``, which :meth:`predict_sum` undoes.
    With offsets of 0 and scales of 1 the network sees raw numbers, as in the
    adder post ("Can a small network add?").

    Parameters
    ----------
    n_operands : int
        Width of the input: how many numbers each row holds.
    hidden_layer_sizes : tuple of int
        Widths of the hidden layers.
    activation : type of torch.nn.Module
        Nonlinearity after every hidden layer.
    input_offset, input_scale : array-like of shape (n_operands,) or float
        Affine map of the inputs, applied before the first layer.
    target_offset, target_scale : float
        Affine map of the target that the output unit predicts.
    init_gain : float
        Gain of the Glorot-uniform initialisation of the hidden weights
        (Keras's default initialisation when 1); biases start at zero. A small
        gain starts every unit in the near-linear middle of its sigmoid.
    dtype : torch.dtype
        Floating-point type of the weights; inputs must have the same type.

    Notes
    -----
    ``forward`` returns the scaled prediction of shape (n,) and the last
    hidden layer's activations of shape (n, width), so that a loss can solve
    the output layer by least squares (see :class:`AdderMSELoss`).
    """

    def __init__(
        self,
        n_operands,
        hidden_layer_sizes=(2,),
        activation=nn.Sigmoid,
        input_offset=0.0,
        input_scale=1.0,
        target_offset=0.0,
        target_scale=1.0,
        init_gain=1.0,
        dtype=torch.float32,
    ):
        super().__init__()

        def per_operand(value):
            return torch.as_tensor(value, dtype=dtype).expand(n_operands).clone()

        self.register_buffer("input_offset", per_operand(input_offset))
        self.register_buffer("input_scale", per_operand(input_scale))
        self.register_buffer("target_offset", torch.tensor(target_offset, dtype=dtype))
        self.register_buffer("target_scale", torch.tensor(target_scale, dtype=dtype))
        sizes = [n_operands, *hidden_layer_sizes]
        layers = []
        for n_in, n_out in itertools.pairwise(sizes):
            linear = nn.Linear(n_in, n_out, dtype=dtype)
            nn.init.xavier_uniform_(linear.weight, gain=init_gain)
            nn.init.zeros_(linear.bias)
            layers += [linear, activation()]
        self.hidden = nn.Sequential(*layers)
        self.output = nn.Linear(sizes[-1], 1, dtype=dtype)
        nn.init.xavier_uniform_(self.output.weight)
        nn.init.zeros_(self.output.bias)

    def features(self, x):
        """Activations of the last hidden layer (the inputs when there is none)."""
        return self.hidden((x - self.input_offset) / self.input_scale)

    def forward(self, x):
        features = self.features(x)
        return self.output(features).squeeze(-1), features

    def predict_sum(self, x):
        """The prediction on the scale of the target: the sum itself."""
        prediction, _ = self(x)
        return self.target_offset + self.target_scale * prediction

    @torch.no_grad()
    def fit_output_layer(self, x, scaled_target):
        """Set the output layer to the least-squares fit of ``scaled_target``
        on the hidden activations of ``x``."""
        weight, bias = solve_output_layer(self.features(x), scaled_target)
        self.output.weight.copy_(weight.unsqueeze(0))
        self.output.bias.copy_(bias.reshape(1))


def solve_output_layer(features, scaled_target):
    """Weights and bias of the linear output that best fits the target.

    Solved on the CPU by an SVD-based least-squares routine (CUDA's only
    assumes full rank), so duplicated or dead hidden units, and batches of no
    more rows than unknowns, give the minimum-norm solution rather than
    garbage. Features or targets that are not finite have no solution: the
    weights and the bias are NaN (LAPACK would refuse them with an error
    that torch reports as its own internal failure). Gradients do not flow
    through the solution.
    """
    features = features.detach()
    if not (torch.isfinite(features).all() and torch.isfinite(scaled_target).all()):
        nan = torch.full((features.shape[1] + 1,), torch.nan, dtype=features.dtype)
        nan = nan.to(features.device)
        return nan[:-1], nan[-1]
    design = torch.cat([features, torch.ones_like(features[:, :1])], dim=1)
    solution = torch.linalg.lstsq(
        design.cpu(), scaled_target.detach().cpu().unsqueeze(-1), driver="gelsd"
    ).solution.squeeze(-1)
    solution = solution.to(features.device)
    return solution[:-1], solution[-1]


class AdderMSELoss(nn.Module):
    """Mean squared error of an :class:`AdderMLP`'s scaled prediction.

    Parameters
    ----------
    least_squares_output : bool
        In training mode, replace the output layer by its least-squares fit
        to the batch before measuring the error (variable projection). The
        loss is then a function of the hidden weights alone, and since the
        fit is optimal, its gradient with respect to them is the gradient of
        the error at fixed output weights: the output layer needs no gradient
        and the ill-conditioned direction in which hidden weights shrink while
        output weights grow disappears from the problem. In evaluation mode
        the module's own output layer is used.

    Notes
    -----
    Along a line where the loss is flat, with a zero gradient, the cubic
    interpolation of torch's strong-Wolfe line search divides 0 by 0, and
    L-BFGS tries a NaN step: hidden weights and activations become NaN. A
    batch that the output layer fits exactly, such as one of no more rows
    than unknowns (the last, short batch of an epoch), gives such a line.
    The loss of activations that are not finite is infinite, with a zero
    gradient, so that the search returns to its best finite step.
    """

    def __init__(self, least_squares_output=False):
        super().__init__()
        self.least_squares_output = least_squares_output

    def forward(self, outputs, scaled_target):
        prediction, features = outputs
        if self.least_squares_output and self.training:
            if not torch.isfinite(features).all():
                # A NaN step of the line search (see Notes), not divergence.
                return _infinite_loss(features)
            weight, bias = solve_output_layer(features, scaled_target)
            prediction = features @ weight + bias
        return nn.functional.mse_loss(prediction, scaled_target)


def _infinite_loss(features):
    """An infinite loss, still a function of ``features`` (so that backward
    runs) with a zero gradient, for hidden activations that are not finite."""
    return features.nan_to_num(0.0, 0.0, 0.0).sum() * 0.0 + torch.inf
