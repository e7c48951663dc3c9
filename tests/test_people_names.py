"""People read as their names in the admin (issue 18): the choice fields of people
(wagtail_mentorat.admin.people), the admin home panel's counts, and Wagtail's aging pages
report for a page published by no one."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.html import strip_tags

from wagtail_mentorat.admin.people import PeopleChoiceField, PersonChoiceField

pytestmark = pytest.mark.django_db


def make(username, first="", last="", email=""):
    return get_user_model().objects.create_user(
        username=username, first_name=first, last_name=last, email=email
    )


def labels(field):
    return [label for value, label in field.choices if value != ""]


def test_people_read_as_names_and_namesakes_are_told_apart():
    make("jtremblay", "Julie", "Tremblay", "julie.t@intranet.example")
    make("jtremblay2", "Julie", "Tremblay")
    make("mroy", "Marc", "Roy", "marc@intranet.example")
    make("abc123")  # no name known: the username is all there is
    people = get_user_model().objects.filter(
        username__in=["jtremblay", "jtremblay2", "mroy", "abc123"]
    )

    # An unordered queryset is listed by name.
    assert labels(PersonChoiceField(queryset=people)) == [
        "abc123",
        "Julie Tremblay (jtremblay2)",
        "Julie Tremblay (julie.t@intranet.example)",
        "Marc Roy",
    ]
    # The form's own order is kept.
    ordered = labels(PeopleChoiceField(queryset=people.order_by("-username")))
    assert ordered == [
        "Marc Roy",
        "Julie Tremblay (jtremblay2)",
        "Julie Tremblay (julie.t@intranet.example)",
        "abc123",
    ]


def test_the_values_stay_the_people():
    marc = make("mroy", "Marc", "Roy")
    julie = make("jtremblay", "Julie", "Tremblay")
    people = get_user_model().objects.all()
    assert PersonChoiceField(queryset=people).clean(str(marc.pk)) == marc
    assert set(PeopleChoiceField(queryset=people).clean([marc.pk, julie.pk])) == {marc, julie}
    html = PersonChoiceField(queryset=people).widget.render("who", marc.pk)
    assert f'<option value="{marc.pk}" selected>Marc Roy</option>' in html


def visible(response):
    assert response.status_code == 200
    return " ".join(strip_tags(response.content.decode()).split())


def test_the_admin_forms_list_people_by_name(client_for, demo_users):
    """The programme's coordinators, a circle's facilitator, a legal hold's person and a
    participant's superior: names, never usernames."""
    coordination = client_for("coordination")
    programme = visible(coordination.get("/admin/snippets/wagtail_mentorat/programme/add/"))
    assert "Julien Morin" in programme and "Sophie Tremblay" in programme
    assert not re.search(r"\bcoordination2\b", programme)

    circle = visible(coordination.get("/admin/mentorat/cercles/ouvrir/"))
    assert "Karim Benali" in circle
    assert not re.search(r"\b(mentore2|mentor3|mentore6)\b", circle)

    profile = demo_users["mentore1"].mentorat_profile
    edit = coordination.get(
        f"/admin/snippets/wagtail_mentorat/participantprofile/edit/{profile.pk}/"
    )
    assert re.search(r"<option[^>]*selected>Marc Bouchard</option>", edit.content.decode())

    hold = visible(client_for("confidentialite").get("/admin/mentorat_legal_holds/new/"))
    assert "Camille Gagnon" in hold
    assert not re.search(r"\b(redaction|mentore1)\b", hold)


def test_the_home_panel_says_one_pairing_and_two_pairings(monkeypatch, rf, admin_user):
    from wagtail_mentorat.indicators import panels

    counts = {
        key: 0
        for key in ("first_contact", "urgent", "urgent_overdue", "midterm", "final", "quiet",
                    "proposed", "closing", "extensions")
    }  # fmt: skip
    counts.update(quiet=1, proposed=2, extensions=1)
    monkeypatch.setattr(panels, "attention", lambda programmes=None: counts)
    request = rf.get("/admin/")
    request.user = admin_user
    with translation.override("en"):
        context = panels.AttentionPanel().get_context_data({"request": request})
    shown = {str(item["label"]) for item in context["items"] if item["count"]}
    assert shown == {
        "Pairing with no meeting for too long",
        "Pairings waiting for approval",
        "Extension waiting for a decision",
    }


def test_the_aging_pages_report_never_prints_none(admin_client, admin_user):
    """A page published by no one (the setup command, a script) reads "—", not "None"; a
    page published by someone still names them."""
    from wagtail.models import Page

    root = Page.objects.get(depth=1)
    by_nobody = root.add_child(instance=Page(title="Published by a script", slug="script"))
    by_nobody.save_revision().publish()
    by_someone = root.add_child(instance=Page(title="Published by someone", slug="someone"))
    by_someone.save_revision(user=admin_user).publish(user=admin_user)

    text = visible(admin_client.get("/admin/reports/aging-pages/results/"))
    assert "Published by a script" in text and "Published by someone" in text
    assert not re.search(r"\bNone\b", text)
    assert "—" in text
    assert re.search(r"\badmin\b", text)
