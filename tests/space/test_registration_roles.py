"""Registration as a short first step per role (issue 18): who registers, then only what
that role needs; bad input gives the error summary; forged roles and ids answer cleanly."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.utils import timezone
from wagtail.models import Locale, Site

from wagtail_mentorat.models import (
    ExpertiseArea,
    MentoringRequest,
    MentorOffer,
    ParticipantProfile,
    Programme,
    RegistrationPage,
)

from .conftest import person

pytestmark = pytest.mark.django_db

ROLE_FIELDS = {
    "mentee": {
        "programme", "need", "urgency", "kind", "expertise", "goals", "availability",
        "years_experience", "discipline", "site", "unit", "consent",
    },
    "mentor": {
        "programme", "years_experience", "expertise", "mentor_capacity", "goals",
        "availability", "discipline", "site", "unit", "consent",
    },
    "for_staff": {"staff_member", "programme", "need", "urgency", "kind", "expertise"},
}  # fmt: skip
HOSTILE_IDS = ["0", "-1", "abc", "1e3", "9" * 30, "6f1c1c1e-6d2a-4c3e-9a55-0d8f5b0a2c11"]


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


@pytest.fixture
def english(page):
    """The page's English translation: a French page is always served in French."""
    locale, _created = Locale.objects.get_or_create(language_code="en")
    translated = page.copy_for_translation(locale, copy_parents=True)
    translated.title, translated.slug = "I want to sign up", "sign-up"
    translated.save_revision().publish()
    translated.refresh_from_db()
    return translated


@pytest.fixture
def area(db):
    return ExpertiseArea.objects.create(name="Soins de plaies")


