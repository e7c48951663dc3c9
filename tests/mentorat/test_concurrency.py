"""Two coordinators give away a mentor's last free place at the same moment."""

import threading

import pytest
from django.db import connection, connections

from wagtail_mentorat import lifecycle
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.models import PairingState, Programme

from .conftest import ProgrammeFactory, person

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL; CI runs this suite on PostgreSQL too",
    ),
]


def test_last_free_place_goes_to_exactly_one_of_two_simultaneous_approvals():
    manager = person("chef", discipline="Gestion")
    coordinators = [person(f"coordo{i}", discipline="Gestion") for i in (1, 2)]
    from django.contrib.auth.models import Permission

    for coordinator in coordinators:
        coordinator.user_permissions.add(Permission.objects.get(codename="coordinate_programme"))
    mentor = person("mentor", years_experience=15)
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.BOTH, mentor_capacity=1)
    proposals = [
        lifecycle.propose_pairing(
            programme,
            [person(f"mentore{i}", superior=manager, years_experience=1)],
            [mentor],
            manager,
        )
        for i in (1, 2)
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(pairing, coordinator):
        from django.contrib.auth import get_user_model

        try:
            actor = get_user_model().objects.get(pk=coordinator.pk)
            barrier.wait(timeout=10)
            lifecycle.approve_pairing(pairing, actor)
            outcomes.append("approved")
        except RuleViolation:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(pairing, coordinator))
        for pairing, coordinator in zip(proposals, coordinators, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["approved", "refused"]
    states = sorted(
        p.state for p in type(proposals[0]).objects.filter(pk__in=[p.pk for p in proposals])
    )
    assert states == [PairingState.APPROVED, PairingState.PROPOSED]
