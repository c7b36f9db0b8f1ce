"""Sphinx configuration of the sklarith documentation."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sklarith

project = "sklarith"
author = "the sklarith developers"
copyright = f"2026, {author}"
version = release = sklarith.__version__

extensions = [
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]

html_theme = "pydata_sphinx_theme"
html_title = "sklarith"
html_theme_options = {"navigation_with_keys": False}

# Examples run when the site is built (a minute or two each on a CPU);
# `-D plot_gallery=0` renders them without running, as CI does.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}

# Methods inherited from scikit-learn's mixins (``RegressorMixin.score``...)
# bring docstrings that cross-reference labels of scikit-learn's own site,
# which this site cannot resolve: keep their text, drop the link.
_SKLEARN_REF = re.compile(r":ref:`(?:([^`<]+?)\s*<[^`>]+>|([^`]+))`")


def _unlink_sklearn_refs(app, what, name, obj, options, lines):
    if getattr(obj, "__module__", "").startswith("sklearn"):
        lines[:] = [
            _SKLEARN_REF.sub(lambda m: m.group(1) or m.group(2), line) for line in lines
        ]


def setup(app):
    app.connect("autodoc-process-docstring", _unlink_sklearn_refs)
