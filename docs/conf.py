"""One Sphinx configuration for both languages of the documentation.

Each language is its own source tree (``docs/fr``, ``docs/en``) built with this file:
``python docs/build.py`` (``make docs``) runs, for each,
``sphinx-build -c docs -D language=LANG docs/LANG docs/_build/html/LANG``.
Pages are Markdown (MyST). Nothing is fetched from the network while building.
"""

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path[:0] = [str(DOCS / "_ext"), str(ROOT)]

project = "wagtail-mentorat"
author = "wagtail-mentorat"
copyright = "wagtail-mentorat contributors"  # noqa: A001 (Sphinx's name)
language = "fr"  # French first; build.py passes -D language=en for the English tree

extensions = ["myst_parser", "mentorat_docs"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = []
templates_path = [str(DOCS / "_templates")]

# Markdown: ::: fences for directives, definition lists, and anchors for the headings of
# levels 1 to 3 so that [text](page.md#a-heading) links are checked too.
myst_enable_extensions = ["colon_fence", "deflist", "attrs_block"]
myst_heading_anchors = 3

# Strict: build.py --strict adds -W --keep-going -n; a link to a missing page or
# heading (myst.xref_missing), a page in no toctree and a missing image all fail.
nitpicky = True
suppress_warnings = []

html_theme = "furo"
# Only our stylesheet: the screenshots under _static/ are images of the pages, copied once
# to _images/ by the pages that show them.
html_static_path = [str(DOCS / "_static" / "mentorat-docs.css")]
html_title = "wagtail-mentorat"
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {"navigation_with_keys": True}
html_sidebars = {
    "**": [
        "sidebar/brand.html",
        "sidebar/language.html",
        "sidebar/search.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "sidebar/scroll-end.html",
    ]
}
