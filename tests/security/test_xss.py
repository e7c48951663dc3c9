"""An XSS corpus submitted through every front-end form is rendered inert (ASVS V3.2).

Every text field of every form of the pairing page (objectives, meeting, help request
and answer, review, extension, closure, disagreement, matching review, safety concern),
the conversation and the registration page gets the corpus; then every page that shows
it back — to the pair, the manager, programme staff in the admin — must hold it escaped.
"""

import datetime
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from wagtail_mentorat.models import HelpRequest, Pairing, RegistrationPage

pytestmark = pytest.mark.django_db

CORPUS = [
    "<script>alert('xss1')</script>",
    '"><img src=x onerror=alert(2)>',
    "<svg/onload=alert(3)>",
    "javascript:alert(4)",
    "'><iframe src=javascript:alert(5)>",
    "{{ 7|add:'77' }}{% now 'Y' %}",
]
PAYLOAD = " ".join(CORPUS)
# What a page must never hold: the markup the corpus would inject if it were not escaped.
LIVE = re.compile(
    r"<script>alert\('xss1'\)|<img src=x onerror|<svg/onload|<iframe src=javascript|>784<",
    re.I,
)


def _value(name, field, pairing):
    if isinstance(field, forms.BooleanField):
        return "on" if name != "client_waiting" else ""
    if isinstance(field, forms.DateTimeField):
        return (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    if isinstance(field, forms.DateField):
        return (pairing.planned_end + datetime.timedelta(days=30)).isoformat()
    if isinstance(field, forms.IntegerField):
        return "60" if "duration" in name else str(field.min_value or 3)
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [str(obj.pk) for obj in field.queryset[:1]]
    if isinstance(field, forms.ModelChoiceField):
        return str(field.queryset.first().pk)
    if isinstance(field, forms.ChoiceField):
        choices = [str(value) for value, _label in field.choices if value not in ("", None)]
        return choices[0] if choices else ""
    if getattr(field, "max_length", None):
        return PAYLOAD[: field.max_length]
    return PAYLOAD


def _data(form, pairing, **extra):
    data = {name: _value(name, field, pairing) for name, field in form.fields.items()}
    data.update(extra)
    return data


def _post_action(client, pairing, action, **extra):
    url = reverse("wagtail_mentorat:pairing", args=[pairing.pk])
    page = client.get(url)
    form = page.context["forms"][action]
    data = _data(form, pairing, action=action, **extra)
    response = client.post(url, data)
    assert response.status_code == 302, (
        action,
        getattr(response, "context", {})
        and [(k, f.errors) for k, f in response.context["forms"].items() if f.errors],
    )


def _assert_inert(response, where):
    assert response.status_code == 200, where
    html = response.content.decode()
    assert not LIVE.search(html), f"{where}: {LIVE.search(html).group(0)}"
    return html


@pytest.fixture
def submitted(login_as, pairing_of, demo_users):
    pairing = pairing_of("mentore1")
    mentee, mentor = login_as("mentore1"), login_as("mentor1")
    _post_action(mentee, pairing, "objectives", objectives=f"{PAYLOAD} | {PAYLOAD}")
    _post_action(mentor, pairing, "meeting")
    _post_action(mentee, pairing, "help")
    help_request = HelpRequest.objects.filter(pairing=pairing).latest("pk")
    _post_action(mentor, pairing, "answer", help_request=str(help_request.pk))
    _post_action(mentee, pairing, "review", kind="midterm", satisfaction="4")
    _post_action(mentee, pairing, "fit_check")
    _post_action(mentee, pairing, "extension")
    _post_action(mentee, pairing, "disagreement")
    _post_action(mentor, pairing, "match_review")
    _post_action(mentor, pairing, "safety")
    thread = reverse("wagtail_mentorat:thread", args=[pairing.pk])
    form = mentee.get(thread).context["form"]
    assert mentee.post(thread, {"body": _data(form, pairing)["body"]}).status_code == 302
    _post_action(mentor, pairing, "closure")
    return Pairing.objects.get(pk=pairing.pk)


def test_the_corpus_is_escaped_on_every_page_that_shows_it(submitted, login_as):
    pages = [
        ("mentore1", reverse("wagtail_mentorat:pairing", args=[submitted.pk])),
        ("mentor1", reverse("wagtail_mentorat:pairing", args=[submitted.pk])),
        ("mentore1", reverse("wagtail_mentorat:thread", args=[submitted.pk])),
        ("mentor1", reverse("wagtail_mentorat:thread", args=[submitted.pk])),
        ("mentore1", reverse("wagtail_mentorat:agreement_print", args=[submitted.agreement.pk])),
        ("mentore1", reverse("wagtail_mentorat:space")),
        ("gestionnaire", reverse("wagtail_mentorat:manager")),
        ("gestionnaire", reverse("wagtail_mentorat:space")),
    ]
    shown = 0
    for role, path in pages:
        html = _assert_inert(login_as(role).get(path), f"{role} {path}")
        shown += "&lt;script&gt;alert(" in html
    assert shown >= 3  # the corpus is really shown back, escaped


def test_the_corpus_is_escaped_in_the_admin(submitted, login_as):
    client = login_as("coordination")
    admin = "/admin/snippets/wagtail_mentorat"
    paths = [
        f"{admin}/pairing/",
        f"{admin}/pairing/inspect/{submitted.pk}/",
        f"{admin}/pairing/history/{submitted.pk}/",
        f"{admin}/agreement/inspect/{submitted.agreement.pk}/",
        f"{admin}/disagreement/",
        "/admin/mentorat/courriels/",
    ]
    for disagreement in submitted.disagreements.all():
        paths.append(f"{admin}/disagreement/inspect/{disagreement.pk}/")
    for path in paths:
        _assert_inert(client.get(path), path)


def test_json_exports_are_not_html(submitted, login_as):
    for name in ("wagtail_mentorat:my_data", "wagtail_mentorat:privacy:export_json"):
        response = login_as("mentor1").get(reverse(name))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_registration_form_renders_the_corpus_inert(login_as, demo_site):
    page = RegistrationPage.objects.live().first()
    client = login_as("mentore2")
    step = f"{page.url}?role=mentee"  # the second step: the mentee's own questions
    form = client.get(step).context["form"]
    assert form.role == "mentee"
    data = {}
    for name, field in form.fields.items():
        data[name] = _value(name, field, None) if not isinstance(field, forms.DateField) else ""
    data["role"] = "mentee"
    response = client.post(page.url, data)
    assert response.status_code == 302, response.context["form"].errors
    _assert_inert(client.get(page.url), "registration page")
    # The profile's own answers come back in the mentee's step: escaped there too.
    html = _assert_inert(client.get(step), "registration page, mentee step")
    assert "&lt;script&gt;alert(" in html
    _assert_inert(client.get(reverse("wagtail_mentorat:space")), "space after registration")
    _assert_inert(login_as("gestionnaire").get(reverse("wagtail_mentorat:manager")), "manager")
    _assert_inert(
        login_as("coordination").get("/admin/snippets/wagtail_mentorat/mentoringrequest/"),
        "admin requests",
    )
