"""Two people accept the last two requests for one free place at the same moment."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection, connections

from tests.mentorat.conftest import ProgrammeFactory, person
from wagtail_mentorat import circles
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.models import PairingMember

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL; CI runs this suite on PostgreSQL too",
    ),
]


def test_a_full_circle_cannot_be_overfilled_by_simultaneous_acceptances():
    coordinator = person("coordo")
    coordinator.user_permissions.add(Permission.objects.get(codename="coordinate_programme"))
    coordinator = get_user_model().objects.get(pk=coordinator.pk)
    facilitator = person("animatrice")
    circle = circles.open_circle(
        ProgrammeFactory(),
        coordinator,
        title="Cercle",
        theme="Début de carrière",
        purpose="Se soutenir",
        frequency="Mensuel",
        confidentiality="Entre nous",
        capacity=3,
        facilitator=facilitator,
    )
    circles.accept_join(circles.ask_to_join(circle, person("pair1")), facilitator)
    last = [circles.ask_to_join(circle, person(f"pair{i}")) for i in (2, 3)]
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(join_request, actor_pk):
        try:
            actor = get_user_model().objects.get(pk=actor_pk)
            barrier.wait(timeout=10)
            circles.accept_join(join_request, actor)
            outcomes.append("accepted")
        except RuleViolation:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=accept, args=(last[0], facilitator.pk)),
        threading.Thread(target=accept, args=(last[1], coordinator.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["accepted", "refused"]
    assert PairingMember.objects.filter(pairing=circle.pairing).count() == 3
