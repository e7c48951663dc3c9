"""The programme page ("fiche synthèse", seed 001) reads its numbers from the rules."""

import pytest
from django.utils import translation

from wagtail_mentorat.guides import facts
from wagtail_mentorat.models import Programme

pytestmark = pytest.mark.django_db


def html_of(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def test_page_shows_the_programmes_rules_in_french(staff_client, programme_page):
    html = html_of(staff_client, programme_page)
    assert "Fiche synthèse" in html
    assert (
        "La durée maximale du mentorat est de 6 mois à partir du début de l&#x27;entente." in html
    )
    assert "à la mi-temps et à la fin de l&#x27;entente" in html
    assert "L&#x27;approbation du gestionnaire est requise" in html
    assert "un minimum de 4 rencontres est recommandé" in html
    assert "dans un délai de 72 heures à la suite de l&#x27;assignation" in html
    assert "(client en attente) dans un délai de 48 heures" in html
    assert "ne doit pas être le supérieur hiérarchique" in html
    assert "au moins 3 ans d&#x27;expérience" in html
    assert "caractère confidentiel" in html  # the programme's confidentiality clause
    # Purpose and target staff fall back on the programme's own text.
    assert "transfert d&#x27;expertise" in html
    assert "Nouveaux intervenants." in html


def test_changing_a_rule_changes_the_page(staff_client, programme_page, programme):
    before = html_of(staff_client, programme_page)
    assert "6 mois" in before and "72 heures" in before
    programme.max_duration_months = 9
    programme.first_contact_hours = 24
    programme.min_meetings = 6
    programme.meeting_cadence_weeks = 3
    programme.midterm_review_required = False
    programme.extension_needs_manager = False
    programme.save()
    after = html_of(staff_client, programme_page)
    assert "9 mois" in after and "6 mois" not in after
    assert "24 heures" in after and "72 heures" not in after
    assert "un minimum de 6 rencontres est recommandé" in after
    assert "au moins une rencontre toutes les 3 semaines" in after
    assert "mi-temps" not in after
    assert "L&#x27;approbation du gestionnaire est requise" not in after


def test_a_one_year_service_from_the_first_contact_is_said_as_seed_004_says_it(
    staff_client, programme_page, programme
):
    programme.duration_basis = Programme.DurationBasis.FIRST_CONTACT
    programme.max_duration_months = 12
    programme.save()
    html = html_of(staff_client, programme_page)
    assert (
        "Le service est en vigueur pour une période de 1 an à partir de la date du premier" in html
    )


def test_page_is_in_english_after_switching_language(staff_client, programme_page):
    staff_client.cookies["django_language"] = "en"
    html = html_of(staff_client, programme_page)
    assert "Mentoring lasts 6 months at most, from the start of the agreement." in html
    assert "The mentor contacts the mentee within 72 hours of the assignment." in html


def test_editable_text_replaces_the_programmes_purpose(staff_client, programme_page):
    programme_page.purpose = "<p>Un but propre à la page.</p>"
    programme_page.save_revision().publish()
    html = html_of(staff_client, programme_page)
    assert "Un but propre à la page." in html
    assert "transfert d&#x27;expertise" not in html


def test_call_to_register_follows_the_chosen_page_or_says_whom_to_ask(
    staff_client, programme_page, programme, make_guide
):
    assert "Parlez-en à votre gestionnaire" in html_of(staff_client, programme_page)
    target = make_guide("Je veux m'inscrire")
    programme_page.registration_page = target
    programme_page.save_revision().publish()
    html = html_of(staff_client, programme_page)
    assert f'<a class="mentorat-button" href="{target.url}">Je veux m\'inscrire</a>' in html
    programme.is_active = False
    programme.save()
    html = html_of(staff_client, programme_page)
    assert "n'accepte pas de nouvelles demandes" in html
    assert f'<a class="mentorat-button" href="{target.url}">' not in html


@pytest.mark.parametrize(
    ("months", "french"),
    [(1, "1 mois"), (6, "6 mois"), (12, "1 an"), (24, "2 ans"), (18, "18 mois")],
)
def test_durations_are_said_in_years_when_they_are_whole_years(months, french):
    with translation.override("fr"):
        assert facts.duration_text(months) == french


def test_facts_follow_every_review_combination():
    programme = Programme(midterm_review_required=False, final_review_required=False)
    with translation.override("en"):
        reviews = facts.frequency_and_duration(programme)[1]
        assert reviews.text == "No progress review is required."
        programme.final_review_required = True
        assert "at the end" in facts.frequency_and_duration(programme)[1].text


def test_index_lists_guides_then_programmes(staff_client, guides_index, programme_page, make_guide):
    make_guide("Mentorat ou coaching?", intro="Comparer les pratiques.")
    html = html_of(staff_client, guides_index)
    assert html.index("Mentorat ou coaching?") < html.index(programme_page.title)
    assert "Durée maximale : 6 mois" in html
