"""The CSV import: every line checked before anything is written, then all or nothing."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import ModelLogEntry

from tests.imports.conftest import csv_file
from tests.mentorat.conftest import UserFactory, person
from wagtail_mentorat.imports import RowError, import_profiles
from wagtail_mentorat.models import ParticipantProfile

pytestmark = pytest.mark.django_db
User = get_user_model()

MANAGER = (
    "gestionnaire@cisss.example,Louise,Gagnon,Gestion,CLSC de Limoilou,SAPA,,Gestion,,fr,,20,non"
)
MENTOR = (
    "marie.tremblay@cisss.example,Marie,Tremblay,Travail social,CLSC de Limoilou,SAPA,"
    "gestionnaire@cisss.example,Évaluation du fonctionnement social;Intervention de groupe,"
    ",fr;en,3,15,oui"
)
MENTEE = (
    "jean.roy@cisss.example,Jean,Roy,Travail social,CLSC Orléans,SAPA,"
    "gestionnaire@cisss.example,,Mieux évaluer le fonctionnement social,fr,,1,"
)


def errors_of(result):
    return [(error.row, error.column) for error in result.errors]


def test_import_creates_accounts_and_profiles(areas):
    result = import_profiles(csv_file(MANAGER, MENTOR, MENTEE))

    assert result.ok and result.written
    assert (result.users_created, result.profiles_created) == (3, 3)
    marie = User.objects.get(email="marie.tremblay@cisss.example")
    assert marie.username == "marie.tremblay"
    assert (marie.first_name, marie.last_name) == ("Marie", "Tremblay")
    assert not marie.has_usable_password()
    profile = marie.mentorat_profile
    assert profile.superior.email == "gestionnaire@cisss.example"
    assert profile.is_mentor and profile.mentor_capacity == 3 and profile.years_experience == 15
    assert profile.languages == "fr, en"
    assert set(profile.expertise.values_list("name", flat=True)) == {
        "Évaluation du fonctionnement social",
        "Intervention de groupe",
    }
    jean = ParticipantProfile.objects.get(user__email="jean.roy@cisss.example")
    assert not jean.is_mentor and jean.mentor_capacity is None
    assert jean.goals == "Mieux évaluer le fonctionnement social"


def test_dry_run_writes_nothing_and_counts_what_it_would_do(areas):
    users_before = User.objects.count()

    result = import_profiles(csv_file(MANAGER, MENTOR, MENTEE), dry_run=True)

    assert result.ok and not result.written
    assert (result.users_created, result.profiles_created) == (3, 3)
    assert "would create 3 account(s)" in result.summary()
    assert User.objects.count() == users_before
    assert not ParticipantProfile.objects.exists()


def test_dry_run_lists_every_lines_errors_and_writes_nothing(areas):
    result = import_profiles(
        csv_file(
            MANAGER,
            "pas-un-courriel,A,B,,,,,,,,-2,,",
            "c@cisss.example,C,D,,,,inconnu@cisss.example,Astrologie,,fr,1.5,71,peut-être",
        ),
        dry_run=True,
    )

    assert errors_of(result) == [
        (3, "email"),
        (3, "mentor_capacity"),
        (4, "superior_email"),
        (4, "expertise"),
        (4, "mentor_capacity"),
        (4, "years_experience"),
        (4, "is_mentor"),
    ]
    assert not User.objects.filter(email__endswith="cisss.example").exists()


def test_one_bad_line_writes_nothing(areas):
    result = import_profiles(csv_file(MANAGER, MENTOR, MENTEE.replace(",1,", ",-1,")))

    assert errors_of(result) == [(4, "years_experience")]
    assert not result.written
    assert not User.objects.filter(email__endswith="cisss.example").exists()
    assert not ParticipantProfile.objects.exists()


def test_missing_required_column_is_refused():
    result = import_profiles(csv_file("Marie,Tremblay", header="first_name,last_name"))

    assert result.errors == [RowError(1, "email", "This column is required and missing.")]


def test_unknown_and_repeated_columns_are_refused():
    result = import_profiles(csv_file("a@x.example,1,A", header="email,matricule,EMAIL"))

    assert errors_of(result) == [(1, "matricule"), (1, "email")]


def test_optional_columns_may_be_left_out():
    result = import_profiles(csv_file("a@x.example", "b@x.example", header="email"))

    assert result.ok and result.profiles_created == 2
    assert ParticipantProfile.objects.get(user__email="a@x.example").languages == "fr"


def test_unknown_superior_is_refused():
    result = import_profiles(
        csv_file("a@x.example,nobody@x.example", header="email,superior_email")
    )

    assert errors_of(result) == [(2, "superior_email")]
    assert "nobody@x.example" in result.errors[0].message


def test_superior_may_be_an_existing_account():
    boss = UserFactory(username="patronne", email="Patronne@X.example")

    result = import_profiles(
        csv_file("a@x.example,patronne@x.example", header="email,superior_email")
    )

    assert result.ok
    assert ParticipantProfile.objects.get(user__email="a@x.example").superior == boss


def test_a_person_cannot_be_their_own_superior():
    result = import_profiles(csv_file("a@x.example,A@x.example", header="email,superior_email"))

    assert errors_of(result) == [(2, "superior_email")]
    assert "own superior" in result.errors[0].message


def test_cycle_in_the_file_is_refused_on_each_of_its_lines():
    result = import_profiles(
        csv_file(
            "a@x.example,b@x.example",
            "b@x.example,c@x.example",
            "c@x.example,a@x.example",
            "d@x.example,a@x.example",
            header="email,superior_email",
        )
    )

    assert errors_of(result) == [
        (2, "superior_email"),
        (3, "superior_email"),
        (4, "superior_email"),
    ]
    assert "a@x.example → b@x.example → c@x.example → a@x.example" in result.errors[0].message
    assert not User.objects.exists()


def test_cycle_through_existing_profiles_is_refused():
    director = person("directrice")
    manager = person("gestionnaire", superior=director)
    User.objects.filter(pk=director.pk).update(email="directrice@x.example")
    User.objects.filter(pk=manager.pk).update(email="gestionnaire@x.example")

    # The director would report to the manager, who reports to the director.
    result = import_profiles(
        csv_file("directrice@x.example,gestionnaire@x.example", header="email,superior_email")
    )

    assert errors_of(result) == [(2, "superior_email")]
    assert "cycle" in result.errors[0].message
    assert ParticipantProfile.objects.get(user=director).superior is None


def test_duplicate_email_is_refused_whatever_its_case():
    result = import_profiles(csv_file("a@x.example,A", "A@X.example,B", header="email,first_name"))

    assert result.errors == [RowError(3, "email", "This email already appears on line 2.")]


@pytest.mark.parametrize("capacity", ["-1", "2.5", "trois", "51"])
def test_capacity_must_be_a_whole_number_from_0_to_50(capacity):
    result = import_profiles(csv_file(f"a@x.example,{capacity}", header="email,mentor_capacity"))

    assert errors_of(result) == [(2, "mentor_capacity")]


@pytest.mark.parametrize(
    "value,expected",
    [("OUI", True), ("yes", True), ("1", True), ("non", False), ("0", False), ("", False)],
)
def test_is_mentor_accepts_french_and_english(value, expected):
    result = import_profiles(csv_file(f"a@x.example,{value}", header="email,is_mentor"))

    assert result.ok
    assert ParticipantProfile.objects.get(user__email="a@x.example").is_mentor is expected


def test_unknown_expertise_is_refused_and_names_match_without_case(areas):
    result = import_profiles(
        csv_file("a@x.example,gestion;Astrologie;Numérologie", header="email,expertise")
    )

    assert errors_of(result) == [(2, "expertise")]
    assert "“Astrologie”, “Numérologie”" in result.errors[0].message
    assert "Gestion" not in result.errors[0].message


def test_non_utf8_file_is_refused_with_its_line():
    data = csv_file(
        "a@x.example,Andre", "b@x.example,Hélène", header="email,first_name", encoding="latin-1"
    )

    result = import_profiles(data)

    assert errors_of(result) == [(3, "")]
    assert "UTF-8" in result.errors[0].message
    assert not User.objects.exists()


def test_semicolon_delimiter_and_bom_are_accepted(areas):
    data = b"\xef\xbb\xbf" + csv_file(
        'a@x.example;Hélène;Gestion;"fr;en"', header="email;first_name;expertise;languages"
    )

    result = import_profiles(data)

    assert result.ok, result.errors
    profile = ParticipantProfile.objects.get(user__email="a@x.example")
    assert profile.user.first_name == "Hélène"
    assert profile.languages == "fr, en"
    assert list(profile.expertise.values_list("name", flat=True)) == ["Gestion"]


def test_username_is_the_local_part_made_unique():
    UserFactory(username="marie")

    import_profiles(
        csv_file("marie@x.example", "Marie@y.example", "o'brien@x.example", header="email")
    )

    assert set(
        User.objects.filter(email__isnull=False)
        .exclude(email="")
        .values_list("username", flat=True)
    ) == {"marie2", "Marie3", "obrien"}


def test_importing_again_updates_only_what_changed(areas):
    import_profiles(csv_file(MANAGER, MENTOR))

    result = import_profiles(csv_file(MANAGER, MENTOR.replace(",3,15,", ",4,15,")))

    assert (result.users_created, result.profiles_created) == (0, 0)
    assert (result.profiles_updated, result.unchanged) == (1, 1)
    assert ParticipantProfile.objects.get(user__username="marie.tremblay").mentor_capacity == 4


def test_empty_name_keeps_the_account_name_and_absent_columns_keep_values():
    user = UserFactory(username="marie", email="marie@x.example", first_name="Marie")
    profile = ParticipantProfile.objects.create(user=user, discipline="Travail social", site="A")

    result = import_profiles(csv_file("marie@x.example,,B", header="email,first_name,site"))

    assert result.ok and result.profiles_updated == 1 and result.users_updated == 0
    profile.refresh_from_db()
    assert (profile.user.first_name, profile.discipline, profile.site) == (
        "Marie",
        "Travail social",
        "B",
    )


def test_import_is_recorded_in_the_profiles_history():
    coordinator = UserFactory(username="coordo")

    import_profiles(csv_file("a@x.example", header="email"), user=coordinator)

    entry = ModelLogEntry.objects.get(action="wagtail.create")
    assert entry.user == coordinator
    assert entry.object_id == str(ParticipantProfile.objects.get().pk)


def test_file_without_person_lines_is_refused():
    result = import_profiles(csv_file(header="email"))

    assert errors_of(result) == [(1, "")]


def test_line_with_more_cells_than_columns_is_refused():
    result = import_profiles(csv_file("a@x.example,A,surplus", header="email,first_name"))

    assert errors_of(result) == [(2, "")]


def test_superior_that_is_not_an_email_is_refused_and_the_other_lines_still_checked():
    result = import_profiles(
        csv_file(
            "a@x.example,pas-un-courriel",
            "b@x.example,c@x.example",
            "c@x.example,b@x.example",
            header="email,superior_email",
        )
    )

    assert errors_of(result) == [
        (2, "superior_email"),
        (3, "superior_email"),
        (4, "superior_email"),
    ]
    assert "cycle" in result.errors[1].message
