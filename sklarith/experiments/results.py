"""Figures and results files: what a run measured, with its command, machine and date.

A run returns :class:`Figures`. :func:`write_results` writes them to
``<folder>/<stem>.json`` and renders the experiment's table, with the command,
the machine and the date, as ``<stem>.md`` (quoted by README.md) and
``<stem>.rst`` (included by the documentation); the run's fitted model, when
it has one, goes to ``<stem>.joblib``. The stem is the command without
``sklarith`` and ``reproduce``: ``sklarith reproduce arithmetic --fine-tune``
writes ``arithmetic--fine-tune.*``, so that re-running a command replaces its
own files, and only those.
"""

import dataclasses
import inspect
import json
import re
import time
from pathlib import Path

import joblib
import numpy as np

from sklarith.exceptions import UnreadableResultsError

from ._common import machine_description, peak_memory_mib, today
from ._files import write_atomically


@dataclasses.dataclass
class Figures:
    """What one run of an experiment measured.

    Every field but ``model`` is written to the results file's JSON, and read
    back by :func:`read_figures`.

    Parameters
    ----------
    experiment : str
        The experiment's name, the last word of its command
        (``"mnist-addition"``), or a benchmark's.
    command : str
        The command line that repeats the run.
    options : dict
        The arguments of the experiment's ``run``.
    results : dict
        The experiment's own numbers, in plain JSON types.
    machine : str, default=machine_description()
        The CPU, the cores, the accelerator and the versions of the run.
    date : str, default=today()
        The date of the run, ISO format.
    seconds : float, default=None
        The run's wall time.
    peak_memory_mib : float, default=None
        The run's peak resident memory, in MiB.
    note : str, default=""
        Where the figures came from, when the command did not write them
        itself.
    model : object, default=None
        The run's fitted model, or a dict of them by name for a run that fits
        several; saved beside the results file, never in it, and None once
        read back.
    """

    experiment: str
    command: str
    options: dict
    results: dict
    machine: str = dataclasses.field(default_factory=machine_description)
    date: str = dataclasses.field(default_factory=today)
    seconds: float | None = None
    peak_memory_mib: float | None = None
    note: str = ""
    model: object = dataclasses.field(default=None, repr=False, compare=False)


def record(command, run, options, results, start, model=None):
    """The figures of a run of ``run`` started at ``start`` (``perf_counter``)
    and ending now: its command line, wall time, peak memory and model."""
    return Figures(
        experiment=command.split()[-1],
        command=command_line(command, run, options),
        options=options,
        results=results,
        seconds=time.perf_counter() - start,
        peak_memory_mib=peak_memory_mib(),
        model=model,
    )


#: Parameters of ``run`` that say how to run, not what is measured: they are
#: not recorded, so the same experiment on another device, with the data
#: elsewhere or more talkative, writes the same results files.
HOW_TO_RUN = ("verbose", "device", "data_home")


def options_of(run, values):
    """The options of a call of ``run``: its keyword arguments but those of
    :data:`HOW_TO_RUN`, in the order of its signature, each with the value of
    ``values``."""
    names = [
        name for name in inspect.signature(run).parameters if name not in HOW_TO_RUN
    ]
    return {name: _plain(values[name]) for name in names}


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def command_line(command, run, options):
    """``command`` followed by the options that differ from ``run``'s defaults.

    An option ``n_pairs`` is written ``--n-pairs``; a true boolean is a flag;
    a list is its items. ``data`` is written only for the bundled digits:
    with MNIST available, the default ``"auto"`` takes MNIST.
    """
    defaults = inspect.signature(run).parameters
    words = [command]
    for name, value in options.items():
        default = _plain(defaults[name].default)
        if name == "data":
            if value == "digits":
                words.append("--data digits")
            continue
        if value == default:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            words.append(flag)
        elif isinstance(value, list):
            words.append(" ".join([flag, *map(str, value)]))
        else:
            words.append(f"{flag} {value}")
    return " ".join(words)


def stem(command):
    """The name of a command's results files, without their suffix.

    Parameters
    ----------
    command : str
        A command line: ``sklarith reproduce adder --quick``, or a script's,
        ``python benchmarks/speed.py --only training``.

    Returns
    -------
    stem : str
        The command without ``sklarith``, ``reproduce``, ``python`` and a
        script's folder and suffix, its options joined by ``--``:
        ``adder--quick``, ``speed--only-training``.
    """
    words = command.split()
    while words and words[0] in ("sklarith", "reproduce", "python"):
        words.pop(0)
    if words and words[0].endswith(".py"):
        words[0] = Path(words[0]).stem
    text = " ".join(words).replace(" --", "--")
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-")


