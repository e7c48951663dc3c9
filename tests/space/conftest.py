import pytest
from django.test import Client

from tests.mentorat.conftest import (  # noqa: F401  (fixtures shared with the core's tests)
    ProgrammeFactory,
    activate,
    active,
    approved,
    cast,
    hours_ago,
    person,
    programme,
)
from wagtail_mentorat.models import Pairing


@pytest.fixture
def login():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def backdated(active):  # noqa: F811  (the core's fixture, imported above)
    Pairing.objects.filter(pk=active.pk).update(assigned_at=hours_ago(24 * 10))
    active.refresh_from_db()
    return active
