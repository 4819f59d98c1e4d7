"""Sphinx configuration of the riptools documentation (build: ``python -m sphinx -W -b html docs docs/_build/html``).

Tutorials (``tutorials_src/``) and the gallery (``gallery_src/``) are sphinx-gallery scripts: they are
executed at every build, so the code shown is code that ran, and their figures are the ones it made.
"""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RIPTOOLS_HYPOTHESIS_PROFILE", "deterministic")

import riptools  # noqa: E402

project = "riptools"
author = "the riptools developers"
copyright = "2026, the riptools developers"
release = version = getattr(riptools, "__version__", "0.1.0")

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
]

napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False, "ignore-module-all": True}
# Type hints in signatures name numpy/cvxpy/sympy classes that have no page here.
nitpicky = False
suppress_warnings = ["autodoc.import_object"]

sphinx_gallery_conf = {
    "examples_dirs": ["tutorials_src", "gallery_src"],
    "gallery_dirs": ["tutorials", "gallery"],
    "filename_pattern": r"/(plot_|tutorial_)",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "show_memory": False,
    "matplotlib_animations": False,
}

html_theme = "pydata_sphinx_theme"
html_title = "riptools"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path = []
exclude_patterns = ["_build", "**/GALLERY_HEADER.rst"]
templates_path = []
autosummary_generate = True
autosummary_ignore_module_all = True
napoleon_use_ivar = True


# riptools' docstrings write mathematics as plain Unicode text (|x|, ‖X‖*, E[·]) so that they read well
# in a terminal (help()); reStructuredText would take "|x|" for a substitution and a lone "*" for the
# start of emphasis. Escape both outside literals and code blocks before napoleon and autodoc read them.
import re  # noqa: E402

_LITERAL = re.compile(r"(``.*?``|`[^`]*`_?|:[a-z:]+:`[^`]*`)")
_KEYWORD_STARS = re.compile(r"(?<![\\*])\*\*(?=[A-Za-z_]+\b(?!\*\*))")
_TRAILING_UNDERSCORE = re.compile(r"(?<=\w)_(?=[\s,.;:)\\]|$)")
_LONE_STAR = re.compile(r"(?<!\\)(?<!\*)\*(?!\*)")


def _escape_text(text: str) -> str:
    parts = _LITERAL.split(text)
    for index in range(0, len(parts), 2):
        part = parts[index].replace("|", "\\|")
        stripped = part.lstrip()
        bullet = stripped.startswith("* ") and part[: len(part) - len(stripped)].strip() == ""
        if bullet:
            head = part[: len(part) - len(stripped)] + "* "
            part = head + _LONE_STAR.sub("\\*", stripped[2:])
        else:
            part = _LONE_STAR.sub("\\*", part)
        part = _KEYWORD_STARS.sub(r"\\*\\*", part)
        parts[index] = _TRAILING_UNDERSCORE.sub(r"\\_", part)
    return "".join(parts)


def escape_plain_math(app, what, name, obj, options, lines):
    """Escapes ``|`` and lone ``*`` outside literals and ``::`` blocks, in place."""
    literal_indent = None
    for index, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None:
            if line.strip() and indent <= literal_indent:
                literal_indent = None
            else:
                continue
        if line.lstrip().startswith(">>>") or line.lstrip().startswith("..."):
            continue
        lines[index] = _escape_text(line)
        if line.rstrip().endswith("::"):
            literal_indent = indent


def setup(app):
    app.connect("autodoc-process-docstring", escape_plain_math, priority=100)
