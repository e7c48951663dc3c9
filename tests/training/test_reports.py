"""Coordinators' reports: numbers on a known dataset, CSV export, access, query budget."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail_mentorat.training import services
from wagtail_mentorat.training.models import LearningPathModule, LearningPathPage, add_months

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(make_module, training_index, demo_users):
    """Module A (12 months), module B (no expiry), path P = [A, B]."""
    today = timezone.localdate()
    a = make_module(slug="rapport-a", title="Rapport A", validity_months=12)
    b = make_module(slug="rapport-b", title="Rapport B")
    path = LearningPathPage(title="Parcours P", slug="parcours-p")
    path.path_modules = [
        LearningPathModule(module=a, sort_order=0),
        LearningPathModule(module=b, sort_order=1),
    ]
    training_index.add_child(instance=path)
    path.save_revision().publish()
    u = demo_users
    record = services.record_completion
    record(u["mentor1"], a, completed_on=today - timedelta(days=20))  # valid
    record(u["mentor1"], b, completed_on=today - timedelta(days=20))  # path complete
    record(u["mentor2"], a, completed_on=add_months(today, -12) + timedelta(days=10))  # expiring
    record(u["mentore1"], a, completed_on=today - timedelta(days=800))  # expired, not renewed
    record(u["mentore2"], a, completed_on=add_months(today, -13))  # expired...
    record(u["mentore2"], a, completed_on=today)  # ...and renewed
    return {"a": a, "b": b, "path": path}


def export(client, url):
    response = client.get(url + "?export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def by(rows, key):
    return {row[key]: row for row in rows}


def test_completion_by_module_numbers(client_for, dataset):
    rows = by(export(client_for("coordination"), "/admin/formation/rapports/modules/"), "Module")
    a, b = rows["Rapport A"], rows["Rapport B"]
    assert a["Personnes ayant une formation valide"] == "3"
    assert a["Échéance dans les 30 jours"] == "1"
    assert a["Échue, non renouvelée"] == "1"
    assert b["Personnes ayant une formation valide"] == "1"
    assert b["Échéance dans les 30 jours"] == "0" and b["Échue, non renouvelée"] == "0"


def test_quiz_attempts_are_counted_per_module(mentee_client, client_for, dataset):
    from .conftest import ALL_RIGHT, answers

    a = dataset["a"]
    mentee_client.get(a.url)
    mentee_client.post(a.url + "quiz/", answers(a, {1: [2], 2: [1], 3: [1]}))
    mentee_client.post(a.url + "quiz/", answers(a, ALL_RIGHT))
    rows = by(export(client_for("coordination"), "/admin/formation/rapports/modules/"), "Module")
    assert rows["Rapport A"]["Tentatives au questionnaire"] == "2"
    assert rows["Rapport A"]["Tentatives réussies"] == "1"
    assert rows["Rapport A"]["Personnes qui ont commencé"] == "1"


def test_completion_by_path_numbers(client_for, dataset):
    rows = by(
        export(client_for("coordination"), "/admin/formation/rapports/paths/"),
        "Parcours d'apprentissage",
    )
    row = rows["Parcours P"]
    assert row["Modules"] == "2"
    assert row["Personnes ayant terminé tous les modules"] == "1"
    assert row["Personnes en cours"] == "2"


def test_expiring_report_lists_who_must_renew_within_30_days(client_for, dataset, demo_users):
    rows = export(client_for("coordination"), "/admin/formation/rapports/expiring/")
    assert [(r["Personne"], r["Module"]) for r in rows] == [("Jean-François Côté", "Rapport A")]
    assert rows[0]["Courriel"] == demo_users["mentor2"].email


def test_completions_report_filters_by_module(client_for, dataset):
    client = client_for("coordination")
    url = f"/admin/formation/rapports/completions/?module={dataset['b'].pk}&export=csv"
    response = client.get(url)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Personne"] for r in rows] == ["Isabelle Roy"]


@pytest.mark.parametrize("name", ["modules", "paths", "expiring", "completions"])
def test_reports_render_for_coordinators_only(client_for, dataset, name):
    url = f"/admin/formation/rapports/{name}/"
    response = client_for("coordination").get(url)
    assert response.status_code == 200
    assert client_for("mentore1").get(url).status_code == 302  # no admin access at all
    assert client_for("redaction").get(url).status_code in (302, 403)  # editor, no permission


def test_report_queries_do_not_grow_with_modules_or_people(
    client_for, dataset, make_module, demo_users, django_assert_num_queries
):
    client = client_for("coordination")
    urls = [f"/admin/formation/rapports/{name}/" for name in ("modules", "paths", "expiring")]
    client.get(urls[0])
    baselines = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        baselines.append(len(captured))
    today = timezone.localdate()
    for n in range(5):
        extra = make_module(slug=f"extra-{n}", validity_months=12)
        for user in demo_users.values():
            services.record_completion(
                user, extra, completed_on=add_months(today, -12) + timedelta(days=5)
            )
    for url, baseline in zip(urls, baselines, strict=True):
        client.get(url)  # the new pages and people refill the per-site caches once
        with django_assert_num_queries(baseline):
            client.get(url)
