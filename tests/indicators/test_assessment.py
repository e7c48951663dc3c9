"""The self-assessment: one per programme and period, pre-filled from the indicators,
validated, and its printable report."""

import pytest

from wagtail_mentorat.indicators import standards
from wagtail_mentorat.indicators.models import AssessmentAnswer, SelfAssessment

INDEX = "/admin/mentorat/indicateurs/auto-evaluation/"


def open_assessment(client, programme, **period):
    data = {"programme": programme.pk, **period}
    response = client.post(INDEX, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return SelfAssessment.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def form_data(statuses=None, evidence="", action=""):
    data = {}
    for code in standards.ITEMS:
        status = (statuses or {}).get(code, "")
        data[f"status_{code}"] = status
        data[f"evidence_{code}"] = evidence if status else ""
        data[f"action_{code}"] = action if status in ("partly", "not_met") else ""
    return data


def test_the_checklist_covers_the_six_standards():
    assert [s.title for s in standards.STANDARDS] == [
        "Recruitment",
        "Screening",
        "Training",
        "Matching and initiating",
        "Monitoring and support",
        "Closure",
    ]
    assert all(standard.items for standard in standards.STANDARDS)
    assert len(standards.ITEMS) == sum(len(s.items) for s in standards.STANDARDS)


def test_one_assessment_per_period(coordinator_client, dataset):
    programme = dataset["programme"]
    first = open_assessment(coordinator_client, programme, year=2024)
    assert (str(first.period_start), str(first.period_end)) == ("2024-01-01", "2024-12-31")
    again = open_assessment(coordinator_client, programme, year=2024)
    assert again.pk == first.pk
    other = open_assessment(coordinator_client, programme, start="2025-01-01", end="2025-06-30")
    assert other.pk != first.pk
    assert SelfAssessment.objects.count() == 2


def test_measured_items_are_prefilled(coordinator_client, dataset):
    assessment = open_assessment(coordinator_client, dataset["programme"], year=2024)
    response = coordinator_client.get(f"{INDEX}{assessment.pk}/")
    assert response.status_code == 200
    form = response.context["form"]
    # 1.2 match rate 80% against 70: met.
    assert form["status_1.2"].initial == "met"
    assert "80.0%" in form["evidence_1.2"].initial
    # 2.2 agreements signed 75% against 90: within 20 points, partly.
    assert form["status_2.2"].initial == "partly"
    # 4.2 first contacts 60% against 90: not met.
    assert form["status_4.2"].initial == "not_met"
    # 5.2 reviews on time 33.3% against 80: not met.
    assert form["status_5.2"].initial == "not_met"
    # 6.2 premature 25% against at most 38: met.
    assert form["status_6.2"].initial == "met"
    # 3.1 no training required: nothing to measure.
    assert form["status_3.1"].initial == ""
    # 2.1 is enforced by the software.
    assert form["status_2.1"].initial == "met"
    # 1.3 the software cannot tell.
    assert form["status_1.3"].initial == ""
    assert "Suggested by the software." in response.content.decode()


def test_save_and_reload(coordinator_client, dataset):
    assessment = open_assessment(coordinator_client, dataset["programme"], year=2024)
    url = f"{INDEX}{assessment.pk}/"
    data = form_data(
        {"1.1": "met", "5.2": "not_met", "4.2": "partly"},
        evidence="Procès-verbal du comité.",
        action="Rappels automatiques activés.",
    )
    response = coordinator_client.post(url, data)
    assert response.status_code == 302
    answers = {a.item: a for a in AssessmentAnswer.objects.filter(assessment=assessment)}
    assert len(answers) == len(standards.ITEMS)
    assert answers["5.2"].status == "not_met"
    assert answers["5.2"].action == "Rappels automatiques activés."
    assert "33.3%" in answers["5.2"].measured
    assert answers["1.2"].status == ""  # the suggestion is not kept unless submitted
    form = coordinator_client.get(url).context["form"]
    assert form["status_5.2"].initial == "not_met"
    assert form["status_1.2"].initial == ""  # saved answers win over suggestions
    # Saving again replaces, never duplicates.
    coordinator_client.post(url, data)
    assert AssessmentAnswer.objects.filter(assessment=assessment).count() == len(standards.ITEMS)


def test_errors_are_shown(coordinator_client, dataset):
    assessment = open_assessment(coordinator_client, dataset["programme"], year=2024)
    url = f"{INDEX}{assessment.pk}/"
    data = form_data()
    data["status_5.2"] = "not_met"  # no action
    data["status_1.1"] = "met"  # no evidence
    data["status_2.2"] = "bogus"
    response = coordinator_client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what the programme will do to improve on this item." in html
    assert "Give the evidence that this item is met." in html
    assert "Select a valid choice" in html
    assert not AssessmentAnswer.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"programme": "abc"}, "Select a valid choice"),
        ({"year": "x"}, "Enter a whole number"),
        ({"start": "2024-02-30", "end": "2024-03-01"}, "Enter a valid date"),
        ({"start": "2024-06-01", "end": "2024-01-01"}, "before its start"),
    ],
)
def test_bad_periods(coordinator_client, dataset, data, message):
    data = {"programme": dataset["programme"].pk, **data}
    response = coordinator_client.post(INDEX, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_unknown_assessment_is_404(coordinator_client, year_programme):
    assert coordinator_client.get(f"{INDEX}999999/").status_code == 404
    assert coordinator_client.get(f"{INDEX}999999/rapport/").status_code == 404


def test_printable_report_shows_progress_over_time(coordinator_client, dataset):
    programme = dataset["programme"]
    earlier = open_assessment(coordinator_client, programme, year=2023)
    coordinator_client.post(
        f"{INDEX}{earlier.pk}/",
        form_data({"1.1": "not_met"}, evidence="x", action="Écrire la fiche."),
    )
    later = open_assessment(coordinator_client, programme, year=2024)
    coordinator_client.post(
        f"{INDEX}{later.pk}/", form_data({"1.1": "met"}, evidence="Fiche publiée.")
    )
    response = coordinator_client.get(f"{INDEX}{later.pk}/rapport/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Programme self-assessment" in html
    assert "Fiche publiée." in html
    assert "2023-01-01 – 2023-12-31" in html and "2024-01-01 – 2024-12-31" in html
    assert "Kupersmidt" in html  # indicators with their references
    assert "Closure" in html and "Recruitment" in html
    # The list shows each period's counts.
    listing = coordinator_client.get(INDEX).content.decode()
    assert "Report" in listing and programme.name in listing
    edit = coordinator_client.get(f"{INDEX}{later.pk}/").content.decode()
    assert "Previous self-assessment (2023-01-01): 0 met, 0 partly met, 1 not met." in edit
