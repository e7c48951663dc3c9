"""Loading a cohort (issue 17): areas of expertise and requests from CSV, all or nothing,
one mentee's suggestions from the command line, and capacity 0 (a willing mentor who
takes no new mentee now) the same in the import, the rules, suggestions and the cohort."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from tests.mentorat.conftest import ProgrammeFactory, person
from wagtail_mentorat import lifecycle, rules
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.imports import import_profiles
from wagtail_mentorat.imports.areas import import_areas
from wagtail_mentorat.imports.requests import import_requests
from wagtail_mentorat.matching import adapter, scoring
from wagtail_mentorat.models import ExpertiseArea, MentoringRequest, ParticipantProfile, Programme

from .conftest import HEADER, csv_file

pytestmark = pytest.mark.django_db
UserModel = get_user_model()

REQUESTS = "email,programme,need,goals,urgency,expertise"


@pytest.fixture
def cohort(db):
    crisis = ExpertiseArea.objects.create(name="Intervention de crise")
    coordinator = person("coordo", discipline="Gestion")
    coordinator.user_permissions.add(Permission.objects.get(codename="coordinate_programme"))
    programme = ProgrammeFactory(
        name="Accueil des nouveaux", who_pairs=Programme.WhoPairs.BOTH, coordinators=[coordinator]
    )
    other = ProgrammeFactory(name="Autre service", coordinators=[])
    for name in ("alice", "bruno"):
        account = person(name, years_experience=1)
        account.email = f"{name}@example.org"
        account.save()
    return {"programme": programme, "other": other, "coordinator": coordinator, "crisis": crisis}


# --- areas of expertise -----------------------------------------------------------------------


def test_areas_import_adds_updates_and_leaves_alone():
    ExpertiseArea.objects.create(name="Gérontologie", description="ancienne")
    ExpertiseArea.objects.create(name="Gestion", description="gardée")
    data = csv_file(
        "Santé mentale,Troubles anxieux et dépressifs",
        "gérontologie,Personnes âgées",  # the case differs: the same area
        "Gestion,",  # an empty description keeps the current one
        header="name,description",
    )
    dry = import_areas(data, dry_run=True)
    assert (dry.ok, dry.created, dry.updated, dry.unchanged) == (True, 1, 1, 1)
    assert "would add 1 area of expertise" in dry.summary()
    assert not ExpertiseArea.objects.filter(name="Santé mentale").exists()
    done = import_areas(data)
    assert done.written and "1 area of expertise added, 1 updated, 1 unchanged" in done.summary()
    assert ExpertiseArea.objects.get(name="Gérontologie").description == "Personnes âgées"
    assert ExpertiseArea.objects.get(name="Gestion").description == "gardée"
    assert ExpertiseArea.objects.filter(name="Santé mentale").exists()


def test_areas_import_is_all_or_nothing_and_says_where():
    data = csv_file(
        "Santé mentale,",
        "santé mentale,deux fois",
        f"{'x' * 121},trop long",
        ",sans nom",
        header="name,description",
    )
    result = import_areas(data)
    assert [(e.row, e.column) for e in result.errors] == [(3, "name"), (4, "name"), (5, "name")]
    assert "already appears on line 2" in str(result.errors[0])
    assert not ExpertiseArea.objects.exists()
    assert import_areas(csv_file(header="name,description")).errors


def test_areas_import_refuses_an_unknown_column():
    result = import_areas(csv_file("Santé,x", header="nom,description"))
    assert {e.column for e in result.errors} == {"nom", "name"}


# --- requests ---------------------------------------------------------------------------------


def test_requests_import_opens_each_request_through_the_lifecycle(cohort):
    data = csv_file(
        "alice@example.org,Accueil des nouveaux,Gérer des crises,Devenir autonome,urgent,"
        "Intervention de crise",
        f"BRUNO@example.org,{cohort['programme'].pk},Premier emploi,,,",
        header=REQUESTS,
    )
    dry = import_requests(data, cohort["coordinator"], dry_run=True)
    assert dry.ok and dry.created == 2 and "would open 2 requests" in dry.summary()
    assert not MentoringRequest.objects.exists()
    done = import_requests(data, cohort["coordinator"])
    assert done.written and "2 requests opened" in done.summary()
    alice = MentoringRequest.objects.get(mentee__username="alice")
    assert alice.programme == cohort["programme"] and alice.opened_by == cohort["coordinator"]
    assert alice.urgency == MentoringRequest.Urgency.URGENT
    assert list(alice.expertise.all()) == [cohort["crisis"]]
    assert ParticipantProfile.objects.get(user__username="alice").goals == "Devenir autonome"
    bruno = MentoringRequest.objects.get(mentee__username="bruno")
    assert bruno.urgency == MentoringRequest.Urgency.NORMAL and bruno.need == "Premier emploi"


def test_requests_import_refuses_bad_lines_and_writes_nothing(cohort):
    data = csv_file(
        "alice@example.org,Accueil des nouveaux,Besoin,,,",
        "personne@example.org,Accueil des nouveaux,Besoin,,,",
        "bruno@example.org,Autre service,Besoin,,,",  # not this coordinator's programme
        "bruno@example.org,999999999999999999999,Besoin,,,",
        "bruno@example.org,Accueil des nouveaux,,,peut-être,Inconnu",
        "alice@example.org,accueil des nouveaux,Encore,,,",
        header=REQUESTS,
    )
    result = import_requests(data, cohort["coordinator"])
    where = [(e.row, e.column) for e in result.errors]
    assert where == [
        (3, "email"),
        (4, "programme"),
        (5, "programme"),
        (6, "need"),
        (6, "urgency"),
        (6, "expertise"),
        (7, "email"),
    ]
    messages = " ".join(str(e) for e in result.errors)
    assert "No programme you coordinate" in messages  # the same for another's and none
    assert "import the person first" in messages
    assert not MentoringRequest.objects.exists()


def test_a_line_the_rules_refuse_rolls_back_the_whole_file(cohort):
    lifecycle.open_request(cohort["programme"], *[person_of("bruno")] * 2, "Déjà ouverte")
    data = csv_file(
        "alice@example.org,Accueil des nouveaux,Besoin,,,",
        "bruno@example.org,Accueil des nouveaux,Besoin,,,",
        header=REQUESTS,
    )
    result = import_requests(data, cohort["coordinator"])
    assert [(e.row, e.column) for e in result.errors] == [(3, "")]
    assert "already waiting for a mentor" in str(result.errors[0])
    assert result.created == 0
    assert not MentoringRequest.objects.filter(mentee__username="alice").exists()


def test_a_closed_programme_refuses_its_lines(cohort):
    Programme.objects.filter(pk=cohort["programme"].pk).update(is_active=False)
    data = csv_file("alice@example.org,Accueil des nouveaux,Besoin,,,", header=REQUESTS)
    result = import_requests(data, cohort["coordinator"])
    assert "closed to new requests" in str(result.errors[0])
    assert not MentoringRequest.objects.exists()


def test_request_command_needs_a_coordinator(cohort, tmp_path):
    path = tmp_path / "demandes.csv"
    path.write_bytes(csv_file("alice@example.org,Accueil des nouveaux,Besoin,,,", header=REQUESTS))
    with pytest.raises(CommandError, match="coordinator"):
        call_command("mentorat_import", str(path), kind="requests")
    with pytest.raises(CommandError, match="coordinator"):
        call_command("mentorat_import", str(path), kind="requests", by="alice")
    call_command("mentorat_import", str(path), kind="requests", by="coordo")
    assert MentoringRequest.objects.filter(mentee__username="alice").count() == 1


def test_area_command(tmp_path, capsys):
    path = tmp_path / "domaines.csv"
    path.write_bytes(csv_file("Santé mentale,", header="name,description"))
    call_command("mentorat_import", str(path), kind="areas", dry_run=True)
    assert not ExpertiseArea.objects.exists()
    call_command("mentorat_import", str(path), kind="areas")
    assert ExpertiseArea.objects.filter(name="Santé mentale").exists()
    assert "1 area of expertise added" in capsys.readouterr().out


# --- one mentee's suggestions -----------------------------------------------------------------


def test_suggest_command_prints_the_ranked_mentors_and_the_excluded(cohort, capsys):
    mentor = person("mentor", years_experience=12, is_mentor=True)
    mentor.mentorat_profile.expertise.add(cohort["crisis"])
    boss = person("chef", years_experience=15, is_mentor=True)
    alice = person_of("alice")
    ParticipantProfile.objects.filter(user=alice).update(superior=boss)
    lifecycle.open_request(
        cohort["programme"], alice, alice, "Crises", expertise=[cohort["crisis"]]
    )
    call_command("mentorat_suggest", "ALICE@example.org")
    out = capsys.readouterr().out
    assert "1. Prénom" in out and "1 area of expertise out of 1 covered" in out
    assert "Excluded:" in out and "in the mentee's line of management" in out
    with pytest.raises(CommandError, match="no request waiting"):
        call_command("mentorat_suggest", "bruno@example.org")
    with pytest.raises(CommandError, match="Nobody"):
        call_command("mentorat_suggest", "nobody@example.org")


def test_suggest_command_asks_which_programme(cohort):
    alice = person_of("alice")
    cohort["other"].coordinators.add(cohort["coordinator"])
    for programme in (cohort["programme"], cohort["other"]):
        lifecycle.open_request(programme, alice, alice, "Besoin")
    with pytest.raises(CommandError, match="--programme"):
        call_command("mentorat_suggest", "alice@example.org")
    call_command("mentorat_suggest", "alice@example.org", programme=str(cohort["other"].pk))
    with pytest.raises(CommandError, match="no request waiting"):
        call_command("mentorat_suggest", "alice@example.org", programme="abc")


# --- capacity 0 -------------------------------------------------------------------------------


def person_of(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_capacity_zero_means_no_new_mentee_everywhere(cohort):
    programme = cohort["programme"]
    assert programme.mentor_capacity == 2
    full = person("complet", years_experience=12, is_mentor=True, mentor_capacity=0)
    default = person("defaut", years_experience=12, is_mentor=True, mentor_capacity=None)
    assert rules.mentor_capacity(programme, full.mentorat_profile) == 0
    assert rules.mentor_capacity(programme, default.mentorat_profile) == 2
    alice = person_of("alice")
    request = lifecycle.open_request(programme, alice, alice, "Besoin")
    # Rules
    errors = rules.pairing_errors(programme, [alice], [full])
    assert any("accompanies 0 of 0 mentees" in str(error) for error in errors)
    assert not rules.pairing_errors(programme, [alice], [default])
    # Suggestions
    best, excluded = adapter.suggestions(request)
    assert [fit.mentor.id for fit in best] == [default.pk]
    assert (full.pk, scoring.CAPACITY) in {(mentor.id, code) for mentor, code in excluded}
    # Cohort
    result, _by_mentee, _mentors = adapter.propose_cohort(programme)
    assert {mentor.id for _mentee, mentor, _score in result.pairs} == {default.pk}
    # Assignment through the lifecycle refuses too
    with pytest.raises(RuleViolation, match="no free place"):
        adapter.assign(request, full, cohort["coordinator"])


def test_import_accepts_capacity_zero_and_keeps_empty_as_the_default():
    data = csv_file(
        "zero@example.org,,,,,,,,,,0,5,oui",
        "vide@example.org,,,,,,,,,,,5,oui",
        "neg@example.org,,,,,,,,,,-1,5,oui",
        header=HEADER,
    )
    result = import_profiles(data)
    assert [(e.row, e.column) for e in result.errors] == [(4, "mentor_capacity")]
    result = import_profiles(data.replace(b"\r\nneg@example.org,,,,,,,,,,-1,5,oui", b""))
    assert result.written
    assert ParticipantProfile.objects.get(user__email="zero@example.org").mentor_capacity == 0
    assert ParticipantProfile.objects.get(user__email="vide@example.org").mentor_capacity is None


# --- the admin screen ---------------------------------------------------------------------------


def post_import(client, kind, data, dry_run):
    form = {"kind": kind, "file": SimpleUploadedFile("cohorte.csv", data, content_type="text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    return client.post("/admin/mentorat/importer/", form)


def test_the_import_screen_loads_requests_and_areas(cohort):
    coordinator = cohort["coordinator"]
    coordinator.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(coordinator)
    response = client.get("/admin/mentorat/importer/?kind=requests")
    assert response.context["form"]["kind"].value() == "requests"
    page = response.content.decode()
    assert 'type="radio" name="kind" value="areas"' in page
    assert "<code>programme</code>" in page and "<code>description</code>" in page

    line = "alice@example.org,Accueil des nouveaux,Gérer des crises,,urgent,"
    dry = post_import(client, "requests", csv_file(line, header=REQUESTS), dry_run=True)
    assert dry.context["result"].created == 1
    assert "ouvrirait 1 demande." in dry.content.decode()  # the coordinator's French
    assert not MentoringRequest.objects.exists()
    post_import(client, "requests", csv_file(line, header=REQUESTS), dry_run=False)
    assert MentoringRequest.objects.get().urgency == MentoringRequest.Urgency.URGENT

    # Another coordinator's programme: the line is refused and nothing is written.
    other = f"bruno@example.org,{cohort['other'].pk},Besoin,,,"
    refused = post_import(client, "requests", csv_file(other, header=REQUESTS), dry_run=False)
    assert [error.column for error in refused.context["result"].errors] == ["programme"]
    assert "Aucun programme que vous coordonnez" in refused.content.decode()
    assert MentoringRequest.objects.count() == 1

    areas = csv_file("Soins palliatifs,Fin de vie", header="name,description")
    post_import(client, "areas", areas, dry_run=False)
    assert ExpertiseArea.objects.get(name="Soins palliatifs").description == "Fin de vie"
    unknown = post_import(client, "everything", areas, dry_run=False)
    assert unknown.status_code == 200 and "kind" in unknown.context["form"].errors


def test_a_participant_cannot_post_a_cohort(cohort):
    client = Client()
    client.force_login(UserModel.objects.get(username="alice"))
    data = csv_file("alice@example.org,Accueil des nouveaux,Besoin,,,", header=REQUESTS)
    response = post_import(client, "requests", data, dry_run=False)
    assert response.status_code == 302  # to the admin login: no admin access
    assert not MentoringRequest.objects.exists()
