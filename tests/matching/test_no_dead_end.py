"""No request reaches a dead end (issue 17, item 4): where the manager pairs and a mentee
has no manager on file, the workbench flags the request with the reason and what to do,
offers no button the rules would refuse, and registration asks for the manager."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import Site
from wagtail.users.models import UserProfile

from tests.mentorat.conftest import ProgrammeFactory, make_coordinator, person
from wagtail_mentorat import lifecycle, rules
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.matching import adapter
from wagtail_mentorat.models import (
    MentoringRequest,
    Pairing,
    PairingState,
    ParticipantProfile,
    Programme,
    RegistrationPage,
)

pytestmark = pytest.mark.django_db

NOBODY = "nobody can pair this request until their manager is registered in their profile"


def _admin(user, *codenames):
    """Admin access (in English, the source messages) and ``codenames``."""
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", *codenames]))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return type(user).objects.get(pk=user.pk)  # no stale permission cache


@pytest.fixture
def world(db):
    coordinator = _admin(make_coordinator(person("coordo", discipline="Gestion")))
    boss = person("patronne", discipline="Gestion")
    mentor = person("mentora", years_experience=15, is_mentor=True)
    orphan = person("sans-gestionnaire", years_experience=1)  # self-registered, no manager
    # Made after the people: the factory puts those with a profile in the mentor pool.
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.MANAGER, coordinators=[coordinator])
    request = lifecycle.open_request(programme, orphan, orphan, "Évaluer un risque suicidaire")
    return {
        "programme": programme,
        "coordinator": coordinator,
        "boss": boss,
        "mentor": mentor,
        "orphan": orphan,
        "request": request,
    }


def _page(client, programme):
    response = client.get(reverse("mentorat_workbench"), {"programme": programme.pk})
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def _assign_values(soup):
    return [b["value"] for b in soup.select("button[name=assign]")]


# --- the rule -------------------------------------------------------------------------------


@pytest.mark.parametrize("who_pairs", list(Programme.WhoPairs))
@pytest.mark.parametrize("has_manager", [True, False])
@pytest.mark.parametrize("actor", ["coordinator", "boss", "mentor", "orphan"])
def test_pairing_access_gives_check_can_pair_s_verdict(world, who_pairs, has_manager, actor):
    programme = world["programme"]
    programme.who_pairs = who_pairs
    programme.save()
    if has_manager:
        ParticipantProfile.objects.filter(user=world["orphan"]).update(superior=world["boss"])
    user = world[actor]
    # In English whatever an earlier test of this process left active (a request in French).
    with translation.override("en"):
        may, reason, nobody = rules.pairing_access(user, programme, [world["orphan"].pk])[
            world["orphan"].pk
        ]
        try:
            rules.check_can_pair(user, programme, [world["orphan"]])
        except RuleViolation as error:
            assert not may
            assert reason == error.messages[0] or NOBODY in reason
        else:
            assert may and reason == ""
    assert nobody == (who_pairs == Programme.WhoPairs.MANAGER and not has_manager)


# --- the workbench --------------------------------------------------------------------------


def test_a_request_nobody_can_pair_is_flagged_with_what_to_do_and_no_assign_button(world, client):
    coordinator = _admin(world["coordinator"], "change_participantprofile", "change_programme")
    client.force_login(coordinator)
    soup = _page(client, world["programme"])
    flag = soup.select_one("#dead-ends")
    assert flag is not None
    assert "1 request nobody can pair" in flag.get_text()
    assert world["orphan"].get_full_name() in flag.get_text()
    profile = world["orphan"].mentorat_profile
    edit = reverse("wagtailsnippets_wagtail_mentorat_participantprofile:edit", args=[profile.pk])
    assert flag.select_one(f'a[href="{edit}"]') is not None
    programme_edit = reverse(
        "wagtailsnippets_wagtail_mentorat_programme:edit", args=[world["programme"].pk]
    )
    assert flag.select_one(f'a[href="{programme_edit}"]') is not None
    assert NOBODY in soup.get_text(" ")
    # Suggestions are shown, no button the rules would refuse.
    assert world["mentor"].get_full_name() in soup.get_text()
    assert _assign_values(soup) == []
    assert soup.select_one("select#team-request") is None  # nothing pairable, no team form


def test_without_the_permission_to_edit_profiles_no_link_is_offered(world, client):
    client.force_login(world["coordinator"])
    flag = _page(client, world["programme"]).select_one("#dead-ends")
    assert flag is not None and not flag.select("a")


def test_assigning_a_dead_end_request_anyway_is_refused_and_writes_nothing(world, client):
    client.force_login(world["coordinator"])
    value = f"{world['request'].pk}:{world['mentor'].pk}"
    response = client.post(
        reverse("mentorat_workbench"),
        {"programme": world["programme"].pk, "assign": value},
        follow=True,
    )
    assert "pairings are made by the mentee" in response.content.decode().replace("&#x27;", "'")
    assert not Pairing.objects.exists()
    world["request"].refresh_from_db()
    assert world["request"].status == MentoringRequest.Status.OPEN


def test_once_the_manager_is_registered_the_manager_pairs_it(world, client):
    ParticipantProfile.objects.filter(user=world["orphan"]).update(superior=world["boss"])
    client.force_login(world["coordinator"])
    soup = _page(client, world["programme"])
    assert soup.select_one("#dead-ends") is None
    # The coordinator still may not (the programme says the manager pairs): the reason.
    assert _assign_values(soup) == []
    assert "Ask them to make this pairing" in soup.get_text()
    # The manager now can, from the manager's space.
    client.force_login(world["boss"])
    response = client.post(
        reverse("wagtail_mentorat:manager_assign", args=[world["request"].pk]),
        {"mentor": world["mentor"].pk},
    )
    assert response.status_code == 302
    pairing = Pairing.objects.get()
    assert pairing.state == PairingState.APPROVED and pairing.approved_by == world["boss"]


def test_where_staff_may_pair_the_coordinator_gets_the_button(world, client):
    Programme.objects.filter(pk=world["programme"].pk).update(who_pairs=Programme.WhoPairs.BOTH)
    client.force_login(world["coordinator"])
    soup = _page(client, world["programme"])
    assert soup.select_one("#dead-ends") is None
    value = f"{world['request'].pk}:{world['mentor'].pk}"
    assert _assign_values(soup) == [value]
    client.post(
        reverse("mentorat_workbench"), {"programme": world["programme"].pk, "assign": value}
    )
    assert Pairing.objects.get().state == PairingState.APPROVED


def test_a_proposal_nobody_can_confirm_is_flagged_and_offers_only_refuse(world, client):
    pairing = lifecycle.propose_pairing(
        world["programme"], [world["orphan"]], [world["mentor"]], None, request=world["request"]
    )
    client.force_login(world["coordinator"])
    soup = _page(client, world["programme"])
    assert "1 request nobody can pair" in soup.select_one("#dead-ends").get_text()
    assert not soup.select("button[name=confirm]")
    assert [b["value"] for b in soup.select("button[name=refuse]")] == [str(pairing.pk)]


def test_the_workbench_s_queries_do_not_grow_with_the_waiting_requests(world, client):
    client.force_login(world["coordinator"])
    url = reverse("mentorat_workbench")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"programme": world["programme"].pk}).status_code == 200
        return len(ctx)

    count()  # warm the caches
    before = count()
    boss = world["boss"]
    for i in range(4):  # with and without a manager on file
        mentee = person(f"attente{i}", superior=boss if i % 2 else None, years_experience=1)
        lifecycle.open_request(world["programme"], mentee, mentee, "Un besoin")
    count()  # the new profiles dropped the cached mentor pool: warm it again
    assert count() <= before + 2  # the first profile link, the manager's names: not per row


# --- registration asks for the manager ------------------------------------------------------


@pytest.fixture
def page(db):
    home = Site.objects.get(is_default_site=True).root_page
    return home.add_child(
        instance=RegistrationPage(
            title="Je veux m'inscrire",
            slug="inscription",
            privacy_notice="<p>Avis</p>",
            privacy_notice_version="v3",
        )
    )


def _mentee_data(programme, **extra):
    return {
        "role": "mentee",
        "programme": programme.pk,
        "need": "Intervenir en crise",
        "urgency": "normal",
        "kind": "individual",
        "consent": "on",
        **extra,
    }


def _errors(response):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return soup.select_one("#id_manager_email_error").get_text(" ", strip=True)


@pytest.fixture
def newcomer(world):
    user = person("nouvelle")
    ParticipantProfile.objects.filter(user=user).delete()  # a first registration
    return user


def test_a_mentee_without_a_manager_is_asked_for_one_where_managers_pair(
    world, page, newcomer, client
):
    client.force_login(newcomer)
    soup = BeautifulSoup(client.get(f"{page.url}?role=mentee").content.decode(), "html.parser")
    assert soup.select_one("input[name=manager_email]") is not None
    response = client.post(page.url, _mentee_data(world["programme"]))
    assert response.status_code == 200
    assert _errors(response)
    assert not MentoringRequest.objects.filter(mentee=newcomer).exists()
    assert not ParticipantProfile.objects.filter(user=newcomer, consent_at__isnull=False).exists()


@pytest.mark.parametrize(
    "email, error",
    [
        (
            "personne@nulle-part.example",
            "Nobody in the directory has this email address: check it, or ask programme "
            "staff to register your manager.",
        ),
        ("pas-une-adresse", "Enter a valid email address."),
        ("nouvelle@intranet.example", "This is your own address: give your manager's."),
        ("", "In this programme, your manager makes the pairing: give their email address."),
    ],
)
def test_a_bad_manager_address_is_a_form_error_and_writes_nothing(
    world, page, newcomer, client, email, error
):
    newcomer.email = "nouvelle@intranet.example"
    newcomer.save()
    client.force_login(newcomer)
    response = client.post(page.url, _mentee_data(world["programme"], manager_email=email))
    assert response.status_code == 200
    with translation.override("fr"):  # the French page is served in French
        assert _errors(response) == gettext(error)
    assert not MentoringRequest.objects.filter(mentee=newcomer).exists()
    assert not ParticipantProfile.objects.filter(user=newcomer, superior__isnull=False).exists()


def test_someone_who_reports_to_the_person_is_refused_as_their_manager(
    world, page, newcomer, client
):
    report = person("subalterne", superior=newcomer)
    report.email = "sub@intranet.example"
    report.save()
    client.force_login(newcomer)
    data = _mentee_data(world["programme"], manager_email="SUB@intranet.example")
    response = client.post(page.url, data)
    with translation.override("fr"):
        expected = gettext("This person reports to you: give the address of your own manager.")
    assert _errors(response) == expected
    assert not MentoringRequest.objects.filter(mentee=newcomer).exists()


def test_the_manager_s_address_records_them_and_the_request_can_be_paired(
    world, page, newcomer, client
):
    world["boss"].email = "Patronne@Intranet.example"
    world["boss"].save()
    client.force_login(newcomer)
    data = _mentee_data(
        world["programme"], manager_email="patronne@intranet.example", discipline="Travail social"
    )
    assert client.post(page.url, data).status_code == 302
    assert ParticipantProfile.objects.get(user=newcomer).superior == world["boss"]
    request = MentoringRequest.objects.get(mentee=newcomer)
    may, _reason, nobody = rules.pairing_access(world["boss"], world["programme"], [newcomer.pk])[
        newcomer.pk
    ]
    assert may and not nobody
    assert adapter.assign(request, world["mentor"], world["boss"]).state == PairingState.APPROVED


def test_a_person_with_a_manager_on_file_or_no_manager_only_programme_is_not_asked(
    world, page, newcomer, client
):
    client.force_login(world["orphan"])
    ParticipantProfile.objects.filter(user=world["orphan"]).update(superior=world["boss"])
    soup = BeautifulSoup(client.get(f"{page.url}?role=mentee").content.decode(), "html.parser")
    assert soup.select_one("input[name=manager_email]") is None
    Programme.objects.filter(pk=world["programme"].pk).update(who_pairs=Programme.WhoPairs.BOTH)
    client.force_login(newcomer)
    soup = BeautifulSoup(client.get(f"{page.url}?role=mentee").content.decode(), "html.parser")
    assert soup.select_one("input[name=manager_email]") is None
    assert client.post(page.url, _mentee_data(world["programme"])).status_code == 302
