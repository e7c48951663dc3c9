import pytest
from django.test import Client

from tests.mentorat.conftest import (  # noqa: F401  (fixtures shared with the core's tests)
    ProgrammeFactory,
    activate,
    active,
    approved,
    cast,
    english_messages,
    hours_ago,
    person,
    programme,
)


@pytest.fixture
def login():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
