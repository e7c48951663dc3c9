"""The README's settings table is the one ``wagtail_mentorat.conf.SETTINGS`` declares."""

from pathlib import Path

from wagtail_mentorat.conf import settings_table

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- settings-table:start -->\n", "<!-- settings-table:end -->"


def test_the_readme_settings_table_is_generated_from_conf():
    text = README.read_text(encoding="utf-8")
    table = text[text.index(START) + len(START) : text.index(END)]
    assert table == settings_table(), (
        "README settings table is stale; paste the output of "
        "`python -c 'import django; django.setup(); "
        "from wagtail_mentorat.conf import settings_table; print(settings_table())'` "
        "(DJANGO_SETTINGS_MODULE=intranet.settings.dev) between the markers"
    )
