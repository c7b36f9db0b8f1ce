"""Check every CUDA path on a machine with a GPU, in a few minutes.

For every net estimator of the test registry
(``sklarith.utils.estimator_checks.ESTIMATOR_CASES``), on the GPU with
``device="auto"``:

- fit in float32 (the training rows held on the device, as they fit in its
  memory) and compare the predictions with a CPU fit of the same random
  state: equal within ``--tolerance`` (GPU kernels round differently, and
  dropout draws its masks on the device);
- fit with ``mixed_precision=True`` where the estimator has it, and check
  that the predictions are finite and agree with the float32 fit's on most
  rows;
- pickle the GPU-trained model and load it in a fresh process with CUDA
  hidden (``CUDA_VISIBLE_DEVICES=""``): it must predict on the CPU what it
  predicted on the GPU.

Then the training throughput against a plain PyTorch loop on the GPU
(``benchmarks/speed.py --only throughput --device cuda``). Without CUDA it
says so and exits 0.

Run:  python benchmarks/gpu_check.py [--tolerance 1e-3] [--skip-throughput]
"""

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from sklarith.base import NetEstimator
from sklarith.utils.estimator_checks import ESTIMATOR_CASES

_LOAD_ON_CPU = """
import pickle, sys
import numpy as np, torch
assert not torch.cuda.is_available()
with open(sys.argv[1], "rb") as file:
    model, X = pickle.load(file)
method = "transform" if hasattr(model, "transform") else "predict"
np.save(sys.argv[2], np.asarray(getattr(model, method)(X), dtype=np.float64))
print(model.device_)
"""


def output(model, X):
    if hasattr(model, "transform"):
        return np.asarray(model.transform(X), dtype=np.float64)
    if hasattr(model, "predict_proba"):
        return np.hstack(model.predict_proba(X)).astype(np.float64)
    return np.asarray(model.predict(X), dtype=np.float64)


def prediction(model, X):
    method = "transform" if hasattr(model, "transform") else "predict"
    return np.asarray(getattr(model, method)(X), dtype=np.float64)


def check_case(case, tolerance, folder):
    X, y = case.data()
    gpu = case.make_estimator(device="auto").fit(X, y)
    cpu = case.make_estimator(device="cpu").fit(X, y)
    lines = [f"{case.name}: trained on {gpu.device_}"]
    failures = []
    difference = float(np.max(np.abs(output(gpu, X) - output(cpu, X))))
    lines.append(f"  GPU against CPU, largest difference: {difference:.2e}")
    if not gpu.device_.startswith("cuda"):
        failures.append(f"{case.name}: device='auto' chose {gpu.device_}")
    if difference > tolerance:
        failures.append(f"{case.name}: GPU and CPU differ by {difference:.2e}")
    if "mixed_precision" in gpu.get_params():
        mixed = case.make_estimator(device="auto", mixed_precision=True).fit(X, y)
        values = prediction(mixed, X)
        agree = float(np.mean(np.isclose(values, prediction(gpu, X), atol=0.05)))
        lines.append(f"  mixed precision: finite, agrees on {agree:.1%} of values")
        if not np.isfinite(values).all():
            failures.append(f"{case.name}: mixed precision predicts non-finite")
    path = Path(folder) / f"{case.name}.pkl"
    with open(path, "wb") as file:
        pickle.dump((gpu, X), file)
    result = Path(folder) / f"{case.name}.npy"
    environment = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    loaded = subprocess.run(
        [sys.executable, "-c", _LOAD_ON_CPU, str(path), str(result)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if loaded.returncode:
        failures.append(f"{case.name}: loading on a CPU-only process failed")
        lines.append("  " + loaded.stderr.strip().splitlines()[-1])
    else:
        on_cpu = np.load(result)
        difference = float(np.max(np.abs(on_cpu - prediction(gpu, X))))
        lines.append(
            f"  loaded with CUDA hidden on {loaded.stdout.strip()}: largest "
            f"difference from the GPU's predictions {difference:.2e}"
        )
        if difference > tolerance:
            failures.append(f"{case.name}: the CPU-loaded model predicts otherwise")
    return lines, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tolerance", type=float, default=1e-3)
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("gpu_check: CUDA is not available on this machine; nothing to check.")
        return 0
    print(f"gpu_check on {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        for case in ESTIMATOR_CASES:
            if isinstance(case.estimator, NetEstimator):
                lines, case_failures = check_case(case, args.tolerance, folder)
                print("\n".join(lines), flush=True)
                failures += case_failures
    if not args.skip_throughput:
        speed = Path(__file__).with_name("speed.py")
        command = [sys.executable, str(speed), "--only", "throughput"]
        subprocess.run([*command, "--device", "cuda", "--repeats", "3"], check=False)
    print("\n".join(["FAILED:", *failures]) if failures else "gpu_check: all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
