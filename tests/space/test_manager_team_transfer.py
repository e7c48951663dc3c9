"""From the manager's space (issue 17, item 2): where managers pair, a pairing with several
mentors each with what they bring, or a group of their staff with one mentor; and the
transfer of a staff member, the pairing kept. Through the lifecycle, 404 for anyone
else's request or pairing, and nothing written on a refusal."""

import pytest
from django.urls import reverse

from tests.mentorat.conftest import ProgrammeFactory, person
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
    Transfer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(login):
    """The space's clients, in English (the source messages)."""

    def make(user):
        client = login(user)
        client.cookies["django_language"] = "en"
        return client

    return make


@pytest.fixture
def team(cast):
    """A manager-pairs programme: one individual request, two group requests of the
    manager's staff, and two pool mentors."""
    mentor3 = person("mentor3", superior=cast["director"], years_experience=20)
    ParticipantProfile.objects.filter(user__in=[cast["mentor"], cast["mentor2"], mentor3]).update(
        is_mentor=True
    )
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.MANAGER)  # pool: every profile
    solo = person("solo", superior=cast["manager"], years_experience=1)
    request = lifecycle.open_request(programme, solo, solo, "Plaies complexes")
    group = []
    for name in ("g1", "g2"):
        member = person(name, superior=cast["manager"], years_experience=1)
        group.append(
            lifecycle.open_request(programme, member, member, "Accueil", kind=MentoringKind.GROUP)
        )
    return {
        "programme": programme,
        "request": request,
        "group": group,
        "mentor3": mentor3,
    }


def url(request):
    return reverse("wagtail_mentorat:manager_team", args=[request.pk])


def test_the_manager_pairs_with_two_mentors_each_with_a_contribution(login, cast, team):
    manager = login(cast["manager"])
    page = manager.get(reverse("wagtail_mentorat:manager"))
    assert url(team["request"]) in page.content.decode()
    form = manager.get(url(team["request"]))
    assert form.status_code == 200 and b'name="secondary"' in form.content
    response = manager.post(
        url(team["request"]),
        {
            "primary": cast["mentor"].pk,
            "primary_contribution": "Le suivi clinique",
            "secondary": [cast["mentor2"].pk, "", ""],
            "contribution": ["Les pansements complexes", "", ""],
        },
    )
    assert response.status_code == 302
    pairing = Pairing.objects.get(request=team["request"])
    assert pairing.state == PairingState.APPROVED and pairing.approved_by == cast["manager"]
    roles = {m.user_id: (m.role, m.contribution) for m in pairing.members.all()}
    assert roles[cast["mentor2"].pk] == (
        MemberRole.ADDITIONAL_MENTOR,
        "Les pansements complexes",
    )


