"""The workbench pairs with several mentors, each with a written contribution (seed 004),
or a group of mentees with one mentor (seed 002), through the lifecycle: a refusal says
the rule's reason and writes nothing (issue 17, item 2)."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.users.models import UserProfile

from tests.mentorat.conftest import ProgrammeFactory, make_coordinator, person
from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import (
    MemberRole,
    MentoringKind,
    MentoringRequest,
    Pairing,
    PairingMember,
    PairingState,
    ParticipantProfile,
    Programme,
)

pytestmark = pytest.mark.django_db
URL = "mentorat_workbench"


def _staff(user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"  # the source messages
    profile.save()
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def world(db):
    coordinator = _staff(make_coordinator(person("coordo", discipline="Gestion")))
    elsewhere = _staff(make_coordinator(person("coordo2", discipline="Gestion"), programmes=[]))
    mentee = person("mentoree", years_experience=1)
    first = person("premiere", years_experience=15, is_mentor=True)
    second = person("seconde", years_experience=12, is_mentor=True)
    # Made after the people: the factory puts those with a profile in the mentor pool.
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.BOTH, coordinators=[coordinator])
    ProgrammeFactory(who_pairs=Programme.WhoPairs.BOTH, coordinators=[elsewhere])
    request = lifecycle.open_request(programme, mentee, mentee, "Plaies complexes")
    group = []
    for name in ("groupe1", "groupe2"):
        member = person(name, years_experience=1)
        group.append(
            lifecycle.open_request(
                programme, member, member, "Accueil des nouveaux", kind=MentoringKind.GROUP
            )
        )
    return {
        "programme": programme,
        "coordinator": coordinator,
        "elsewhere": elsewhere,
        "mentee": mentee,
        "first": first,
        "second": second,
        "request": request,
        "group": group,
    }


def _post(client, world, **data):
    data = {"programme": world["programme"].pk, "action": "team", **data}
    response = client.post(reverse(URL), data)
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def test_the_workbench_offers_the_team_form(world, client):
    client.force_login(world["coordinator"])
    html = client.get(reverse(URL), {"programme": world["programme"].pk}).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    form = soup.select_one("form.mentorat-team-form")
    requests = [o["value"] for o in form.select("select[name=request] option") if o["value"]]
    assert str(world["request"].pk) in requests
    mentors = [o["value"] for o in form.select("select[name=primary] option") if o["value"]]
    assert {str(world["first"].pk), str(world["second"].pk)} <= set(mentors)
    assert len(form.select("select[name=secondary]")) == len(
        form.select("input[name=contribution]")
    )
    group = {i["value"] for i in form.select("input[name=mentee]")}
    assert group == {str(r.pk) for r in world["group"]}


def test_a_request_is_paired_with_two_mentors_each_with_a_contribution(world, client):
    client.force_login(world["coordinator"])
    response, messages = _post(
        client,
        world,
        request=world["request"].pk,
        primary=world["first"].pk,
        primary_contribution="Le suivi clinique",
        secondary=[world["second"].pk, "", ""],
        contribution=["Les soins de plaies complexes", "", ""],
    )
    assert response.status_code == 302, messages
    pairing = Pairing.objects.get()
    assert pairing.state == PairingState.APPROVED
    assert pairing.kind == MentoringKind.INDIVIDUAL
    members = {m.user_id: m for m in PairingMember.objects.filter(pairing=pairing)}
    assert members[world["mentee"].pk].role == MemberRole.MENTEE
    assert members[world["first"].pk].role == MemberRole.PRIMARY_MENTOR
    assert members[world["first"].pk].contribution == "Le suivi clinique"
    assert members[world["second"].pk].role == MemberRole.ADDITIONAL_MENTOR
    assert members[world["second"].pk].contribution == "Les soins de plaies complexes"
    world["request"].refresh_from_db()
    assert world["request"].status == MentoringRequest.Status.MATCHED


def test_a_group_is_paired_with_one_mentor(world, client):
    client.force_login(world["coordinator"])
    first, other = world["group"]
    response, messages = _post(
        client, world, request=first.pk, primary=world["first"].pk, mentee=[first.pk, other.pk]
    )
    assert response.status_code == 302
    pairing = Pairing.objects.get()
    assert pairing.kind == MentoringKind.GROUP, messages
    mentees = set(pairing.members.filter(role=MemberRole.MENTEE).values_list("user_id", flat=True))
    assert mentees == {first.mentee_id, other.mentee_id}
    assert pairing.members.get(role=MemberRole.PRIMARY_MENTOR).user == world["first"]
    # Each mentee's request is answered by the group pairing, and waits again if it is
    # cancelled.
    statuses = MentoringRequest.objects.filter(pk__in=[first.pk, other.pk])
    assert set(statuses.values_list("status", flat=True)) == {MentoringRequest.Status.MATCHED}
    lifecycle.cancel_pairing(pairing, world["coordinator"])
    assert set(statuses.values_list("status", flat=True)) == {MentoringRequest.Status.OPEN}


def test_a_mentor_without_a_free_place_is_refused_with_the_reason_and_nothing_is_written(
    world, client
):
    ParticipantProfile.objects.filter(user=world["second"]).update(mentor_capacity=0)
    client.force_login(world["coordinator"])
    response, messages = _post(
        client,
        world,
        request=world["request"].pk,
        primary=world["first"].pk,
        secondary=[world["second"].pk],
        contribution=["Les soins de plaies complexes"],
    )
    assert response.status_code == 302
    assert any("no place is free" in m and world["second"].get_full_name() in m for m in messages)
    assert not Pairing.objects.exists() and not PairingMember.objects.exists()
    world["request"].refresh_from_db()
    assert world["request"].status == MentoringRequest.Status.OPEN


def test_a_group_with_two_mentors_is_refused_by_the_lifecycle(world, client):
    client.force_login(world["coordinator"])
    first, other = world["group"]
    _response, messages = _post(
        client,
        world,
        request=first.pk,
        primary=world["first"].pk,
        secondary=[world["second"].pk],
        contribution=["Co-animation"],
        mentee=[other.pk],
    )
    assert "Group mentoring has one mentor." in messages
    assert not Pairing.objects.exists()


def test_an_additional_mentor_without_a_contribution_is_a_form_error(world, client):
    client.force_login(world["coordinator"])
    _response, messages = _post(
        client,
        world,
        request=world["request"].pk,
        primary=world["first"].pk,
        secondary=[world["second"].pk],
        contribution=["  "],
    )
    assert messages == [f"Write what {world['second'].get_full_name()} brings to the pairing."]
    assert not Pairing.objects.exists()


@pytest.mark.parametrize("value", ["abc", "0", "-1", "9" * 30])
def test_hostile_ids_are_errors_and_write_nothing(world, client, value):
    client.force_login(world["coordinator"])
    for data in (
        {"request": value, "primary": world["first"].pk},
        {"request": world["request"].pk, "primary": value},
        {"request": world["request"].pk, "primary": world["first"].pk, "secondary": [value],
         "contribution": ["x"]},
        {"request": world["request"].pk, "primary": world["first"].pk, "mentee": [value]},
    ):  # fmt: skip
        response, messages = _post(client, world, **data)
        assert response.status_code == 302 and messages, data
    assert not Pairing.objects.exists()


def test_a_participant_cannot_post_the_action(world, client):
    client.force_login(world["mentee"])
    response, _messages = _post(
        client, world, request=world["request"].pk, primary=world["first"].pk
    )
    assert response.status_code in (302, 403)
    assert not Pairing.objects.exists()


def test_a_coordinator_of_another_programme_gets_a_404(world, client):
    client.force_login(world["elsewhere"])
    response = client.post(
        reverse(URL),
        {
            "programme": world["programme"].pk,  # not theirs: their own is chosen instead
            "action": "team",
            "request": world["request"].pk,
            "primary": world["first"].pk,
        },
    )
    assert response.status_code == 404
    assert not Pairing.objects.exists()
