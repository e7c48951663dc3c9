"""The settings reference cannot drift from the code: every key of ``WAGTAIL_MENTORAT`` the
package reads is declared in ``wagtail_mentorat.conf.SETTINGS``, which the documentation's
``{mentorat-settings}`` directive turns into the reference table when the site is built
(tests/docs/test_build.py checks the built pages name each key)."""

import re
from pathlib import Path

from wagtail_mentorat.conf import SETTINGS, settings_table

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wagtail_mentorat"
DOCS = ROOT / "docs"
KEY = r"""\(\s*["']([A-Z][A-Z0-9_]*)["']"""
# conf.get("KEY"), conf.host_values().get("KEY") / ["KEY"], and get("KEY") where ``get`` is
# conf's own (conf.py, or a module that imports it by name).
QUALIFIED = re.compile(r"\bconf\.(?:get|host_values\(\)\.get)" + KEY)
SUBSCRIPT = re.compile(r"""host_values\(\)\[\s*["']([A-Z][A-Z0-9_]*)["']""")
BARE = re.compile(r"(?<![\w.])get" + KEY)
IMPORTS_GET = re.compile(r"from wagtail_mentorat\.conf import [^\n]*\bget\b")


def keys_read_by_the_code():
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        names = set(QUALIFIED.findall(text)) | set(SUBSCRIPT.findall(text))
        if path == PACKAGE / "conf.py" or IMPORTS_GET.search(text):
            names |= set(BARE.findall(text))
        for name in names:
            found.setdefault(name, path.relative_to(ROOT).as_posix())
    return found


def test_the_scan_finds_the_readers():
    read = keys_read_by_the_code()
    # One from conf.py itself, one through notifications/conf.py's imported ``get``.
    assert {"BASE_TEMPLATE", "NOTIFICATIONS_BATCH_SIZE", "RETENTION"} <= set(read)


def test_every_setting_the_code_reads_is_in_the_settings_reference():
    undeclared = {
        name: where for name, where in keys_read_by_the_code().items() if name not in SETTINGS
    }
    assert undeclared == {}, (
        "declare these WAGTAIL_MENTORAT keys in wagtail_mentorat/conf.py SETTINGS (with "
        "their default, meaning and French meaning): the settings reference is built from it"
    )


def test_every_declared_setting_is_read_by_the_code():
    assert set(SETTINGS) - set(keys_read_by_the_code()) == set(), "a documented key does nothing"


def test_every_setting_has_its_meaning_in_both_languages():
    for key, setting in SETTINGS.items():
        assert setting.doc.strip() and setting.doc_fr.strip(), key
    for language in ("en", "fr"):
        table = settings_table(language)
        assert all(f"| `{key}` |" in table for key in SETTINGS)


def test_each_settings_reference_page_is_the_generated_table():
    for language in ("fr", "en"):
        page = (DOCS / language / "integration" / "settings.md").read_text(encoding="utf-8")
        assert "```{mentorat-settings}\n```" in page, language