def test_an_additional_mentor_without_a_contribution_is_refused_and_kept(login, cast, team):
    manager = login(cast["manager"])
    response = manager.post(
        url(team["request"]),
        {
            "primary": cast["mentor"].pk,
            "primary_contribution": "Le suivi clinique",
            "secondary": [cast["mentor2"].pk],
            "contribution": [""],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "brings to the pairing" in html and 'role="region"' in html
    assert 'value="Le suivi clinique"' in html  # what was typed is kept
    assert not Pairing.objects.exists()


def test_the_manager_pairs_a_group_of_their_staff(login, cast, team):
    first, second = team["group"]
    manager = login(cast["manager"])
    response = manager.post(url(first), {"primary": cast["mentor"].pk, "mentee": [second.pk]})
    assert response.status_code == 302
    pairing = Pairing.objects.get()
    assert pairing.kind == MentoringKind.GROUP
    mentees = set(pairing.members.filter(role=MemberRole.MENTEE).values_list("user_id", flat=True))
    assert mentees == {first.mentee_id, second.mentee_id}
    assert set(
        MentoringRequest.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "status", flat=True
        )
    ) == {MentoringRequest.Status.MATCHED}


def test_another_manager_s_staff_cannot_join_the_group(login, cast, team):
    outsider = person("ailleurs", years_experience=1)  # no manager: not this manager's
    other = lifecycle.open_request(
        team["programme"], outsider, outsider, "Accueil", kind=MentoringKind.GROUP
    )
    manager = login(cast["manager"])
    response = manager.post(
        url(team["group"][0]), {"primary": cast["mentor"].pk, "mentee": [other.pk]}
    )
    assert response.status_code == 400
    assert "Choose the other mentees" in response.content.decode()
    assert not Pairing.objects.exists()


@pytest.mark.parametrize("who", ["director", "mentee", "mentor", "coordinator"])
def test_someone_not_the_manager_gets_a_404_and_pairs_nothing(login, cast, team, who):
    client = login(cast[who])
    assert client.get(url(team["request"])).status_code == 404
    assert client.post(url(team["request"]), {"primary": cast["mentor"].pk}).status_code == 404
    assert not Pairing.objects.exists()


@pytest.mark.parametrize("pk", ["abc", "9" * 30, "-1"])
def test_hostile_ids_are_a_404(login, cast, team, pk):
    manager = login(cast["manager"])
    response = manager.get(f"/mentorat/gestion/demandes/{pk}/equipe/")
    assert response.status_code == 404
    assert manager.post(url(team["request"]), {"primary": pk}).status_code == 400


def test_where_programme_staff_pair_the_page_says_why_and_offers_no_form(login, cast, team):
    Programme.objects.filter(pk=team["programme"].pk).update(
        who_pairs=Programme.WhoPairs.COORDINATOR
    )
    manager = login(cast["manager"])
    response = manager.get(url(team["request"]))
    html = response.content.decode()
    assert "pairings are made by programme staff" in html and 'name="primary"' not in html
    manager.post(url(team["request"]), {"primary": cast["mentor"].pk})
    assert not Pairing.objects.exists()


# --- the transfer ---------------------------------------------------------------------------


def transfer_url(pairing):
    return reverse("wagtail_mentorat:manager_transfer", args=[pairing.pk])


def test_the_manager_transfers_a_staff_member_and_the_pairing_stays(login, cast, active):
    new_manager = person("nouvelle", superior=cast["director"], discipline="Gestion")
    manager = login(cast["manager"])
    assert transfer_url(active) in manager.get(reverse("wagtail_mentorat:manager")).content.decode()
    response = manager.post(
        transfer_url(active),
        {"site": "Hôpital de Gaspé", "unit": "Urgence", "superior": new_manager.pk},
    )
    assert response.status_code == 302
    profile = ParticipantProfile.objects.get(user=cast["mentee"])
    assert (profile.site, profile.unit, profile.superior_id) == (
        "Hôpital de Gaspé",
        "Urgence",
        new_manager.pk,
    )
    transfer = Transfer.objects.get(pairing=active)
    assert transfer.moved_by == cast["manager"] and transfer.from_superior == cast["manager"]
    active.refresh_from_db()
    assert active.state == PairingState.ACTIVE
    # The former manager no longer sees the pairing; the new one does.
    assert manager.get(transfer_url(active)).status_code == 404
    assert login(new_manager).get(transfer_url(active)).status_code == 200


def test_a_transfer_under_the_mentor_is_refused_and_changes_nothing(login, cast, active):
    manager = login(cast["manager"])
    response = manager.post(transfer_url(active), {"superior": cast["mentor"].pk})
    assert response.status_code == 400
    assert "never the mentee" in response.content.decode().replace("&#x27;", "'")
    assert ParticipantProfile.objects.get(user=cast["mentee"]).superior == cast["manager"]
    assert not Transfer.objects.exists()
    response = manager.post(transfer_url(active), {"superior": "9" * 30})
    assert response.status_code == 400 and not Transfer.objects.exists()
    profile = ParticipantProfile.objects.get(user=cast["mentee"])
    same = {"site": profile.site, "unit": profile.unit}
    response = manager.post(transfer_url(active), same)  # nothing changes: said so
    assert response.status_code == 400 and "Nothing changes" in response.content.decode()


def test_a_closed_pairing_offers_no_transfer_and_says_why(login, cast, active):
    Pairing.objects.filter(pk=active.pk).update(state=PairingState.CLOSED)
    manager = login(cast["manager"])
    assert (
        transfer_url(active)
        not in manager.get(reverse("wagtail_mentorat:manager")).content.decode()
    )
    response = manager.get(transfer_url(active))
    assert "cannot be transferred now" in response.content.decode()
    assert 'name="site"' not in response.content.decode()
    manager.post(transfer_url(active), {"unit": "Ailleurs"})
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("who", ["director", "mentee", "mentor", "mentor2"])
def test_anyone_but_the_manager_gets_a_404(login, cast, active, who):
    client = login(cast[who])
    assert client.get(transfer_url(active)).status_code == 404
    assert client.post(transfer_url(active), {"unit": "Ailleurs"}).status_code == 404
    assert not Transfer.objects.exists()
    assert not PairingMember.objects.filter(pairing=active, user=cast[who]).exists() or who in (
        "mentee",
        "mentor",
    )
