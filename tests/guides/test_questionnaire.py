"""The "which one do I need?" questionnaire works without JavaScript: GET links only."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide_with_questionnaire(make_guide):
    supervision = make_guide("La supervision clinique")
    questionnaire = {
        "title": "De quoi ai-je besoin?",
        "intro": "",
        "questions": [
            {
                "identifier": "besoin",
                "question": "Que cherchez-vous?",
                "answers": [
                    {"label": "Développer une compétence", "next_question": "duree"},
                    {
                        "label": "Faire valider ma pratique",
                        "result_practice": "Supervision",
                        "result_text": "Votre gestionnaire encadre la qualité des services.",
                        "result_page": supervision.pk,
                    },
                ],
            },
            {
                "identifier": "duree",
                "question": "Sur combien de temps?",
                "answers": [
                    {"label": "Quelques mois", "result_practice": "Mentorat"},
                    {"label": "Quelques séances", "result_practice": "Coaching"},
                ],
            },
        ],
    }
    return make_guide("Lequel choisir?", body=[("questionnaire", questionnaire)]), supervision


def choices(html):
    return dict(
        (label, (name, value))
        for name, value, label in re.findall(
            r'<button type="submit" class="mentorat-button mentorat-questionnaire__choice" '
            r'name="([^"]+)" value="([^"]*)">([^<]+)</button>',
            html,
        )
    )


def test_each_answer_leads_to_the_next_question_then_to_a_practice(
    staff_client, guide_with_questionnaire
):
    guide, _ = guide_with_questionnaire
    html = staff_client.get(guide.url).content.decode()
    first = choices(html)
    assert set(first) == {"Développer une compétence", "Faire valider ma pratique"}
    name, value = first["Développer une compétence"]

    html = staff_client.get(guide.url, {name: value}).content.decode()
    assert "Sur combien de temps?" in html
    name, value = choices(html)["Quelques mois"]

    html = staff_client.get(guide.url, {name: value}).content.decode()
    assert '<p class="mentorat-questionnaire__practice">Mentorat</p>' in html
    assert "Développer une compétence" in html  # the answers given, each can be changed
    assert choices(html) == {}


def test_a_result_links_to_the_page_that_answers_the_need(staff_client, guide_with_questionnaire):
    guide, supervision = guide_with_questionnaire
    name, value = choices(staff_client.get(guide.url).content.decode())["Faire valider ma pratique"]
    html = staff_client.get(guide.url, {name: value}).content.decode()
    assert '<p class="mentorat-questionnaire__practice">Supervision</p>' in html
    assert f'href="{supervision.url}"' in html


def test_a_tampered_address_starts_the_questionnaire_again(staff_client, guide_with_questionnaire):
    guide, _ = guide_with_questionnaire
    name, _value = next(iter(choices(staff_client.get(guide.url).content.decode()).values()))
    response = staff_client.get(guide.url, {name: "9.x.-1"})
    assert response.status_code == 200
    assert "Que cherchez-vous?" in response.content.decode()
