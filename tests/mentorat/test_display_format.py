"""No raw value on a page (issue 18): choices, booleans and empty values read as labels,
people by name, dates in full, numbers with the locale's separators, matching reasons in
words. Each rule in French and in English."""

import datetime
import re

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from home.demo_mentoring import CISSS, FORMER_NAMES, ensure_programmes
from tests.mentorat.conftest import ProfileFactory
from wagtail_mentorat import formatting, lifecycle
from wagtail_mentorat.matching import adapter, scoring
from wagtail_mentorat.matching.text import stems
from wagtail_mentorat.models import (
    ExpertiseArea,
    MemberRole,
    MentoringRequest,
    Pairing,
    PairingMember,
    Programme,
)

pytestmark = pytest.mark.django_db

# Stored values that are no word of either language.
RAW = re.compile(r"\b(True|False|None|primary_mentor|additional_mentor)\b")
PAIRINGS_URL = "/admin/snippets/wagtail_mentorat/pairing/"


def visible_text(html):
    html = re.sub(r"(?s)<(script|style|template)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", html))


def in_language(client, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client


def admin_in_language(client_for, demo_users, username, code):
    """Wagtail's admin speaks the person's chosen language."""
    profile = UserProfile.get_for_user(demo_users[username])
    profile.preferred_language = code
    profile.save()
    return client_for(username)


@pytest.mark.parametrize(
    ("code", "mentee", "mentor", "peer"),
    [("fr", "Mentoré", "Mentor principal", "Pair"), ("en", "Mentee", "Primary mentor", "Peer")],
)
def test_dashboard_shows_the_role_label_never_the_stored_value(
    client_for, demo_users, code, mentee, mentor, peer
):
    peer_member = PairingMember.objects.filter(role=MemberRole.PEER).first()
    cases = [("mentore1", mentee), ("mentor1", mentor)]
    if peer_member is not None:
        cases.append((peer_member.user.get_username(), peer))
    for username, label in cases:
        client = in_language(client_for(username), code)
        text = visible_text(client.get(reverse("wagtail_mentorat:space")).content.decode())
        assert f"— {label}" in text, (username, code)
        assert not RAW.search(text.replace(f"— {label}", "")), RAW.search(text)
        if code == "fr":
            assert not re.search(r"\b(Mentee|mentee|Peer|peer|Primary_mentor)\b", text)


@pytest.mark.parametrize(("code", "no"), [("fr", "Non"), ("en", "No")])
def test_admin_pairing_listing_and_inspect_show_labels_and_names(client_for, demo_users, code, no):
    client = admin_in_language(client_for, demo_users, "coordination", code)
    pairing = Pairing.objects.filter(programme__name=CISSS, premature=False).first()
    pages = [
        client.get(PAIRINGS_URL).content.decode(),
        client.get(f"{PAIRINGS_URL}inspect/{pairing.pk}/").content.decode(),
    ]
    for html in pages:
        text = visible_text(html)
        assert not re.search(r"\b(True|False|None)\b", text)
        for member in pairing.members.all():
            user = member.user
            assert not re.search(rf"\b{re.escape(user.get_username())}\b", text)
    listing = visible_text(pages[0])
    for member in pairing.members.all():
        assert member.user.get_full_name() in listing
    inspect_text = visible_text(pages[1])
    assert f" {no} " in inspect_text  # "premature" as a word
    assert "—" in inspect_text  # an empty date


def test_admin_request_and_profile_listings_show_names_not_usernames(client_for, demo_users):
    client = client_for("coordination")
    request = MentoringRequest.objects.filter(programme__name=CISSS).first()
    for url in (
        "/admin/snippets/wagtail_mentorat/mentoringrequest/",
        f"/admin/snippets/wagtail_mentorat/mentoringrequest/inspect/{request.pk}/",
    ):
        text = visible_text(client.get(url).content.decode())
        assert request.mentee.get_full_name() in text
        assert not re.search(rf"\b{re.escape(request.mentee.get_username())}\b", text)
        assert not re.search(r"\b(True|False|None)\b", text)


def test_a_person_without_a_name_is_shown_by_username(django_user_model):
    nameless = django_user_model(username="jdoe")
    named = django_user_model(username="abc", first_name="Ana", last_name="Roy")
    assert formatting.person_name(nameless) == "jdoe"
    assert formatting.person_name(named) == "Ana Roy"
    assert formatting.person_name(None) == ""


@pytest.mark.parametrize(
    ("code", "yes", "no", "june", "july", "decimal"),
    [
        ("fr", "Oui", "Non", "15 juin 2026", "15 juillet 2026", "0,5"),
        ("en", "Yes", "No", "15 June 2026", "15 July 2026", "0.5"),
    ],
)
def test_the_formatting_layer_in_each_language(code, yes, no, june, july, decimal):
    with translation.override(code):
        assert formatting.display(True) == yes and formatting.display(False) == no
        assert formatting.display(None) == formatting.EMPTY == formatting.display("")
        assert formatting.long_date(datetime.date(2026, 6, 15)) == june
        assert formatting.long_date(datetime.date(2026, 7, 15)) == july
        assert formatting.number(0.5, 1) == decimal
        rendered = Template(
            "{% load mentorat_format %}{{ role|role_label }}|{{ flag|yes_no }}|{{ empty|or_dash }}"
            "|{{ day|long_date }}"
        ).render(
            Context(
                {
                    "role": "primary_mentor",
                    "flag": False,
                    "empty": None,
                    "day": datetime.date(2026, 6, 15),
                }
            )
        )
        assert rendered == f"{MemberRole.PRIMARY_MENTOR.label}|{no}|—|{june}"
        assert formatting.role_label("unknown") == ""


def test_no_template_prints_an_abbreviated_month():
    """ "15 Jui 2026" (juin or juillet?): the package's templates write months in full."""
    from pathlib import Path

    import wagtail_mentorat

    root = Path(wagtail_mentorat.__file__).parent
    found = []
    for path in root.rglob("*.html"):
        for fmt in re.findall(r"""\|date:["']([^"']+)["']""", path.read_text()):
            if not fmt.endswith("_FORMAT") and re.search(r"(?<!\\)[MbN]", fmt):
                found.append((path.name, fmt))
    assert not found


@pytest.mark.parametrize(("code", "average"), [("fr", "1,5"), ("en", "1.5")])
def test_the_average_of_meetings_uses_the_locale_separator(code, average):
    from wagtail_mentorat.indicators import metrics

    with translation.override(code):
        detail = str(_meetings_indicator(metrics, Programme(min_meetings=4), average=1.5).detail)
    assert detail.endswith(average)


def _meetings_indicator(metrics, programme, average):
    """The "meetings" indicator built from figures where only the meetings matter."""

    class Figures(dict):
        def __missing__(self, key):
            return 0

    data = {
        name: Figures()
        for name in (
            "requests",
            "started",
            "ended",
            "reviews",
            "satisfaction",
            "objectives",
            "extensions",
            "help",
            "training",
            "supply",
        )
    }
    data["meetings"] = Figures(average=average, meetings_min_share=None)
    rows = metrics.build_indicators(data, programme)
    return next(row for row in rows if row.key == "meetings_min_share")


def test_a_reason_names_the_area_as_written_never_its_stems():
    area = "Évaluation du fonctionnement social"
    mentor = scoring.Mentor(
        id=1,
        expertise=frozenset({7}),
        expertise_stems=stems(area),
        expertise_names=((area, stems(area)),),
    )
    mentee = scoring.Mentee(id=2, goal_stems=stems("Mieux évaluer le fonctionnement social"))
    for code in ("fr", "en"):
        with translation.override(code):
            said = scoring.fit(mentee, mentor, scoring.Rules()).reasons
        in_words = [r for r in said if "(" in r]
        assert len(in_words) == 1 and in_words[0].endswith(f"({area})"), said
    # Scoring is unchanged by the names.
    bare = scoring.Mentor(id=1, expertise=frozenset({7}), expertise_stems=stems(area))
    assert scoring.fit(mentee, bare, scoring.Rules()).score == pytest.approx(
        scoring.fit(mentee, mentor, scoring.Rules()).score
    )
    assert "(" not in " ".join(scoring.fit(mentee, bare, scoring.Rules()).reasons)


def test_reasons_shown_to_the_mentee_and_in_the_workbench_are_area_names(client_for, demo_users):
    names = set(ExpertiseArea.objects.values_list("name", flat=True))
    # A need in the person's own words that meets a demo mentor's "Intervention de crise".
    user = ProfileFactory(
        user__username="reasons-mentee",
        discipline="Travail social",
        site="CLSC de Limoilou",
        goals="Mieux intervenir en situation de crise.",
    ).user
    request = lifecycle.open_request(
        Programme.objects.get(name=CISSS), user, user, "Intervenir en situation de crise."
    )
    best, _excluded = adapter.suggestions(request)
    in_words = [r for fit in best for r in fit.reasons if "(" in r]
    assert in_words, "a goal should be matched in words"
    for reason in in_words:
        inside = reason[reason.index("(") + 1 : reason.rindex(")")]
        assert set(inside.split(", ")) <= names, reason
    mentee = Client()
    mentee.force_login(user)
    pages = [
        mentee.get(reverse("wagtail_mentorat:request_mentors", args=[request.pk])),
        client_for("coordination").get(
            reverse("mentorat_workbench"), {"programme": request.programme_id}
        ),
    ]
    for response in pages:
        assert response.status_code == 200
        text = visible_text(response.content.decode())
        assert "(Intervention de crise)" in text
        assert not re.search(r"\((?:[a-z]+, )*[a-z]{3,6}\)", text), "a stem in parentheses"


def test_the_programme_name_is_the_name_not_its_page(demo_site):
    assert not Programme.objects.filter(name__icontains="fiche synthèse").exists()
    assert not Programme.objects.filter(name__icontains="summary").exists()


def test_a_demo_built_before_keeps_its_programme_under_the_new_name(demo_site):
    programme = Programme.objects.get(name=CISSS)
    old_name = next(iter(FORMER_NAMES))
    Programme.objects.filter(pk=programme.pk).update(name=old_name)
    assert ensure_programmes()[CISSS].pk == programme.pk
    assert not Programme.objects.filter(name=old_name).exists()
