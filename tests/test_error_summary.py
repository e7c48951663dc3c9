"""The error summary at the top of every front-end form of the app (issue 18): how many
errors (a plural in French and English), a link to each invalid field and the form's own
errors, focus on load; each field keeps its inline error, tied and marked invalid."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

import wagtail_mentorat

SUMMARY = "wagtail_mentorat/includes/error_summary.html"


class SampleForm(forms.Form):
    name = forms.CharField(label="Nom")
    mode = forms.ChoiceField(
        label="Mode", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    ready = forms.BooleanField(label="Êtes-vous prêt?")
    token = forms.IntegerField(widget=forms.HiddenInput, label="Jeton")
    note = forms.CharField(label="Note", required=False)

    def clean(self):
        data = super().clean()
        if data.get("note") == "refuse":
            raise forms.ValidationError("Refusé par la règle <b>.")
        return data


def _summary(html):
    soup = BeautifulSoup(html, "html.parser")
    return soup, soup.select_one(".mentorat-error-summary")


def _render(form, language="fr", **context):
    with translation.override(language):
        return render_to_string(SUMMARY, {"form": form, **context})


def test_no_summary_without_errors():
    assert _render(SampleForm()).strip() == ""  # unbound
    valid = SampleForm({"name": "x", "mode": "a", "ready": "on", "token": "1"})
    assert valid.is_valid() and _render(valid).strip() == ""


@pytest.mark.parametrize(
    "language, heading",
    [
        ("fr", "Il y a 5 erreurs dans ce formulaire"),
        ("en", "There are 5 errors in this form"),
    ],
)
def test_the_summary_counts_and_links_every_error(language, heading):
    form = SampleForm({"token": "abc", "note": "refuse"})
    html = _render(form, language)
    soup, summary = _summary(html)
    assert summary.select_one("h2").get_text(strip=True) == heading
    assert summary["role"] == "region"
    assert summary["aria-labelledby"] == summary.h2["id"] == "error-summary-title"
    assert summary["tabindex"] == "-1" and summary.has_attr("autofocus")
    items = summary.select("li")
    assert items[0].a is None and items[0].get_text() == "Refusé par la règle <b>."  # escaped
    assert "règle &lt;b&gt;." in html and "<b>" not in html
    links = [li.a["href"] if li.a else None for li in items[1:]]
    # a radio group is reached by its first option; a hidden field has nothing to focus
    assert links == ["#id_name", "#id_mode_0", "#id_ready", None]
    separator = " : " if language == "fr" else ": "
    assert items[1].get_text(strip=True).startswith("Nom" + separator)
    # a label ending with its own punctuation gets no colon after it
    assert items[3].get_text(strip=True).startswith("Êtes-vous prêt? ")
    assert items[4].get_text(strip=True).startswith("Jeton")


@pytest.mark.parametrize(
    "language, heading",
    [("fr", "Il y a 1 erreur dans ce formulaire"), ("en", "There is 1 error in this form")],
)
def test_one_error_is_in_the_singular(language, heading):
    form = SampleForm({"name": "x", "mode": "a", "ready": "on", "token": "1", "note": "refuse"})
    _soup, summary = _summary(_render(form, language))
    assert summary.h2.get_text(strip=True) == heading
    assert [li.a for li in summary.select("li")] == [None]


def test_two_summaries_on_a_page_have_their_own_ids():
    form = SampleForm({})
    html = _render(form, summary_id="errors-a") + _render(form, summary_id="errors-b")
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)) == 4


def test_the_shared_form_include_puts_the_summary_first_and_ties_each_field():
    form = SampleForm({"mode": "zzz"})
    with translation.override("en"):
        html = render_to_string(
            "wagtail_mentorat/space/_form.html", {"form": form, "action": "meeting", "submit": "Go"}
        )
    soup, summary = _summary(html)
    assert summary["id"] == "errors-meeting"
    first = soup.form.find(lambda tag: tag.name in ("div", "input") and tag.get("type") != "hidden")
    assert first is summary  # before the fields
    for href in (li.a["href"] for li in summary.select("li") if li.a):
        field = soup.select_one(href)
        assert field is not None, href
        assert field["aria-invalid"] == "true"
        described = (
            field.get("aria-describedby") or field.find_parent("fieldset")["aria-describedby"]
        )
        name = href[4:].removesuffix("_0")
        assert f"id_{name}_error" in described.split()
        assert soup.select_one(f"#id_{name}_error") is not None  # the inline error stays


def test_every_front_end_form_template_shows_the_summary():
    """A template of the app that renders a Django form (outside the admin) shows the
    summary, through the shared include or ``_form.html``."""
    root = Path(wagtail_mentorat.__file__).parent
    renders_form = re.compile(r"\.as_div|\.as_p\b|\{% for field in \w*form|\.errors\b")
    missing = []
    for path in root.rglob("templates/**/*.html"):
        relative = path.relative_to(root).as_posix()
        if "/admin/" in relative or "mentorat_indicators" in relative or "includes/" in relative:
            continue
        if path.name == "_form.html":
            continue
        text = path.read_text()
        if renders_form.search(text) and SUMMARY not in text and "_form.html" not in text:
            missing.append(relative)
    assert missing == []


# --- in the pages ---------------------------------------------------------------------------


@pytest.fixture
def member(db):
    user = get_user_model().objects.create_user("membre", "membre@example.org", "x")
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


def test_the_circle_filters_show_the_summary(member):
    response = member.get(reverse("wagtail_mentorat:circles"), {"theme": "inventé"})
    assert response.status_code in (200, 400)
    soup, summary = _summary(response.content.decode())
    assert summary.h2.get_text(strip=True) == "Il y a 1 erreur dans ce formulaire"
    assert [li.a["href"] for li in summary.select("li")] == ["#id_theme"]
    assert soup.select_one("#id_theme")["aria-invalid"] == "true"


def test_the_email_settings_show_the_summary_in_english(member):
    member.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = member.post(reverse("mentorat_notifications:settings"), {"language": "xx"})
    assert response.status_code == 200
    _soup, summary = _summary(response.content.decode())
    assert summary.h2.get_text(strip=True) == "There is 1 error in this form"
    assert [li.a["href"] for li in summary.select("li")] == ["#id_language"]
