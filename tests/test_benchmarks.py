"""The benchmark scripts that run by hand: what a machine without a GPU sees."""

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_the_gpu_check_says_there_is_nothing_to_check_without_cuda():
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "gpu_check.py")],
        env={"CUDA_VISIBLE_DEVICES": "", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "gpu_check: CUDA is not available on this machine; nothing to check.\n"
    )
