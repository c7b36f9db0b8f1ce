"""What a user meets before any code runs: the package's metadata, its extras
and license, and README.md as the front door.

pyproject.toml has one extra per optional feature and ``all`` for them all;
the docs say which feature needs which extra, and these tests keep the two in
step. The test environment is ``pip install -e ".[test]"``, which takes
``all``: every feature extra installs and imports there.
"""

import fnmatch
import importlib
import importlib.metadata
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomli, which pytest requires there
    import tomli as tomllib

from sklarith.base import DOCS_URL

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
EXTRAS = PROJECT["optional-dependencies"]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
#: The docs pages written by hand (not the generated API pages or gallery).
DOC_PAGES = sorted([*DOCS.glob("*.rst"), *DOCS.glob("user_guide/*.rst")])

#: Extras that are not a feature of the library.
NOT_FEATURES = {"all", "test", "docs"}
FEATURE_EXTRAS = sorted(set(EXTRAS) - NOT_FEATURES)

#: ``sklarith[a,b]`` in a page, a requirement or a command.
NAMED_EXTRAS = re.compile(r"sklarith\[([\w,\s-]+)\]")


def _expanded(extra, seen=()):
    """The requirements of ``extra``, with ``sklarith[...]`` replaced by what
    those extras require."""
    requirements = []
    for text in EXTRAS[extra]:
        requirement = Requirement(text)
        if requirement.name == PROJECT["name"]:
            assert extra not in seen, f"extras {seen} require each other"
            for name in sorted(requirement.extras):
                assert name in EXTRAS, f"{extra} names an unknown extra {name}"
                requirements += _expanded(name, (*seen, extra))
        else:
            requirements.append(requirement)
    return requirements


def _names(requirements):
    return {requirement.name for requirement in requirements}


# The license and the project's metadata ------------------------------------


def test_the_license_is_bsd_3_clause_and_pyproject_ships_it():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License")
    assert "Copyright (c) 2026, the sklarith developers" in text
    assert "Neither the name of the copyright holder" in text
    assert PROJECT["license"] == "BSD-3-Clause"
    # license-files puts it in the wheel's .dist-info/licenses/.
    assert PROJECT["license-files"] == ["LICENSE"]
    # A license expression and a License :: classifier together are an error.
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")]


def test_the_project_names_its_docs_source_and_citation():
    urls = PROJECT["urls"]
    assert urls["Homepage"] == urls["Documentation"] == DOCS_URL
    assert urls["Source"] == "https://github.com/sklarith/sklarith"
    assert urls["Issues"].startswith(urls["Source"])
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert "cff-version: 1.2.0" in citation
    assert f"version: {PROJECT['version']}" in citation
    assert (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").count(
        f"## {PROJECT['version']}"
    ) == 1


# Extras ----------------------------------------------------------------------


def test_all_is_every_feature_extra_and_test_takes_all():
    everything = _names(_expanded("all"))
    features = set().union(*(_names(_expanded(name)) for name in FEATURE_EXTRAS))
    assert everything == features
    assert everything <= _names(_expanded("test"))


def test_the_persistence_export_and_progress_features_have_their_extras():
    assert _names(_expanded("persistence")) == {"skops"}
    assert _names(_expanded("export")) == {"onnx", "onnxruntime", "onnxscript"}
    # scikit-learn's sklearn.callback.ProgressBar draws with rich.
    assert _names(_expanded("progress")) == {"rich"}


@pytest.mark.parametrize("page", [*DOC_PAGES, ROOT / "README.md"], ids=str)
def test_every_extra_the_docs_name_exists(page):
    text = page.read_text(encoding="utf-8")
    for match in NAMED_EXTRAS.finditer(text):
        for name in match[1].split(","):
            assert name.strip() in EXTRAS, f"{page.name} names sklarith[{name}]"


def test_the_install_section_says_which_feature_needs_which_extra():
    text = (DOCS / "getting_started.rst").read_text(encoding="utf-8")
    install = text.split("\nInstall\n-------\n", 1)[1].split("\n---", 1)[0]
    named = {
        name.strip()
        for match in NAMED_EXTRAS.finditer(install)
        for name in match[1].split(",")
    }
    assert set(EXTRAS) <= named
    # PyTorch's CPU-only build, for a machine without a GPU.
    assert "--index-url https://download.pytorch.org/whl/cpu" in install
    # README's table of extras names every feature extra and all.
    for name in [*FEATURE_EXTRAS, "all"]:
        assert f"| `{name}` |" in README, name


@pytest.mark.parametrize(
    "requirement",
    sorted(_expanded("all"), key=str),
    ids=str,
)
def test_every_feature_extra_installs_and_imports(requirement):
    """The test environment takes ``all``: each requirement is installed, at a
    version the extra allows, and imports."""
    version = importlib.metadata.version(requirement.name)
    assert requirement.specifier.contains(version, prereleases=True), version
    importlib.import_module(requirement.name.replace("-", "_"))


# README.md, the front door -------------------------------------------------


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    first_block = README.split("```bash\n", 1)[1].split("```", 1)[0]
    demo, tests = first_block.splitlines()
    assert demo.endswith("&& pip install . && sklarith demo")
    install_and_test = tests.split("activate && ", 1)[1]
    assert install_and_test == 'pip install -e ".[test]" && pytest'
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines()


def test_readme_is_a_front_door_not_a_report():
    assert len(README.splitlines()) <= 210  # about 200
    for heading in ("## Install", "## In your code", "## Estimators", "## Results"):
        assert f"\n{heading}\n" in README
    # The CPU-only build of PyTorch, and where everything else is.
    assert "--index-url https://download.pytorch.org/whl/cpu" in README
    assert DOCS_URL in README


def test_readme_links_only_to_docs_pages_that_exist():
    pages = re.findall(re.escape(DOCS_URL) + r"([\w/]+)\.html", README)
    assert pages
    for page in pages:
        generated = page.startswith("auto_examples/")
        assert generated or (DOCS / f"{page}.rst").exists(), page


def test_readme_names_no_path_of_a_machine():
    assert not re.search(r"(?<![\w.~])/(?:home|work|tmp|root|Users|opt|mnt)/", README)
    assert not re.search(r"\b[A-Z]:\\", README)


def test_readme_names_every_public_estimator():
    import sklarith

    estimators = [name for name in sklarith.__all__ if name[0].isupper()]
    assert estimators
    for name in estimators:
        assert f"| `{name}` |" in README, name


# Results: quoted in README or shown in the docs --------------------------------


def _docs_includes():
    """The results files the docs pages include, as patterns from the root."""
    patterns = []
    for page in DOC_PAGES:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^\s*\.\. include(?:-results)?:: (\S+)", text, re.M):
            path = (page.parent / match[1]).resolve()
            patterns.append(str(path.relative_to(ROOT.resolve())))
    return patterns


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "results").glob("*.json")),
    ids=lambda path: path.stem,
)
def test_every_results_file_is_in_the_docs(path):
    """README quotes a few headline tables; the docs show every one."""
    rst = str(path.with_suffix(".rst").relative_to(ROOT))
    assert any(fnmatch.fnmatch(rst, pattern) for pattern in _docs_includes()), rst
