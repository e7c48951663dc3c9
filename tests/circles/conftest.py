"""A programme, a coordinator, a facilitator and peers with email addresses, a circle."""

import pytest
from django.core import mail
from django.test import Client

from tests.mentorat.conftest import (  # noqa: F401  (fixtures shared with the core's tests)
    ProgrammeFactory,
    activate,
    active,
    approved,
    english_messages,
    hours_ago,
    make_coordinator,
    person,
)
from wagtail_mentorat import circles
from wagtail_mentorat.models import Programme


def with_email(user):
    user.email = f"{user.username}@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture(autouse=True)
def clean_outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


@pytest.fixture
def programme(db):
    return ProgrammeFactory(who_pairs=Programme.WhoPairs.MANAGER)


@pytest.fixture
def cast(db):
    director = with_email(person("directrice", discipline="Gestion"))
    manager = with_email(person("gestionnaire", superior=director, discipline="Gestion"))
    mentee = with_email(person("mentore", superior=manager, years_experience=1))
    mentor = with_email(person("mentor", superior=director, years_experience=15))
    mentor2 = with_email(person("mentor2", superior=director, years_experience=12))
    coordinator = make_coordinator(with_email(person("coordo", discipline="Planification")))
    facilitator = with_email(person("animatrice", years_experience=20))
    peers = [with_email(person(f"pair{i}", years_experience=i)) for i in range(1, 8)]
    outsider = with_email(person("curieux", years_experience=5))
    return {
        "director": director,
        "manager": manager,
        "mentee": mentee,
        "mentor": mentor,
        "mentor2": mentor2,
        "coordinator": coordinator,
        "facilitator": facilitator,
        "peers": peers,
        "outsider": outsider,
    }


def open_circle(programme, cast, **fields):
    values = {
        "title": "Nouvelles travailleuses sociales",
        "theme": "Début de carrière",
        "description": "Partager les premières années, sans jugement.",
        "career_stage": "early",
        "site": "CLSC de Limoilou",
        "capacity": 4,
        "purpose": "Se soutenir entre pairs pendant la première année.",
        "frequency": "Une heure toutes les trois semaines",
        "confidentiality": "Ce qui se dit dans le cercle reste dans le cercle.",
        "facilitator": cast["facilitator"],
    }
    values.update(fields)
    return circles.open_circle(programme, cast["coordinator"], **values)


@pytest.fixture
def circle(programme, cast):
    return open_circle(programme, cast)


def join(circle, user, decider):
    request = circles.ask_to_join(circle, user)
    circles.accept_join(request, decider)
    return request


@pytest.fixture
def members(circle, cast):
    """Two peers joined and, with the facilitator, accepted the charter."""
    peers = cast["peers"][:2]
    for peer in peers:
        join(circle, peer, cast["facilitator"])
    for user in [cast["facilitator"], *peers]:
        circles.accept_charter(circle, user)
    return peers


@pytest.fixture
def login():
    def make(user):
        """A client of ``user``, with pages in English (the language switch's cookie)."""
        client = Client()
        client.cookies["django_language"] = "en"
        client.force_login(user)
        return client

    return make