def markdown_table(header, rows, align=None):
    """A pipe table with padded columns, readable as plain text too.

    Parameters
    ----------
    header : list of str
        The columns' names.
    rows : list of list
        The cells of each row, written with ``str``.
    align : list of {"<", ">"}, default=None
        Left or right alignment per column; by default the first column is
        left-aligned and the others right-aligned.

    Returns
    -------
    table : str
        The table, without a final newline.
    """
    align = align or ["<"] + [">"] * (len(header) - 1)
    cells = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    widths = [max(width, 3) for width in widths]

    def line(row):
        padded = [
            f"{cell:{a}{w}}" for cell, a, w in zip(row, align, widths, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [
        "-" * (w - 1) + ":" if a == ">" else "-" * w
        for a, w in zip(align, widths, strict=True)
    ]
    return "\n".join([line(cells[0]), "| " + " | ".join(rule) + " |"]) + "".join(
        "\n" + line(row) for row in cells[1:]
    )


def percent(value, digits=2):
    """A share as a percentage, for a table's cell.

    Parameters
    ----------
    value : float or None
        A share in [0, 1].
    digits : int, default=2
        Decimals to write.

    Returns
    -------
    cell : str
        ``0.9548`` as ``"95.48"``; an empty cell for None.
    """
    return "" if value is None else f"{100 * value:.{digits}f}"


def mean_std(values, scale=1.0, digits=2, spread=True, separator=" ± "):
    """The mean and spread of a figure over runs, as papers report them.

    Parameters
    ----------
    values : iterable of float or None
        The figure of each run; None values (runs that did not measure the
        figure) are left out.
    scale : float, default=1.0
        A factor applied to every value: ``100`` writes shares as
        percentages.
    digits : int, default=2
        Decimals to write.
    spread : bool, default=True
        Whether to write the sample standard deviation (``ddof=1``) after
        the mean.
    separator : str, default=" ± "
        What stands between the mean and the standard deviation.

    Returns
    -------
    cell : str
        ``"95.00 ± 1.00"``; the mean alone for one value, which has no
        spread, or with ``spread=False``; empty for no values.
    """
    values = scale * np.array([v for v in values if v is not None], dtype=float)
    if not len(values):
        return ""
    cell = f"{values.mean():.{digits}f}"
    if len(values) == 1 or not spread:
        return cell
    return f"{cell}{separator}{values.std(ddof=1):.{digits}f}"


def epochs(n):
    """``1 epoch``, ``3 epochs``."""
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def seconds_text(seconds):
    """Seconds as a reader wants them, for a table's cell.

    Parameters
    ----------
    seconds : float or None
        A duration.

    Returns
    -------
    cell : str
        ``"543 ms"``, ``"1.2 s"``, ``"1,028 s"``; an empty cell for None.
    """
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:,.0f} s"


def provenance(figures):
    """The lines under every table: command, machine, date, time, note."""
    lines = [
        f"- command: `{figures.command}`",
        f"- machine: {figures.machine}",
        f"- date: {figures.date}",
    ]
    whole = []
    if figures.seconds is not None:
        whole.append(f"{seconds_text(figures.seconds)} in all")
    if figures.peak_memory_mib is not None:
        whole.append(f"peak memory {figures.peak_memory_mib:,.0f} MiB")
    if whole:
        lines.append("- whole run: " + ", ".join(whole))
    if figures.note:
        lines.append(f"- note: {figures.note}")
    return "\n".join(lines)


def to_markdown(figures, table):
    """The Markdown of a results file: the table, then its provenance.

    Parameters
    ----------
    figures : Figures
        The figures whose command, machine, date, time, memory and note
        follow the table.
    table : str
        The figures' table, as
        :func:`~sklarith.experiments.format_figures` makes it.

    Returns
    -------
    markdown : str
        The table, a blank line and a bullet per line of provenance, ending
        in a newline.
    """
    return f"{table.rstrip()}\n\n{provenance(figures)}\n"


def to_rst(markdown):
    """reStructuredText of the Markdown that :func:`to_markdown` writes.

    Understands what the experiments write: paragraphs, pipe tables (as list
    tables), fenced code blocks, bullet lists, ``**bold**`` and ```code```.
    """
    out, lines, i = [], markdown.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            block = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                block.append(lines[i])
                i += 1
            out += [".. code-block:: text", ""] + [f"   {b}" for b in block] + [""]
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            i -= 1
            # Columns as wide as their text: equal widths overflow the page.
            out += [".. list-table::", "   :header-rows: 1", "   :widths: auto", ""]
            for row in rows:
                for j, cell in enumerate(row):
                    bullet = "   * - " if j == 0 else "     - "
                    out.append((bullet + _inline_rst(cell)).rstrip())
            out.append("")
        else:
            out.append(_inline_rst(line))
        i += 1
    return "\n".join(out).rstrip() + "\n"


def _inline_rst(text):
    return re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)


