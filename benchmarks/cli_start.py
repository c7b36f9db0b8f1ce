"""How long the ``sklarith`` command takes to answer before any training.

Each command line is run as a new process (``python -m sklarith ...``, what
the ``sklarith`` entry point runs), ``--repeats`` times, and the wall time
from start to exit is reported, with whether the process imported torch.
The help that names no experiment reads the experiments' commands from
their source and imports none of them; a command's own help imports its
experiment, and torch with it.

Run:  python benchmarks/cli_start.py [--repeats 5] [--output DIR]
"""

import argparse
import statistics
import subprocess
import sys
import time

from sklarith.experiments import Figures, format_figures, to_markdown, write

#: The command lines timed, as a user types them after ``sklarith``.
COMMAND_LINES = (
    ["--help"],
    ["--version"],
    ["reproduce", "--help"],
    ["reproduce", "adder", "--help"],
)

#: Runs the command line, then says on standard error whether torch was
#: loaded (the exit of ``--help`` is caught to get there).
PROBE = """
import sys
from sklarith.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("torch" in sys.modules, file=sys.stderr)
"""


def one_run(words):
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *words],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - start, done.stderr.strip().splitlines()[-1] == "True"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", metavar="DIR", help="write the results files")
    args = parser.parse_args()
    start = time.perf_counter()
    rows, runs = [], []
    for words in COMMAND_LINES:
        timed = [one_run(words) for _ in range(args.repeats)]
        seconds = [seconds for seconds, _ in timed]
        runs.append({"command": words, "seconds": seconds, "torch": timed[0][1]})
        rows.append(
            [
                f"`sklarith {' '.join(words)}`",
                f"{statistics.median(seconds):.2f}",
                f"{max(seconds):.2f}",
                "yes" if timed[0][1] else "no",
            ]
        )
    command = "python benchmarks/cli_start.py"
    if args.repeats != 5:
        command += f" --repeats {args.repeats}"
    figures = Figures(
        "cli-start",
        command,
        {"repeats": args.repeats},
        {
            "header": ["command", "median (s)", "slowest (s)", "imports torch"],
            "rows": rows,
            "runs": runs,
            "notes": [
                f"Wall time of a new Python process running the command line, from "
                f"start to exit, {args.repeats} times each."
            ],
        },
        seconds=time.perf_counter() - start,
    )
    print(to_markdown(figures, format_figures(figures)), end="")
    if args.output:
        write(figures, args.output)


if __name__ == "__main__":
    main()
