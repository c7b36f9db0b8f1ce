"""Count scikit-learn's estimator checks run and passed on each sklarith estimator.

The estimators and their expected failures are those of tests/test_common.py,
which runs the same checks under pytest; scikit-learn's own generator
(:func:`sklearn.utils.estimator_checks.check_estimator`) collects and runs
them here. For each estimator: the checks run, passed, skipped (with
scikit-learn's reason), failed as expected (with the reason listed in
tests/test_common.py and the first line of the error the check met) and
failed unexpectedly (none, or the suite fails).

Run:  python benchmarks/count_checks.py
"""

import sys
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path

from sklearn.utils.estimator_checks import check_estimator

from _common import header

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_common import ESTIMATORS, expected_failed_checks


def first_line(exception):
    text = f"{type(exception).__name__}: {exception}".splitlines()[0]
    return text if len(text) <= 110 else text[:107] + "..."


def main():
    print(header("python benchmarks/count_checks.py"))
    print()
    rows, expected = [], {}
    for estimator in ESTIMATORS:
        name = type(estimator).__name__
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = check_estimator(
                estimator,
                expected_failed_checks=expected_failed_checks(estimator),
                on_fail=None,
                on_skip=None,
            )
        seconds = time.perf_counter() - start
        status = Counter(result["status"] for result in results)
        passed_unexpectedly = [
            r["check_name"]
            for r in results
            if r["status"] == "passed" and r["expected_to_fail"]
        ]
        rows.append(
            (
                name,
                len(results),
                status["passed"],
                status["skipped"],
                status["xfail"],
                status["failed"],
                seconds,
            )
        )
        # A check run on several variants of the data (read-only memory maps,
        # float32) appears once per variant, under the same name.
        by_reason = defaultdict(dict)
        for result in results:
            if result["status"] in ("xfail", "failed", "skipped"):
                if result["status"] == "skipped":
                    reason = "skipped by scikit-learn"
                else:
                    reason = result["expected_to_fail_reason"] or "UNEXPECTED"
                error = first_line(result["exception"])
                check = result["check_name"]
                count, _ = by_reason[reason].get(check, (0, error))
                by_reason[reason][check] = (count + 1, error)
        expected[name] = (by_reason, passed_unexpectedly)

    columns = ("estimator", "run", "passed", "skipped", "xfail", "failed", "time")
    print(f"{columns[0]:<33}" + "".join(f"{c:>8}" for c in columns[1:]))
    for name, *counts, seconds in rows:
        print(f"{name:<33}" + "".join(f"{c:>8}" for c in counts) + f"{seconds:>7.1f}s")
    for name, (by_reason, passed_unexpectedly) in expected.items():
        if not by_reason and not passed_unexpectedly:
            continue
        print(f"\n{name}")
        for reason, checks in by_reason.items():
            print(f"  reason: {reason}")
            for check, (count, error) in checks.items():
                print(f"    {check}" + (f" (x{count})" if count > 1 else ""))
                print(f"      {error}")
        for check in passed_unexpectedly:
            print(f"  listed as expected to fail but passed: {check}")


if __name__ == "__main__":
    main()
