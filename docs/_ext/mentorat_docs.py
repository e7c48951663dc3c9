"""Sphinx extension of the documentation: what is generated from the code, and the
language switch.

- ``{mentorat-settings}``: the table of every ``WAGTAIL_MENTORAT`` key, its default and its
  meaning, generated from ``wagtail_mentorat.conf.SETTINGS`` at build time, so the
  reference cannot drift from the code (tests/docs checks the code reads no other key).
- The sidebar links each page to the same page in the other language (``docs/fr`` and
  ``docs/en`` are two source trees of the same shape), or to its home page when that
  page has no translation yet.
- Per-language titles.
"""

from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

LANGUAGES = {"fr": "Français", "en": "English"}
TITLES = {
    "fr": "wagtail-mentorat — documentation",
    "en": "wagtail-mentorat — documentation",
}


class SettingsTable(SphinxDirective):
    """The settings reference table, in the page's language."""

    has_content = False

    def run(self):
        from wagtail_mentorat.conf import SETTINGS, settings_table

        language = self.config.language or "en"
        if language == "fr":
            missing = [key for key, setting in SETTINGS.items() if not setting.doc_fr]
            if missing:
                raise ExtensionError(
                    "wagtail_mentorat/conf.py: no French meaning (doc_fr) for " + ", ".join(missing)
                )
        return self.parse_text_to_nodes(settings_table(language))


def other_language(app, pagename):
    """The other language's code, label and the relative address of the same page."""
    here = app.config.language or "fr"
    others = [code for code in LANGUAGES if code != here]
    if not others:
        return None
    other = others[0]
    srcdir = Path(app.srcdir)
    target = pagename if (srcdir.parent / other / f"{pagename}.md").is_file() else "index"
    up = "../" * (pagename.count("/") + 1)
    return {"code": other, "label": LANGUAGES[other], "url": f"{up}{other}/{target}.html"}


def language_switch(app, pagename, templatename, context, doctree):
    context["mentorat_other_language"] = other_language(app, pagename)


def per_language(app, config):
    config.html_title = TITLES.get(config.language, TITLES["en"])


def setup(app):
    app.add_directive("mentorat-settings", SettingsTable)
    app.connect("config-inited", per_language)
    app.connect("html-page-context", language_switch)
    app.add_css_file("mentorat-docs.css")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
