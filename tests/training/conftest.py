"""Training fixtures: the demo's training pages, module and quiz helpers."""

import uuid

import pytest
from django.test import Client

from training import demo as training_demo
from wagtail_mentorat.training.forms import FIELD_PREFIX
from wagtail_mentorat.training.models import TrainingIndexPage, TrainingModulePage

QUIZ = [
    (
        "single_choice",
        "Délai du premier contact?",
        [("48 à 72 heures", True, "BRAVO-DELAI"), ("Deux semaines", False, "TROP-LONG")],
    ),
    (
        "multiple_choice",
        "Responsabilités de la personne mentorée?",
        [
            ("Préciser ses besoins", True, "OUI-BESOINS"),
            ("Respecter la fréquence", True, "OUI-FREQUENCE"),
            ("Exiger une réponse dans l'heure", False, "NON-HEURE"),
        ],
    ),
    (
        "single_choice",
        "Le mentorat peut-il être retiré pour punir?",
        [("Oui", False, "NON-SANCTION"), ("Jamais", True, "BRAVO-JAMAIS")],
    ),
]


@pytest.fixture
def training_index(demo_site):
    return TrainingIndexPage.objects.get(locale__language_code="fr")


@pytest.fixture
def make_module(training_index):
    """A published module under the demo's training index, with ``questions``."""

    def make(slug="module-test", questions=QUIZ, pass_mark=60, validity_months=None, **fields):
        items = [
            (kind, {"question": text, "choices": choices}) for kind, text, choices in questions
        ]
        items.insert(0, ("paragraph", "<p>Contenu du module.</p>"))
        module = training_index.add_child(
            instance=TrainingModulePage(
                title=fields.pop("title", f"Module {slug}"),
                slug=slug,
                pass_mark=pass_mark,
                validity_months=validity_months,
                body=training_demo._body(slug, items),
                **fields,
            )
        )
        module.save_revision().publish()
        module.refresh_from_db()
        return module

    return make


@pytest.fixture
def module(make_module):
    return make_module()


def answers(module, picks, token=None):
    """POST data: ``picks`` maps a question's position (1-based) to choice positions."""
    questions = module.questions
    data = {"token": str(token or uuid.uuid4()), "action": "submit"}
    for number, choice_numbers in picks.items():
        question = questions[number - 1]
        data[FIELD_PREFIX + question.id] = [question.choices[n - 1].id for n in choice_numbers]
    return data


ALL_RIGHT = {1: [1], 2: [1, 2], 3: [2]}


@pytest.fixture
def mentee(demo_users):
    return demo_users["mentore1"]


@pytest.fixture
def mentee_client(mentee):
    client = Client()
    client.force_login(mentee)
    return client
