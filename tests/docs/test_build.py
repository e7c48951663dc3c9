"""The documentation site builds in strict mode in both languages (as `make docs` and CI
do), and strict mode fails on a broken link."""

import subprocess
import sys
from pathlib import Path

from wagtail_mentorat import help as mentorat_help
from wagtail_mentorat.conf import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "docs" / "build.py"
GUIDES = ("coordinator/index", "editor/index", "participant/index", "manager/index")


def build(out, *args):
    return subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, str(BUILD), "--out", str(out), "--quiet", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_site_builds_strict_in_both_languages(tmp_path):
    """One build for every check of the built site (each build takes seconds)."""
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "fr/index.html" in (tmp_path / "index.html").read_text()
    for language in ("fr", "en"):
        site = tmp_path / language
        for page in ("index", *GUIDES, "confidentiality", "search"):
            assert (site / f"{page}.html").is_file(), f"{language}/{page}"
        for section in ("integration", "operations", "privacy"):
            assert (site / section / "index.html").is_file(), f"{language}/{section}"
        # The settings reference names every key the code declares (and so reads).
        settings = (site / "integration" / "settings.html").read_text()
        assert all(key in settings for key in SETTINGS), language
        # Search is built in, for the page's language.
        assert (site / "searchindex.js").is_file()
        # The language switch leads to the same page in the other language.
        other = "en" if language == "fr" else "fr"
        page = (site / "integration" / "settings.html").read_text()
        assert f'href="../../{other}/integration/settings.html"' in page
    assert "clé" in (tmp_path / "fr" / "integration" / "settings.html").read_text()
    # Every help link of the app leads to a page of the built site, in both languages.
    missing = [
        f"{language}/{page}.html"
        for page in set(mentorat_help.PAGES.values())
        for language in mentorat_help.LANGUAGES
        if not (tmp_path / language / f"{page}.html").is_file()
    ]
    assert not missing, missing


def test_a_broken_link_fails_the_strict_build(tmp_path):
    source = tmp_path / "src"
    (source / "en").mkdir(parents=True)
    (source / "en" / "index.md").write_text("# Home\n\n[Gone](gone.md)\n")
    result = build(tmp_path / "out", "--source", str(source), "--language", "en")
    assert result.returncode != 0
    assert "gone.md" in result.stderr and "myst.xref_missing" in result.stderr
    # The same tree without the broken link builds.
    (source / "en" / "index.md").write_text("# Home\n\nText.\n")
    result = build(tmp_path / "out2", "--source", str(source), "--language", "en")
    assert result.returncode == 0, result.stderr
