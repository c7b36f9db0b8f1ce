"""The building blocks of the networks: dropout masks and the optimiser."""

import pytest
import torch

from sklarith._torch.spec import NetSpec, build_net
from sklarith.modules._random import Dropout, keep_mask


@pytest.mark.parametrize("p", [0.2, 0.4, 0.5])
def test_a_keep_mask_zeroes_about_a_share_p_and_scales_the_rest(p):
    mask = keep_mask(torch.ones(1000, 1000), p, torch.Generator().manual_seed(0))
    assert (mask == 0).float().mean().item() == pytest.approx(p, abs=0.002)
    assert mask.unique().tolist() == pytest.approx([0.0, 1 / (1 - p)])


@pytest.mark.parametrize("p", [1 - 1e-6, 1 - 2**-17])
def test_a_p_that_rounds_to_one_drops_every_value(p):
    assert torch.equal(keep_mask(torch.ones(100), p), torch.zeros(100))


def test_a_keep_mask_has_the_shape_and_dtype_of_its_values():
    values = torch.ones(3, 5, 7, dtype=torch.bfloat16)
    mask = keep_mask(values, 0.5)
    assert mask.shape == values.shape
    assert mask.dtype == torch.bfloat16


def test_the_same_generator_state_draws_the_same_keep_mask():
    values = torch.ones(7, 9)
    first = keep_mask(values, 0.3, torch.Generator().manual_seed(1))
    again = keep_mask(values, 0.3, torch.Generator().manual_seed(1))
    assert torch.equal(first, again)


def test_dropout_leaves_values_unchanged_in_evaluation_mode():
    values = torch.randn(4, 6)
    assert torch.equal(Dropout(0.5).eval()(values), values)


def test_dropout_passes_gradients_only_through_kept_values():
    values = torch.ones(50, 40, requires_grad=True)
    dropped = Dropout(0.5).train()(values)
    dropped.sum().backward()
    assert torch.equal(values.grad, dropped.detach())


def _optimizer_of_a_small_net(**spec_params):
    """The optimizer that :func:`build_net` gives a linear layer on the CPU."""
    spec = NetSpec(
        module=torch.nn.Linear,
        criterion=torch.nn.MSELoss,
        module_params={"in_features": 2, "out_features": 1},
        max_epochs=1,
        batch_size=4,
        lr=1e-3,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=1,
        verbose=0,
        mixed_precision=False,
        **spec_params,
    )
    return build_net(spec, n_samples=8, device="cpu", seed=0).initialize().optimizer_


@pytest.mark.parametrize("optimizer", [torch.optim.Adam, torch.optim.AdamW])
def test_adam_steps_with_torch_s_fused_implementation_on_the_cpu(optimizer):
    assert _optimizer_of_a_small_net(optimizer=optimizer).defaults["fused"] is True


def test_a_fused_choice_in_the_spec_is_kept():
    optimizer = _optimizer_of_a_small_net(optimizer_params={"fused": False})
    assert not optimizer.defaults["fused"]
