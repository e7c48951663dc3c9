"""Programme staff's pairings (issue 17): the listing by names with filters and circles
apart, a staff page per pairing with dates and never the pair's content, and the transfer,
rematch and reminder actions through the lifecycle."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone

from tests.admin_pairings.conftest import MARKER
from tests.mentorat.conftest import person
from wagtail_mentorat import formatting, lifecycle
from wagtail_mentorat.models import (
    Meeting,
    MeetingNote,
    MentoringKind,
    Message,
    Pairing,
    PairingState,
    ParticipantProfile,
    Transfer,
)
from wagtail_mentorat.notifications.models import Notification

pytestmark = pytest.mark.django_db

LIST = "/admin/snippets/wagtail_mentorat/pairing/"
PAGE = "/admin/mentorat/jumelages/{}/"
REMIND = "/admin/bulk/wagtail_mentorat/pairing/mentorat_remind/"
EXPORT = "/admin/bulk/wagtail_mentorat/pairing/mentorat_export/"


def listed(response):
    return {row.pk for row in response.context["object_list"]}


def make_pairings(programme_, cast, n):
    made = []
    for i in range(n):
        mentee = person(f"mentee{i}", superior=cast["manager"])
        p = Pairing.objects.create(programme=programme_, state=PairingState.PROPOSED)
        p.members.create(user=mentee, role="mentee")
        p.members.create(user=cast["mentor2"], role="primary_mentor")
        made.append(p)
    return made


# --- the listing ---------------------------------------------------------------------------


def test_the_listing_shows_names_and_labels_and_links_each_row(
    coordo, cast, pairing, django_assert_max_num_queries
):
    coordo.get(LIST)  # warm the caches (site, permissions)
    with django_assert_max_num_queries(40) as few:
        response = coordo.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert formatting.person_name(cast["mentee"]) in html
    assert formatting.person_name(cast["mentor"]) in html
    assert ">mentore<" not in html  # the username
    assert PAGE.format(pairing.pk) in html
    for raw in (">False<", ">None<", ">True<", ">active<"):
        assert raw not in html
    # Ten more pairings: not one more query per row.
    make_pairings(pairing.programme, cast, 10)
    with django_assert_max_num_queries(len(few.captured_queries) + 3):
        response = coordo.get(LIST)
    assert len(listed(response)) == 11


def test_circles_are_apart_unless_the_filter_asks_for_them(coordo, pairing):
    circle = Pairing.objects.create(
        programme=pairing.programme, kind=MentoringKind.CIRCLE, state=PairingState.ACTIVE
    )
    assert listed(coordo.get(LIST)) == {pairing.pk}
    assert listed(coordo.get(LIST, {"kind": "circle"})) == {circle.pk}
    assert listed(coordo.get(LIST, {"kind": "all"})) == {pairing.pk, circle.pk}
    assert listed(coordo.get(LIST, {"kind": "individual"})) == {pairing.pk}


def test_filters_overdue_state_site_unit_and_premature(coordo, cast, pairing):
    assert pairing.pk not in listed(coordo.get(LIST, {"overdue": "checkin"}))
    Pairing.objects.filter(pk=pairing.pk).update(
        assigned_at=timezone.now() - datetime.timedelta(days=120),
        first_contact_at=timezone.now() - datetime.timedelta(days=120),
    )
    assert pairing.pk in listed(coordo.get(LIST, {"overdue": "checkin"}))
    assert pairing.pk not in listed(coordo.get(LIST, {"overdue": "quiet"}))  # met today
    Meeting.objects.filter(pairing=pairing).update(
        held_at=timezone.now() - datetime.timedelta(days=100)
    )
    assert pairing.pk in listed(coordo.get(LIST, {"overdue": "quiet"}))
    assert pairing.pk not in listed(coordo.get(LIST, {"overdue": "first_contact"}))
    ParticipantProfile.objects.filter(user=cast["mentee"]).update(site="Site A", unit="Unité A")
    assert listed(coordo.get(LIST, {"unit": "Unité A"})) == {pairing.pk}
    assert listed(coordo.get(LIST, {"site": "Site A"})) == {pairing.pk}
    assert pairing.pk not in listed(coordo.get(LIST, {"unit": "Services sociaux généraux"}))
    assert listed(coordo.get(LIST, {"state": "active"})) == {pairing.pk}
    assert listed(coordo.get(LIST, {"premature": "true"})) == set()
    Pairing.objects.filter(pk=pairing.pk).update(premature=True)
    assert listed(coordo.get(LIST, {"premature": "true"})) == {pairing.pk}


def test_hostile_filter_values_never_fail(coordo, pairing):
    for params in (
        {"programme": "9" * 30},
        {"programme": "abc"},
        {"overdue": "nope"},
        {"kind": "<script>"},
    ):
        response = coordo.get(LIST, params)
        assert response.status_code == 200, params
        assert response.context["filters"].errors, params  # said, not a 500
    assert coordo.get(LIST, {"id": "9" * 30}).status_code == 200


def test_another_programmes_coordinator_lists_none_of_it(outsider, pairing):
    assert pairing.pk not in listed(outsider.get(LIST, {"kind": "all"}))
    choices = outsider.get(LIST).context["filters"].form.fields["programme"].queryset
    assert pairing.programme not in choices


# --- the staff page ------------------------------------------------------------------------


def test_the_page_shows_members_dates_and_history_never_the_pairs_content(coordo, cast, pairing):
    Meeting.objects.filter(pairing=pairing).update(summary=MARKER)
    Message.objects.create(pairing=pairing, author=cast["mentee"], body=MARKER)
    assert MeetingNote.objects.filter(text=MARKER).exists()
    response = coordo.get(PAGE.format(pairing.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert MARKER not in html
    assert formatting.person_name(cast["mentee"]) in html
    assert formatting.person_name(cast["mentor"]) in html
    assert formatting.long_date(pairing.planned_end) in html
    assert formatting.long_date(pairing.midterm_review_due) in html
    assert f"/admin/mentorat/suivis/{pairing.pk}/" in html  # record a check-in
    assert response.context["next_checkin"] == lifecycle.next_checkin_due(pairing)
    assert len(response.context["history"]) >= 3  # proposed, approved, activated…


def test_the_page_says_what_is_overdue(coordo, pairing):
    Pairing.objects.filter(pk=pairing.pk).update(
        midterm_review_due=timezone.localdate() - datetime.timedelta(days=2)
    )
    overdue = coordo.get(PAGE.format(pairing.pk)).context["overdue"]
    assert "Bilan de mi-parcours en retard" in [str(label) for label in overdue]  # French


@pytest.mark.parametrize("pk", ["abc", "9" * 30, "0", "-1", "99999999"])
def test_hostile_ids_are_a_404(coordo, pk):
    assert coordo.get(f"/admin/mentorat/jumelages/{pk}/").status_code == 404


def test_another_programmes_coordinator_gets_the_same_404(outsider, pairing):
    assert outsider.get(PAGE.format(pairing.pk)).status_code == 404
    assert outsider.get(PAGE.format(999999)).status_code == 404


# --- transfer ------------------------------------------------------------------------------


def test_the_coordinator_transfers_the_mentee(coordo, cast, pairing):
    new_manager = person("gestionnaire2", superior=cast["director"])
    response = coordo.post(
        PAGE.format(pairing.pk),
        {
            "action": "transfer",
            "site": "CLSC de Charlesbourg",
            "unit": "Soutien à domicile",
            "superior": new_manager.pk,
        },
    )
    assert response.status_code == 302
    profile = ParticipantProfile.objects.get(user=cast["mentee"])
    assert (profile.site, profile.unit, profile.superior) == (
        "CLSC de Charlesbourg",
        "Soutien à domicile",
        new_manager,
    )
    transfer = Transfer.objects.get(pairing=pairing)
    assert transfer.moved_by == cast["coordinator"] and transfer.from_superior == cast["manager"]
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE  # the pairing survives (seed 002)
    assert "Soutien à domicile" in coordo.get(PAGE.format(pairing.pk)).content.decode()


def test_another_programmes_coordinator_cannot_transfer(outsider, cast, pairing):
    response = outsider.post(
        PAGE.format(pairing.pk), {"action": "transfer", "site": "Ailleurs", "unit": "X"}
    )
    assert response.status_code == 404
    assert not Transfer.objects.exists()
    assert ParticipantProfile.objects.get(user=cast["mentee"]).site == "CLSC de Limoilou"


def test_a_refused_transfer_says_why_and_changes_nothing(coordo, cast, pairing):
    url = PAGE.format(pairing.pk)
    # The mentor becoming the mentee's manager is refused by the rules.
    response = coordo.post(
        url, {"action": "transfer", "site": "Nouveau", "unit": "", "superior": cast["mentor"].pk}
    )
    assert response.status_code == 400
    assert "n'est jamais le supérieur du mentoré" in " ".join(
        response.context["transfer_form"].non_field_errors()
    )
    for bad in ("abc", "9" * 30, "-3", "99999999"):
        response = coordo.post(
            url, {"action": "transfer", "site": "Nouveau", "unit": "U", "superior": bad}
        )
        assert response.status_code == 400, bad
        assert response.context["transfer_form"].errors["superior"]
    for data in ({"site": "x" * 500, "unit": "U"}, {"site": "CLSC de Limoilou"}):
        data = {"unit": "Services sociaux généraux", "action": "transfer", **data}
        response = coordo.post(url, data)
        assert response.status_code == 400
        assert response.context["transfer_form"].errors
    assert not Transfer.objects.exists()
    profile = ParticipantProfile.objects.get(user=cast["mentee"])
    assert (profile.site, profile.superior) == ("CLSC de Limoilou", cast["manager"])


def test_a_closed_pairing_offers_no_transfer_and_says_why(coordo, pairing, cast):
    lifecycle.rematch(pairing, cast["coordinator"])
    response = coordo.get(PAGE.format(pairing.pk))
    assert response.status_code == 200
    assert response.context["transfer_form"] is None
    assert "ne peut pas être transféré" in response.context["transfer_refused"]
    html = response.content.decode()
    assert 'value="transfer"' not in html and "ne peut pas être transféré" in html
    assert f"/admin/mentorat/suivis/{pairing.pk}/" not in html  # nor a check-in


# --- rematch -------------------------------------------------------------------------------


def test_rematch_is_offered_only_when_wanted_and_works(coordo, outsider, cast, pairing):
    url = PAGE.format(pairing.pk)
    page = coordo.get(url)
    assert not page.context["rematch_offered"]
    assert 'value="rematch"' not in page.content.decode()
    lifecycle.answer_fit_check(pairing, cast["mentee"], "poor", wants_rematch=True)
    page = coordo.get(url)
    assert page.context["rematch_offered"] and 'value="rematch"' in page.content.decode()
    # The first click asks to confirm and changes nothing.
    confirm = coordo.post(url, {"action": "rematch"})
    assert confirm.status_code == 200 and confirm.context["rematch_confirm"]
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE
    assert outsider.post(url, {"action": "rematch", "confirm": "yes"}).status_code == 404
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE
    response = coordo.post(url, {"action": "rematch", "confirm": "yes"})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.state == PairingState.CLOSED and pairing.closure_reason == "rematch"
    assert not pairing.premature
    assert not coordo.get(url).context["rematch_offered"]  # once closed, gone


# --- bulk actions --------------------------------------------------------------------------


def test_remind_the_members_of_selected_pairings(coordo, outsider, cast, pairing):
    Pairing.objects.filter(pk=pairing.pk).update(
        midterm_review_due=timezone.localdate() - datetime.timedelta(days=3)
    )
    # Another programme's coordinator: the pairing is not among the selected.
    page = outsider.get(REMIND, {"id": [pairing.pk, "abc", "9" * 30]})
    assert page.status_code == 200 and not page.context["items"]
    page = coordo.get(REMIND, {"id": [pairing.pk, "abc"]})
    assert [item["item"].pk for item in page.context["items"]] == [pairing.pk]
    before = Notification.objects.filter(pairing=pairing).count()
    assert coordo.post(f"{REMIND}?id={pairing.pk}&next={LIST}").status_code == 302
    sent = Notification.objects.filter(pairing=pairing).count() - before
    assert sent == 2  # the mentee and the mentor: the mid-term review is overdue
    coordo.post(f"{REMIND}?id={pairing.pk}&next={LIST}")  # twice the same day: once
    assert Notification.objects.filter(pairing=pairing).count() - before == sent
    outsider.post(f"{REMIND}?id={pairing.pk}&next={LIST}")
    assert Notification.objects.filter(pairing=pairing).count() - before == sent
    mentee = Client()
    mentee.force_login(cast["mentee"])
    assert mentee.get(REMIND, {"id": [pairing.pk]}).status_code in (302, 403, 404)


def test_remind_the_members_follows_the_programmes_schedule(coordo, pairing):
    """A reminder the programme turned off (issue 21) is not sent from the bulk action
    either; turned back on, it is."""
    from wagtail_mentorat.notifications.models import ReminderSchedule

    Pairing.objects.filter(pk=pairing.pk).update(
        midterm_review_due=timezone.localdate() - datetime.timedelta(days=3)
    )
    schedule = ReminderSchedule.objects.create(programme=pairing.programme, reviews=False)
    before = Notification.objects.filter(pairing=pairing).count()
    coordo.post(f"{REMIND}?id={pairing.pk}&next={LIST}")
    assert Notification.objects.filter(pairing=pairing).count() == before
    schedule.reviews = True
    schedule.save()
    coordo.post(f"{REMIND}?id={pairing.pk}&next={LIST}")
    assert Notification.objects.filter(pairing=pairing).count() == before + 2


def test_export_selected_has_labels_and_no_content(coordo, outsider, pairing):
    response = coordo.get(EXPORT, {"id": [pairing.pk, "abc"]})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == str(pairing.pk)
    assert "Actif" in rows[1] and "active" not in rows[1]  # labels, in French
    assert MARKER not in response.content.decode()
    other = outsider.get(EXPORT, {"id": [pairing.pk]})
    assert len(list(csv.reader(io.StringIO(other.content.decode("utf-8-sig"))))) == 1
