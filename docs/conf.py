"""Sphinx configuration of the sklarith documentation."""

import inspect
import re
import sys
from pathlib import Path

import torch.nn
from sphinx.ext.intersphinx import InventoryAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The scripts that turn results files into the pages' tables and plots.
sys.path.insert(0, str(Path(__file__).resolve().parent / "_plots"))

import sklarith

project = "sklarith"
author = "the sklarith developers"
copyright = f"2026, {author}"
version = release = sklarith.__version__

extensions = [
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "results_directives",
]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]

# References to scikit-learn, PyTorch, torchvision and skorch link to their
# sites. The docs build offline, so each inventory is a local file written by
# _inventories/make_inventories.py from the installed packages.
intersphinx_mapping = {
    project: (url, f"_inventories/{project}.inv")
    for project, url in {
        "sklearn": "https://scikit-learn.org/stable/",
        "torch": "https://docs.pytorch.org/docs/stable/",
        "torchvision": "https://docs.pytorch.org/vision/stable/",
        "skorch": "https://skorch.readthedocs.io/en/stable/",
    }.items()
}

# Plots drawn from results files at build time (``.. plot::``): the figure
# alone, without links to its code or to other formats.
plot_formats = [("png", 150)]
plot_html_show_source_link = False
plot_html_show_formats = False

html_theme = "pydata_sphinx_theme"
html_title = "sklarith"
html_theme_options = {
    "navigation_with_keys": False,
    # Every top-level page in the top bar, the API reference included,
    # rather than the last ones under "More".
    "header_links_before_dropdown": 8,
}
# Long class names wrap in titles and in "On this page" instead of being
# cut; wide results tables scroll within the page.
html_static_path = ["_static"]
# "On this page" lists a class's methods by their own names ("fit"), not
# prefixed with the class's.
toc_object_entries_show_parents = "hide"
html_css_files = ["sklarith.css"]

# Examples run when the site is built, as in CI (about a minute each on two
# cores); `-D plot_gallery=0` renders them without running, for a quick look.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    # Each API page lists the examples that use it ("Examples using ...",
    # from the minigallery in _templates), and names in the examples' code
    # link to the API pages here and, through intersphinx, to other sites.
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("sklarith",),
    "reference_url": {"sklarith": None},
}

# Methods inherited from scikit-learn's mixins (``RegressorMixin.score``...)
# cross-reference labels of scikit-learn's user guide: those the sklearn
# inventory holds link there, the others keep their text without a link.
_REF = re.compile(r":ref:`(?:([^`<]+?)\s*<([^`>]+)>|([^`]+))`")

# torch.nn.Module's docstrings, which the modules' ``forward`` and ``train``
# inherit, name classes relative to torch.nn (:class:`Module`), as torch's
# own site reads them: qualify those torch.nn has, unlink the others.
_RELATIVE_CLASS = re.compile(r":class:`([A-Z]\w*)`")


def _sklearn_ref(labels, match):
    text, label = match.group(1), match.group(2)
    if label is None:
        text = label = match.group(3)
    return match.group(0) if label in labels else text


def _torch_class(match):
    name = match.group(1)
    return f":class:`~torch.nn.{name}`" if hasattr(torch.nn, name) else f"``{name}``"


def _inherits_torch_docstring(name, obj):
    """Whether obj is torch's, or a method here that inherits its docstring."""
    if getattr(obj, "__module__", "").startswith("torch"):
        return True
    original = getattr(torch.nn.Module, name.rsplit(".", 1)[-1], None)
    return original is not None and inspect.getdoc(obj) == inspect.getdoc(original)


def _fix_inherited_references(app, what, name, obj, options, lines):
    if getattr(obj, "__module__", "").startswith("sklearn"):
        inventory = InventoryAdapter(app.env).named_inventory
        labels = inventory.get("sklearn", {}).get("std:label", {})
        lines[:] = [_REF.sub(lambda m: _sklearn_ref(labels, m), x) for x in lines]
    elif _inherits_torch_docstring(name, obj):
        lines[:] = [_RELATIVE_CLASS.sub(_torch_class, line) for line in lines]


def _allow_missing_gallery_figures(app, config):
    # Without running the gallery (-D plot_gallery=0) its figures, which the
    # landing page shows, do not exist; a build that runs it still checks them.
    if str(config.plot_gallery).lower() in {"0", "false"}:
        config.suppress_warnings = [*config.suppress_warnings, "image.not_readable"]


def setup(app):
    app.connect("config-inited", _allow_missing_gallery_figures)
    app.connect("autodoc-process-docstring", _fix_inherited_references)