def _in(client, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client


def _html(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def _names(soup):
    """The names of the fields the registration form offers (not its role nor token)."""
    form = soup.select_one("form.mentorat-registration")
    assert form is not None
    names = {tag["name"] for tag in form.select("input, select, textarea") if tag.get("name")}
    return names - {"csrfmiddlewaretoken", "role"}


def _summary(soup):
    """The summary's heading and its (link, text) items."""
    summary = soup.select_one(".mentorat-error-summary")
    assert summary is not None, "no error summary"
    assert summary["tabindex"] == "-1" and summary.has_attr("autofocus")
    heading = summary.find("h2")
    assert summary["aria-labelledby"] == heading["id"]
    items = [
        (li.a["href"] if li.a else None, li.get_text(" ", strip=True))
        for li in summary.select("li")
    ]
    return heading.get_text(strip=True), items


# --- the first step --------------------------------------------------------------------------


def test_the_first_step_asks_only_who_registers(cast, programme, page, login):
    soup = _html(_in(login(cast["mentee"]), "fr").get(page.url))
    form = soup.select_one("form.mentorat-role-choice")
    assert form["method"] == "get"  # no script needed: ?role= is the second step
    assert [i["value"] for i in form.select("input[name=role]")] == ["mentee", "mentor"]
    assert not soup.select("[name=need], [name=consent], [name=mentor_capacity]")
    assert "Étape 1 sur 2" in soup.get_text()


def test_a_manager_is_offered_to_register_a_member_of_their_staff(cast, programme, page, login):
    soup = _html(login(cast["manager"]).get(page.url))
    roles = [i["value"] for i in soup.select("form.mentorat-role-choice input[name=role]")]
    assert roles == ["mentee", "mentor", "for_staff"]
    assert not soup.select_one("input[name=role][checked]")  # a profile is no registration


def test_a_person_who_registered_finds_their_role_chosen(cast, programme, page, login):
    client = login(cast["mentor"])
    data = {"role": "mentor", "programme": programme.pk, "years_experience": 15, "consent": "on"}
    assert client.post(page.url, data).status_code == 302
    soup = _html(client.get(page.url))
    assert soup.select_one("input[name=role][checked]")["value"] == "mentor"


@pytest.mark.parametrize("role", ["mentee", "mentor", "for_staff"])
def test_each_role_is_asked_only_what_it_needs(cast, programme, page, login, area, role):
    soup = _html(_in(login(cast["manager"]), "fr").get(f"{page.url}?role={role}"))
    assert _names(soup) == ROLE_FIELDS[role]
    assert soup.select_one("input[type=hidden][name=role]")["value"] == role
    assert soup.select_one("#registration-step a")["href"] == page.url  # change the answer


def test_a_manager_registering_staff_never_sees_the_staff_member_s_own_questions(
    cast, programme, page, login, area
):
    soup = _html(_in(login(cast["manager"]), "fr").get(f"{page.url}?role=for_staff"))
    text = soup.select_one("form.mentorat-registration").get_text()
    assert "Mes besoins" not in text and "Ses besoins" in text
    assert "Combien de mentorés" not in text and "mentor_capacity" not in str(soup)
    assert not soup.select("[name=consent], [name=goals], #privacy-notice")
    options = [o.get_text() for o in soup.select("select[name=staff_member] option")]
    assert options == ["—", cast["mentee"].get_full_name()]  # their own staff only


def test_the_mentee_and_mentor_steps_name_the_areas_for_their_role(
    cast, programme, page, english, login, area
):
    client = _in(login(cast["mentee"]), "en")
    mentee = _html(client.get(f"{english.url}?role=mentee")).select_one("#id_expertise").parent
    mentor = _html(client.get(f"{english.url}?role=mentor")).select_one("#id_expertise").parent
    assert "Areas where I need support" in mentee.get_text()
    assert "Areas I master" in mentor.get_text()


def test_the_first_step_takes_few_queries(
    cast, programme, page, login, django_assert_max_num_queries
):
    client = login(cast["manager"])
    client.get(page.url)  # warm the site and page caches
    with django_assert_max_num_queries(18):  # 16 today: the site, page and user
        client.get(page.url)


# --- registering through the steps ------------------------------------------------------------


def test_a_mentor_registers_without_being_asked_a_need(cast, programme, page, login, area):
    data = {
        "role": "mentor",
        "programme": programme.pk,
        "years_experience": 12,
        "mentor_capacity": 2,
        "expertise": [area.pk],
        "consent": "on",
    }
    response = login(cast["mentor"]).post(f"{page.url}?role=mentor", data)
    assert response.status_code == 302
    profile = ParticipantProfile.objects.get(user=cast["mentor"])
    assert profile.is_mentor and profile.mentor_capacity == 2 and profile.consent_version == "v3"
    assert list(profile.expertise.all()) == [area]
    assert MentorOffer.objects.filter(mentor=cast["mentor"]).count() == 1
    assert not MentoringRequest.objects.exists()


def test_a_new_mentor_s_registration_waits_for_a_coordinator(programme, page, login):
    """The mentor pool (issue 17): registering applies; a coordinator approves."""
    from wagtail_mentorat.matching import adapter

    newcomer = person("nouvelle-mentore", years_experience=12, pool=False)
    response = login(newcomer).post(f"{page.url}?role=mentor", _mentor_data(programme))
    assert response.status_code == 302
    offer = MentorOffer.objects.get(mentor=newcomer)
    assert offer.programme == programme and offer.status == MentorOffer.Status.APPLIED
    assert newcomer.pk not in {mentor.id for mentor in adapter.load_mentors(programme)}


def test_a_manager_s_registration_ignores_a_smuggled_consent_and_profile(
    cast, programme, page, login
):
    data = {
        "role": "for_staff",
        "staff_member": cast["mentee"].pk,
        "programme": programme.pk,
        "need": "Évaluer un risque",
        "urgency": "normal",
        "kind": "individual",
        "consent": "on",
        "goals": "Pas les siens",
        "mentor_capacity": "5",
    }
    assert login(cast["manager"]).post(page.url, data).status_code == 302
    request = MentoringRequest.objects.get()
    assert (request.mentee, request.opened_by) == (cast["mentee"], cast["manager"])
    staff = ParticipantProfile.objects.get(user=cast["mentee"])
    assert staff.consent_at is None and staff.registered_by == cast["manager"]
    assert staff.goals != "Pas les siens"
    manager = ParticipantProfile.objects.get(user=cast["manager"])
    assert manager.consent_at is None and not manager.is_mentor


# --- bad input: the summary ------------------------------------------------------------------


def test_bad_input_gives_a_summary_linking_each_error_in_french(cast, programme, page, login):
    client = _in(login(cast["mentee"]), "fr")
    response = client.post(page.url, {"role": "mentee", "programme": programme.pk})
    soup = _html(response)
    heading, items = _summary(soup)
    assert heading == "Il y a 4 erreurs dans ce formulaire"
    links = [href for href, _text in items]
    assert links == ["#id_need", "#id_urgency", "#id_kind", "#id_consent"]
    assert "Mes besoins : Décrivez le besoin en quelques mots." in items[0][1]
    for href in links:
        field = soup.select_one(href)
        assert field is not None, href
        assert field["aria-invalid"] == "true"
        error = soup.select_one(f"{href}_error")
        assert error is not None and f"{href[1:]}_error" in field["aria-describedby"].split()
    assert not MentoringRequest.objects.exists()


def test_one_error_is_said_in_the_singular_in_english(cast, programme, page, english, login):
    client = _in(login(cast["mentor"]), "en")
    data = {"role": "mentor", "programme": programme.pk, "consent": "on"}
    heading, items = _summary(_html(client.post(english.url, data)))
    assert heading == "There is 1 error in this form"
    assert items == [
        ("#id_years_experience", "Years of experience: Say how many years of experience you have.")
    ]
    assert not MentorOffer.objects.filter(status=MentorOffer.Status.APPLIED).exists()


def test_an_option_group_is_reached_by_its_first_option(cast, programme, page, login, area):
    data = {"role": "mentee", "programme": programme.pk, "need": "Aide", "urgency": "normal",
            "kind": "individual", "consent": "on", "expertise": ["9" * 30]}  # fmt: skip
    soup = _html(_in(login(cast["mentee"]), "fr").post(page.url, data))
    _heading, items = _summary(soup)
    assert [href for href, _text in items] == ["#id_expertise_0"]
    assert soup.select_one("#id_expertise_0")["value"] == str(area.pk)
    assert not MentoringRequest.objects.exists()


def test_a_rule_refused_by_the_lifecycle_is_in_the_summary(cast, programme, page, english, login):
    data = {"role": "for_staff", "staff_member": cast["mentee"].pk, "programme": programme.pk,
            "need": "Aide", "urgency": "normal", "kind": "individual"}  # fmt: skip
    client = _in(login(cast["manager"]), "en")
    assert client.post(english.url, data).status_code == 302
    _heading, items = _summary(_html(client.post(english.url, data)))  # the same request again
    assert items == [(None, "A request for this programme is already waiting for a mentor.")]
    assert MentoringRequest.objects.count() == 1


# --- forged input ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["boss", "", "for_staff"])
def test_a_forged_role_answers_the_first_step_with_its_error(
    cast, programme, page, english, login, role
):
    client = _in(login(cast["mentee"]), "en")  # not a manager: for_staff is not theirs
    for response in (
        client.get(f"{english.url}?role={role}"),
        client.post(
            english.url,
            {
                "role": role,
                "staff_member": cast["mentor"].pk,
                "programme": programme.pk,
                "need": "x",
                "urgency": "normal",
                "kind": "individual",
            },
        ),
    ):
        soup = _html(response)
        assert soup.select_one("form.mentorat-role-choice") is not None
        assert not soup.select("form.mentorat-registration")
        heading, items = _summary(soup)
        assert heading == "There is 1 error in this form"
        assert [href for href, _text in items] == ["#id_role_0"]
    assert not MentoringRequest.objects.exists()


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize("role", ["mentee", "for_staff"])
def test_a_forged_programme_or_staff_id_is_a_form_error(cast, programme, page, login, role, value):
    data = {"role": role, "programme": value, "need": "Aide", "urgency": "normal",
            "kind": "individual", "consent": "on", "staff_member": cast["mentee"].pk}  # fmt: skip
    client = login(cast["manager"])
    _heading, items = _summary(_html(client.post(page.url, data)))
    assert [href for href, _text in items] == ["#id_programme"]
    if role == "for_staff":
        data.update(programme=programme.pk, staff_member=value)
        _heading, items = _summary(_html(client.post(page.url, data)))
        assert [href for href, _text in items] == ["#id_staff_member"]
    assert not MentoringRequest.objects.exists()


def test_a_closed_programme_cannot_be_chosen(cast, programme, page, login):
    closed = Programme.objects.create(name="Ancien programme", is_active=False)
    client = login(cast["mentee"])
    soup = _html(client.get(f"{page.url}?role=mentee"))
    options = [o["value"] for o in soup.select("select[name=programme] option")]
    assert options == ["", str(programme.pk)]
    data = {"role": "mentee", "programme": closed.pk, "need": "Aide", "urgency": "normal",
            "kind": "individual", "consent": "on"}  # fmt: skip
    _heading, items = _summary(_html(client.post(page.url, data)))
    assert [href for href, _text in items] == ["#id_programme"]


def test_a_programme_not_taking_requests_yet_is_offered_to_mentors_only(
    cast, programme, page, english, login
):
    soon = timezone.localdate() + datetime.timedelta(days=30)
    Programme.objects.filter(pk=programme.pk).update(recruitment_opens_on=soon)
    client = _in(login(cast["mentee"]), "en")
    soup = _html(client.get(f"{english.url}?role=mentee"))
    assert not soup.select("form.mentorat-registration")
    reasons = soup.select_one("#no-programme").get_text(" ", strip=True)
    assert programme.name in reasons and "takes requests from" in reasons
    soup = _html(client.get(f"{english.url}?role=mentor"))
    options = [o["value"] for o in soup.select("select[name=programme] option")]
    assert options == ["", str(programme.pk)]


def test_someone_else_s_staff_member_cannot_be_registered(cast, programme, page, login):
    stranger = person("ailleurs")
    data = {"role": "for_staff", "staff_member": stranger.pk, "programme": programme.pk,
            "need": "Aide", "urgency": "normal", "kind": "individual"}  # fmt: skip
    _heading, items = _summary(_html(login(cast["manager"]).post(page.url, data)))
    assert [href for href, _text in items] == ["#id_staff_member"]
    assert not MentoringRequest.objects.exists()


# --- no programme open -----------------------------------------------------------------------


def test_without_an_open_programme_the_page_says_what_to_do(cast, page, login):
    Programme.objects.update(is_active=False)
    soup = _html(_in(login(cast["mentee"]), "fr").get(f"{page.url}?role=mentee"))
    empty = soup.select_one("#no-programme")
    assert "Aucun programme n'est ouvert aux inscriptions" in empty.get_text()
    assert "coordination" in empty.get_text()
    assert not soup.select("form.mentorat-registration, form.mentorat-role-choice")
    assert not empty.select("a")  # a participant is not sent to the admin
    response = login(cast["mentee"]).post(page.url, {"role": "mentee", "programme": "1"})
    assert response.status_code == 200 and not MentoringRequest.objects.exists()


def test_without_an_open_programme_a_coordinator_is_shown_where_to_create_one(
    cast, page, english, login, django_user_model
):
    Programme.objects.update(is_active=False)
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    soup = _html(_in(login(admin), "en").get(english.url))
    link = soup.select_one("#no-programme a")
    assert "No programme is open for registration" in soup.get_text()
    assert link["href"] == "/admin/snippets/wagtail_mentorat/programme/add/"


# --- a mentor's capacity -----------------------------------------------------------------------


def _mentor_data(programme, **extra):
    return {"role": "mentor", "programme": programme.pk, "years_experience": 12,
            "consent": "on", **extra}  # fmt: skip


def test_a_mentor_s_capacity_of_0_means_no_new_mentee_for_now(
    cast, programme, page, english, login
):
    client = _in(login(cast["mentor"]), "en")
    soup = _html(client.get(f"{english.url}?role=mentor"))
    field = soup.select_one("#id_mentor_capacity")
    assert field["min"] == "0"
    help_text = soup.select_one(f"#{field['aria-describedby']}").get_text()
    assert help_text == "0: no new mentee for now. Empty: the programme's default."
    ParticipantProfile.objects.filter(user=cast["mentor"]).update(mentor_capacity=3)
    assert client.post(english.url, _mentor_data(programme, mentor_capacity="0")).status_code == 302
    assert ParticipantProfile.objects.get(user=cast["mentor"]).mentor_capacity == 0


def test_a_mentor_who_empties_the_capacity_gets_the_programme_s_default(
    cast, programme, page, login
):
    client = login(cast["mentor"])
    assert client.post(page.url, _mentor_data(programme, mentor_capacity="2")).status_code == 302
    soup = _html(client.get(f"{page.url}?role=mentor"))
    assert soup.select_one("#id_mentor_capacity")["value"] == "2"  # shown to be changed
    assert client.post(page.url, _mentor_data(programme, mentor_capacity="")).status_code == 302
    assert ParticipantProfile.objects.get(user=cast["mentor"]).mentor_capacity is None


@pytest.mark.parametrize("value", ["-1", "11", "deux"])
def test_a_capacity_out_of_range_is_a_form_error(cast, programme, page, login, value):
    client = login(cast["mentor"])
    data = _mentor_data(programme, mentor_capacity=value)
    _heading, items = _summary(_html(client.post(page.url, data)))
    assert [href for href, _text in items] == ["#id_mentor_capacity"]
    assert not MentorOffer.objects.filter(status=MentorOffer.Status.APPLIED).exists()


# --- programmes whose recruitment is closed ----------------------------------------------------


def test_a_programme_whose_recruitment_closed_is_not_offered_for_a_request(
    cast, programme, page, english, login
):
    past = timezone.localdate() - datetime.timedelta(days=1)
    closed = Programme.objects.create(name="Cohorte d'automne", recruitment_closes_on=past)
    client = _in(login(cast["manager"]), "en")
    for role in ("mentee", "for_staff"):
        soup = _html(client.get(f"{english.url}?role={role}"))
        options = [o["value"] for o in soup.select("select[name=programme] option")]
        assert options == ["", str(programme.pk)], role
    # Chosen anyway (a page left open, a forged id): refused with the reason, nothing done.
    data = {"role": "for_staff", "staff_member": cast["mentee"].pk, "programme": closed.pk,
            "need": "Aide", "urgency": "normal", "kind": "individual"}  # fmt: skip
    _heading, items = _summary(_html(client.post(english.url, data)))
    assert items == [
        ("#id_programme", f"Programme: This programme took requests until {_day(past)}.")
    ]
    assert not MentoringRequest.objects.exists()


def test_an_ended_programme_is_not_offered_to_mentors(cast, programme, page, english, login):
    ended = Programme.objects.create(
        name="Projet terminé", ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client = _in(login(cast["mentor"]), "en")
    soup = _html(client.get(f"{english.url}?role=mentor"))
    options = [o["value"] for o in soup.select("select[name=programme] option")]
    assert options == ["", str(programme.pk)]
    _heading, items = _summary(_html(client.post(english.url, _mentor_data(ended))))
    assert [href for href, _text in items] == ["#id_programme"]
    assert "took requests until" in items[0][1]
    assert not MentorOffer.objects.filter(status=MentorOffer.Status.APPLIED).exists()


def test_no_programme_chosen_is_said_clearly(cast, programme, page, english, login):
    data = {"role": "mentee", "programme": "", "need": "Aide", "urgency": "normal",
            "kind": "individual", "consent": "on"}  # fmt: skip
    _heading, items = _summary(_html(_in(login(cast["mentee"]), "en").post(english.url, data)))
    assert items == [("#id_programme", "Programme: Choose a programme.")]
    data["programme"] = "abc"
    _heading, items = _summary(_html(_in(login(cast["mentee"]), "en").post(english.url, data)))
    expected = "Programme: Choose one of the programmes open for registration."
    assert items == [("#id_programme", expected)]
    assert not MentoringRequest.objects.exists()


def test_when_every_programme_is_closed_the_page_says_why_before_any_question(
    cast, programme, page, english, login
):
    ended = timezone.localdate() - datetime.timedelta(days=10)
    Programme.objects.filter(pk=programme.pk).update(ends_on=ended)
    client = _in(login(cast["mentee"]), "en")
    for url in (english.url, f"{english.url}?role=mentor", f"{english.url}?role=mentee"):
        soup = _html(client.get(url))
        assert not soup.select("form.mentorat-registration, form.mentorat-role-choice"), url
        empty = soup.select_one("#no-programme").get_text(" ", strip=True)
        assert "No programme is open for registration" in empty
        last_day = ended - datetime.timedelta(days=1)  # the end day takes no new pairing
        assert f"{programme.name} — This programme took requests until {_day(last_day)}" in empty
    response = client.post(english.url, _mentor_data(programme))
    assert (
        response.status_code == 200
        and not MentorOffer.objects.filter(status=MentorOffer.Status.APPLIED).exists()
    )


def test_a_mentee_with_nothing_open_yet_may_change_their_answer(cast, programme, page, login):
    soon = timezone.localdate() + datetime.timedelta(days=30)
    Programme.objects.filter(pk=programme.pk).update(recruitment_opens_on=soon)
    soup = _html(_in(login(cast["mentee"]), "fr").get(f"{page.url}?role=mentee"))
    assert soup.select_one("#no-programme") is not None
    assert soup.select_one("#registration-step a")["href"] == page.url


def _day(date):
    from django.utils.formats import date_format

    return date_format(date)
