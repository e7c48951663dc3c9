"""The core's cast and pairings (tests/mentorat/conftest.py) for the pairings admin, and
programme staff's clients."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tests.mentorat.conftest import (  # noqa: F401  (fixtures shared with the core's tests)
    ProgrammeFactory,
    active,
    approved,
    cast,
    english_messages,
    hours_ago,
    make_coordinator,
    person,
    programme,
)
from wagtail_mentorat import lifecycle

MARKER = "ZQX-confidentiel-7731"  # a meeting note no staff screen may show


def staff_client(user):
    """A client for programme staff as the coordinators' group sets them up."""
    for codename in ("access_admin", "view_pairing"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coordo(cast):  # noqa: F811
    return staff_client(cast["coordinator"])


@pytest.fixture
def outsider(cast, pairing):  # noqa: F811
    """A coordinator of another programme only (made after the pairing's programme, which
    would otherwise name every coordinator)."""
    other = ProgrammeFactory(coordinators=[])
    return staff_client(make_coordinator(person("ailleurs"), programmes=[other]))


@pytest.fixture
def pairing(active, cast):  # noqa: F811
    lifecycle.log_meeting(active, cast["mentor"], hours_ago(1), private_note=MARKER)
    return active
