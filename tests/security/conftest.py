"""The people of the access-control tests, on top of the demo intranet.

The demo has every role the matrix needs: a mentee and mentor of one pairing, the
participants of other pairings, the manager of the mentee (``gestionnaire``) and the
manager of another unit (``gestionnaire2``), the programme coordinator, the content
editor. A superuser is added here.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from wagtail_mentorat.models import Pairing


@pytest.fixture
def superuser(demo_site):
    user, _ = get_user_model().objects.get_or_create(
        username="securite-admin",
        defaults={"is_superuser": True, "is_staff": True, "email": "root@intranet.example"},
    )
    return user


@pytest.fixture
def login_as(demo_users, superuser):
    """A client logged in as a demo account (or ``superuser``, or None: anonymous)."""

    def make(username):
        client = Client()
        if username is None:
            return client
        user = superuser if username == "superuser" else demo_users[username]
        client.force_login(user)
        return client

    return make


@pytest.fixture
def pairing_of(demo_users):
    """The demo pairing whose mentee is the given account."""

    def find(mentee):
        return Pairing.objects.get(members__user=demo_users[mentee], members__role="mentee")

    return find
