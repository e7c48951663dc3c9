"""Required training blocks a pairing until it is completed (seed 002; MENTOR: training
before matching)."""

import pytest

from home.demo_mentoring import SERVICE
from training.models import TrainingModulePage
from training.services import record_completion
from wagtail_mentorat import lifecycle
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.models import Programme

from .conftest import person

pytestmark = pytest.mark.django_db


def test_a_mentor_without_the_required_training_is_not_paired(demo_site):
    users = demo_site["users"]
    programme = Programme.objects.get(name=SERVICE)
    module = TrainingModulePage.objects.live().first()
    programme.mentor_training.add(module)
    mentee = person(
        "nouvelle",
        superior=users["gestionnaire"],
        years_experience=1,
        discipline="Soins infirmiers",
    )
    mentor = users["mentor2"]
    with pytest.raises(RuleViolation, match="required training"):
        lifecycle.propose_pairing(programme, [mentee], [mentor], users["coordination"])
    record_completion(mentor, module)
    pairing = lifecycle.propose_pairing(programme, [mentee], [mentor], users["coordination"])
    assert pairing.pk
