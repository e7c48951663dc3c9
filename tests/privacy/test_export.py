"""Access and portability (A-2.1 s. 84): the person downloads what they provided as JSON and
CSV, and every model that relates to a person is covered or excluded with a reason."""

import csv
import io
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Page

from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import Pairing
from wagtail_mentorat.privacy import consent, export
from wagtail_mentorat.privacy.purposes import Purpose

from .conftest import hours_ago

pytestmark = pytest.mark.django_db

OUR_APPS = {
    "wagtail_mentorat",
    "mentorat_notifications",
    "mentorat_guides",
    "training",
    "mentorat_privacy",
    "home",
    "mentorat_indicators",
}


def our_models():
    for model in apps.get_models():
        label = model._meta.app_label
        if label in OUR_APPS or label.startswith("mentorat_"):
            yield model


def personal_models():
    """Models of our apps with a relation to the user model, or to a model that has one
    (a pairing, an agreement, a review...), through their own fields. Pages are content:
    their owner is Wagtail's, not a participant's."""
    user_model = get_user_model()
    personal = {user_model}
    candidates = [m for m in our_models() if not issubclass(m, Page)]
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in personal:
                continue
            own = model._meta.local_fields + model._meta.local_many_to_many
            if any(f.is_relation and f.related_model in personal for f in own):
                personal.add(model)
                changed = True
    personal.discard(user_model)
    return {f"{m._meta.app_label}.{m._meta.object_name}" for m in personal}


def test_every_personal_model_is_exported_or_excluded_with_a_reason():
    covered = export.covered_models() | set(export.EXCLUDED)
    missing = sorted(personal_models() - covered)
    assert not missing, f"not in the export (add a Section or an EXCLUDED reason): {missing}"
    assert all(reason.strip() for reason in export.EXCLUDED.values())
    # And every section of an installed app names a real model.
    installed = {config.label for config in apps.get_app_configs()}
    for section in export.SECTIONS:
        if section.model.split(".")[0] in installed:
            apps.get_model(section.model)


@pytest.fixture
def lived(active, cast):
    """A pairing with a bit of everything the mentee writes."""
    lifecycle.log_meeting(
        active, cast["mentee"], hours_ago(3), summary="RÉSUMÉ", private_note="MA-NOTE"
    )
    lifecycle.log_meeting(active, cast["mentor"], hours_ago(2), private_note="NOTE-DU-MENTOR")
    lifecycle.ask_for_help(active, cast["mentee"], "MA-QUESTION")
    lifecycle.raise_disagreement(active, cast["mentee"], "MA-MESENTENTE")
    lifecycle.answer_fit_check(active, cast["mentee"], "good")
    consent.withdraw(cast["mentee"], Purpose.INDICATORS)
    return active


def test_json_export_holds_what_the_person_provided_and_no_one_elses_notes(lived, cast, login):
    response = login(cast["mentee"]).get(reverse("wagtail_mentorat:privacy:export_json"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["format"] == export.FORMAT and data["user"]["username"] == "mentore"
    text = json.dumps(data, ensure_ascii=False)
    for mine in ("RÉSUMÉ", "MA-NOTE", "MA-QUESTION", "MA-MESENTENTE"):
        assert mine in text
    assert "NOTE-DU-MENTOR" not in text
    assert [n["text"] for n in data["my_private_notes"]] == ["MA-NOTE"]
    assert data["pairings"][0]["id"] == lived.pk
    assert data["consents"][0]["purpose"] == "indicators"
    assert data["fit_checks"][0]["fit"] == "good"
    assert "calendar_token" not in data["profile"][0]
    # The former "my data" address gives the same content.
    legacy = json.loads(login(cast["mentee"]).get(reverse("wagtail_mentorat:my_data")).content)
    assert set(legacy) == set(data)


def test_csv_export_is_one_table_a_spreadsheet_opens(lived, cast, login):
    response = login(cast["mentee"]).get(reverse("wagtail_mentorat:privacy:export_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["section", "record", "field", "value"]
    assert ["my_private_notes"] == sorted({r[0] for r in rows if r[3] == "MA-NOTE"})
    assert not any("NOTE-DU-MENTOR" in cell for row in rows for cell in row)


def test_export_covers_every_section_with_data_for_an_active_mentee(lived, cast):
    data = export.collect(cast["mentee"])
    filled = {name for name, value in data.items() if value}
    for name in ("profile", "pairings", "pairing_members", "agreements", "agreement_objectives",
                 "meetings", "my_private_notes", "help_requests", "disagreements", "fit_checks",
                 "consents", "agreement_acceptances"):  # fmt: skip
        assert name in filled, name


def test_an_outsider_exports_nothing_of_the_pairing(lived, login):
    from .conftest import person

    data = json.loads(
        login(person("inconnu")).get(reverse("wagtail_mentorat:privacy:export_json")).content
    )
    assert data["pairings"] == [] and data["meetings"] == []
    assert Pairing.objects.count() == 1
