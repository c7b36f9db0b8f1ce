"""Count scikit-learn's estimator checks run and passed on each sklarith estimator.

The estimators and their expected failures are those of the test registry,
``sklarith.utils.estimator_checks.ESTIMATOR_CASES``, over which tests/test_common.py
runs the same checks under pytest; scikit-learn's own generator
(:func:`sklearn.utils.estimator_checks.check_estimator`) collects and runs
them here. For each estimator: the checks run, passed, skipped (with
scikit-learn's reason), failed as expected (with the reason listed in
the registry and the first line of the error the check met) and
failed unexpectedly (none, or the suite fails).

Run:  python benchmarks/count_checks.py [--output DIR]

``--output DIR`` writes the table and the list to the results files
``DIR/count-checks.*``, with the command, the machine and the date.
"""

import argparse
import time
import warnings
from collections import Counter, defaultdict

from sklearn.utils.estimator_checks import check_estimator

from sklarith.experiments import Figures, format_figures, to_markdown, write
from sklarith.utils.estimator_checks import ESTIMATOR_CASES


def first_line(exception):
    text = f"{type(exception).__name__}: {exception}".splitlines()[0]
    return text if len(text) <= 110 else text[:107] + "..."


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--output", metavar="DIR", help="write the results files to DIR"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    rows, expected = [], {}
    for case in ESTIMATOR_CASES:
        name = f"{type(case.estimator).__name__} ({case.name})"
        estimator_start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = check_estimator(
                case.estimator_for_checks(),
                expected_failed_checks=case.expected_failed_checks,
                on_fail=None,
                on_skip=None,
            )
        seconds = time.perf_counter() - estimator_start
        status = Counter(result["status"] for result in results)
        passed_unexpectedly = [
            r["check_name"]
            for r in results
            if r["status"] == "passed" and r["expected_to_fail"]
        ]
        rows.append(
            [
                f"`{name}`",
                len(results),
                status["passed"],
                status["skipped"],
                status["xfail"],
                status["failed"],
                f"{seconds:.1f} s",
            ]
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

    listing = []
    for name, (by_reason, passed_unexpectedly) in expected.items():
        if not by_reason and not passed_unexpectedly:
            continue
        listing.append(name)
        for reason, checks in by_reason.items():
            listing.append(f"  reason: {reason}")
            for check, (count, error) in checks.items():
                listing.append(f"    {check}" + (f" (x{count})" if count > 1 else ""))
                listing.append(f"      {error}")
        for check in passed_unexpectedly:
            listing.append(f"  listed as expected to fail but passed: {check}")
        listing.append("")
    figures = Figures(
        "count-checks",
        "python benchmarks/count_checks.py",
        {},
        {
            "header": [
                "estimator",
                "checks run",
                "passed",
                "skipped",
                "expected failures",
                "unexpected failures",
                "time",
            ],
            "rows": rows,
            "notes": [
                "Skipped and expected failures, with the first line of the error "
                "each met:",
                "```text\n" + "\n".join(listing).rstrip() + "\n```",
            ],
        },
        seconds=time.perf_counter() - start,
    )
    print(to_markdown(figures, format_figures(figures)), end="")
    if args.output:
        write(figures, args.output)


if __name__ == "__main__":
    main()
