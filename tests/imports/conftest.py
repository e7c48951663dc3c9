"""Helpers for the CSV import's tests: files built in memory, English messages."""

import pytest
from django.utils import translation

from wagtail_mentorat.models import ExpertiseArea

HEADER = (
    "email,first_name,last_name,discipline,site,unit,superior_email,expertise,goals,"
    "languages,mentor_capacity,years_experience,is_mentor"
)


def csv_file(*lines, header=HEADER, delimiter=",", encoding="utf-8"):
    """The bytes of a CSV file; ``lines`` are written with “,” and converted if asked."""
    text = "\r\n".join([header, *lines]) + "\r\n"
    if delimiter != ",":
        text = text.replace(",", delimiter)
    return text.encode(encoding)


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def areas(db):
    return {
        name: ExpertiseArea.objects.create(name=name)
        for name in ("Évaluation du fonctionnement social", "Intervention de groupe", "Gestion")
    }