def write_results(figures, table, folder, name=None):
    """Write ``figures`` and a table of them to results files in ``folder``.

    :func:`~sklarith.experiments.write` is this with the table made by
    :func:`~sklarith.experiments.format_figures`.

    Parameters
    ----------
    figures : Figures
        What to write.
    table : str
        Their table, in Markdown.
    folder : str or path-like
        Where to write; created if need be.
    name : str, default=None
        The stem of the files' names; by default :func:`stem` of the
        figures' command.

    Returns
    -------
    paths : list of pathlib.Path
        The files written, each whole or not at all: ``.json``, ``.md``,
        ``.rst``, and ``.joblib`` for the figures' model, if any.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = name or stem(figures.command)
    markdown = to_markdown(figures, table)
    paths = [folder / f"{name}{suffix}" for suffix in (".json", ".md", ".rst")]
    # The model is not JSON; asdict would also deep-copy it.
    fields = {
        field.name: getattr(figures, field.name)
        for field in dataclasses.fields(figures)
        if field.name != "model"
    }
    texts = [
        json.dumps(fields, indent=2, ensure_ascii=False) + "\n",
        markdown,
        to_rst(markdown),
    ]
    for path, text in zip(paths, texts, strict=True):
        write_atomically(
            path, lambda temporary, text=text: temporary.write_text(text, "utf-8")
        )
    if figures.model is not None:
        paths.append(folder / f"{name}.joblib")
        write_atomically(
            paths[-1], lambda temporary: joblib.dump(figures.model, temporary)
        )
    return paths


#: The fields a results file must hold (the others have defaults) ...
REQUIRED_FIELDS = ("experiment", "command", "options", "results")
#: ... and the JSON types of every field.
FIELD_TYPES = {
    "experiment": str,
    "command": str,
    "options": dict,
    "results": dict,
    "machine": str,
    "date": str,
    "seconds": int | float | None,
    "peak_memory_mib": int | float | None,
    "note": str,
}


def read_figures(path):
    """The :class:`Figures` of a results file's JSON.

    Parameters
    ----------
    path : str or path-like
        The ``.json`` of a results file.

    Returns
    -------
    figures : Figures
        The figures written there, without their model.

    Raises
    ------
    UnreadableResultsError
        When the file is not a results file: not JSON (cut off by a full
        disk, say), or JSON without the fields of :class:`Figures`. Its
        message names the file and what is wrong, on one line.
    """
    path = Path(path)
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableResultsError(
            f"{path} is not a results file: it is not JSON ({exc})"
        ) from None
    if not isinstance(fields, dict):
        raise UnreadableResultsError(
            f"{path} is not a results file: it holds a JSON "
            f"{type(fields).__name__}, not an object"
        )
    missing = [name for name in REQUIRED_FIELDS if name not in fields]
    unknown = [name for name in fields if name not in FIELD_TYPES]
    wrong = [
        name
        for name, kind in FIELD_TYPES.items()
        if name in fields and not isinstance(fields[name], kind)
    ]
    problems = []
    if missing:
        problems.append("it lacks " + ", ".join(missing))
    if unknown:
        problems.append("it has fields of no results file: " + ", ".join(unknown))
    if wrong:
        problems.append("the wrong type of " + ", ".join(wrong))
    if problems:
        raise UnreadableResultsError(
            f"{path} is not a results file: {'; '.join(problems)}"
        )
    return Figures(**fields)


#: A quoted results file in a Markdown document: the file's content between
#: two comments that name it.
QUOTE = re.compile(
    r"(<!-- quote (?P<path>\S+) -->\n)(?P<body>.*?)(<!-- end quote -->)", re.DOTALL
)


def quoted_files(text):
    """The paths that ``text`` quotes, with the text it holds for each."""
    return {m["path"]: m["body"] for m in QUOTE.finditer(text)}


def refresh_quotes(document):
    """Copy the current content of every results file a document quotes into it.

    A quote is the file's content between ``<!-- quote PATH -->`` and
    ``<!-- end quote -->``.

    Parameters
    ----------
    document : str or path-like
        A Markdown file (README.md); the paths it quotes are relative to its
        folder. It is written whole or not at all.

    Returns
    -------
    changed : list of str
        The paths whose quote changed.
    """
    document = Path(document)
    text = document.read_text(encoding="utf-8")
    changed = []

    def replace(match):
        body = (document.parent / match["path"]).read_text(encoding="utf-8")
        if body != match["body"]:
            changed.append(match["path"])
        return match.group(1) + body + match.group(4)

    refreshed = QUOTE.sub(replace, text)
    write_atomically(
        document, lambda temporary: temporary.write_text(refreshed, encoding="utf-8")
    )
    return changed


def format_rows(figures):
    """The table of figures that carry it in their results, in Markdown.

    Parameters
    ----------
    figures : Figures
        Figures whose results hold ``"header"`` (the columns' names) and
        ``"rows"`` (the cells), and optionally ``"caption"`` and ``"notes"``
        (a list of paragraphs), as the benchmarks write them.

    Returns
    -------
    table : str
        The caption, the table and the notes, a blank line apart.
    """
    results = figures.results
    parts = [results["caption"]] if results.get("caption") else []
    parts.append(markdown_table(results["header"], results["rows"]))
    parts += results.get("notes", [])
    return "\n\n".join(parts)
