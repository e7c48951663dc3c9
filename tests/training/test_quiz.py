"""Taking a module: the page, server-side grading, attempts, completion and bad input."""

import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from wagtail_mentorat.training.forms import FIELD_PREFIX
from wagtail_mentorat.training.models import Completion, ModuleProgress, QuizAttempt

from .conftest import ALL_RIGHT, QUIZ, answers

pytestmark = pytest.mark.django_db


def submit(client, module, data):
    return client.post(module.url + "quiz/", data)


def test_module_page_shows_content_and_the_quiz(mentee_client, module):
    response = mentee_client.get(module.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Contenu du module." in html
    assert "Délai du premier contact?" in html
    assert "48 à 72 heures" in html
    assert 'lang="fr"' in html and "Soumettre mes réponses" in html


def test_correct_answers_and_feedback_are_absent_from_the_module_html(mentee_client, module):
    html = mentee_client.get(module.url).content.decode()
    for _kind, _text, choices in QUIZ:
        for _choice, _correct, feedback in choices:
            assert feedback not in html
    assert "correct" not in html.lower()
    # Right and wrong choices are rendered alike: once ids are blanked, each question's
    # inputs are identical strings.
    for question in module.questions:
        inputs = re.findall(rf'<input[^>]*name="{FIELD_PREFIX}{question.id}"[^>]*>', html)
        assert len(inputs) == len(question.choices)
        shapes = {re.sub(r'(value|id)="[^"]*"', "", tag) for tag in inputs}
        assert len(shapes) == 1


def test_passing_the_quiz_records_an_attempt_and_a_completion(mentee_client, mentee, module):
    response = submit(mentee_client, module, answers(module, ALL_RIGHT))
    attempt = QuizAttempt.objects.get(user=mentee, module=module)
    assert response.status_code == 302
    assert response["Location"] == f"{module.url}resultat/{attempt.pk}/"
    assert (attempt.points, attempt.question_count, attempt.score, attempt.passed) == (
        3,
        3,
        100,
        True,
    )
    completion = Completion.objects.get(user=mentee, module=module)
    assert completion.attempt == attempt and completion.score == 100 and completion.source == "quiz"
    result = mentee_client.get(response["Location"]).content.decode()
    assert "BRAVO-DELAI" in result and "OUI-BESOINS" in result and "TROP-LONG" not in result


def test_failing_the_quiz_records_an_attempt_without_completion(mentee_client, mentee, module):
    # Question 2 half answered (partial = wrong), question 3 wrong: 1 of 3 = 33 % < 60 %.
    submit(mentee_client, module, answers(module, {1: [1], 2: [1], 3: [1]}))
    attempt = QuizAttempt.objects.get(user=mentee)
    assert (attempt.points, attempt.score, attempt.passed) == (1, 33, False)
    assert not Completion.objects.exists()
    page = mentee_client.get(f"{module.url}resultat/{attempt.pk}/").content.decode()
    assert "Réessayer" in page and "NON-SANCTION" in page


def test_the_same_form_submitted_twice_counts_once(mentee_client, mentee, module):
    data = answers(module, ALL_RIGHT)
    first = submit(mentee_client, module, data)
    second = submit(mentee_client, module, data)
    assert QuizAttempt.objects.filter(user=mentee).count() == 1
    assert Completion.objects.filter(user=mentee).count() == 1
    assert first["Location"] == second["Location"]


def test_a_new_form_is_a_new_attempt(mentee_client, mentee, module):
    submit(mentee_client, module, answers(module, {1: [2], 2: [1], 3: [1]}))
    submit(mentee_client, module, answers(module, ALL_RIGHT))
    assert QuizAttempt.objects.filter(user=mentee).count() == 2
    assert Completion.objects.filter(user=mentee).count() == 1


def test_answers_to_another_modules_questions_are_refused_in_french(
    mentee_client, make_module, module
):
    other = make_module(slug="autre-module")
    data = answers(module, ALL_RIGHT)
    data.update({k: v for k, v in answers(other, ALL_RIGHT).items() if k.startswith(FIELD_PREFIX)})
    response = submit(mentee_client, module, data)
    assert response.status_code == 200
    assert "ne font pas partie du questionnaire de ce module" in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_a_form_of_another_module_posted_here_is_refused(mentee_client, make_module, module):
    other = make_module(slug="autre-module")
    response = submit(mentee_client, module, answers(other, ALL_RIGHT))
    assert response.status_code == 200
    assert "ne font pas partie du questionnaire" in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_an_unknown_choice_id_is_refused_in_french(mentee_client, module):
    data = answers(module, ALL_RIGHT)
    data[FIELD_PREFIX + module.questions[0].id] = [str(uuid.uuid4())]
    response = submit(mentee_client, module, data)
    assert response.status_code == 200
    assert "ne fait pas partie des choix de la question" in response.content.decode()
    assert not QuizAttempt.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"token": "pas-un-uuid"},
        {"token": "", "q_": "x"},
        {"action": "submit", "token": ["a", "b"]},
    ],
)
def test_malformed_posts_get_a_form_error_never_a_500(mentee_client, module, data):
    response = submit(mentee_client, module, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rechargez la page" in html or "Répondez à cette question." in html
    assert not QuizAttempt.objects.exists()


def test_an_unanswered_question_is_pointed_out(mentee_client, module):
    response = submit(mentee_client, module, answers(module, {1: [1], 2: [1, 2]}))
    assert "Répondez à cette question." in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_answers_saved_as_a_draft_come_back_checked(mentee_client, mentee, module):
    data = answers(module, {1: [1]})
    data["action"] = "save"
    response = submit(mentee_client, module, data)
    assert response.status_code == 302
    progress = ModuleProgress.objects.get(user=mentee, module=module)
    first = module.questions[0]
    assert progress.draft_answers == {first.id: [first.choices[0].id]}
    html = mentee_client.get(module.url).content.decode()
    assert re.search(rf'value="{first.choices[0].id}"[^>]*checked', html)
    assert not QuizAttempt.objects.exists()


def test_get_on_the_quiz_address_goes_back_to_the_module(mentee_client, module):
    response = mentee_client.get(module.url + "quiz/")
    assert response.status_code == 302 and response["Location"] == module.url


def test_an_unpublished_module_is_not_found(mentee_client, mentee, module):
    module.unpublish()
    assert mentee_client.get(module.url).status_code == 404
    assert submit(mentee_client, module, answers(module, ALL_RIGHT)).status_code == 404
    assert not QuizAttempt.objects.exists()


def test_a_module_restricted_to_another_group_is_not_found(mentee_client, client_for, module):
    restriction = PageViewRestriction.objects.create(
        page=module, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get(name="Gestionnaires"))
    assert mentee_client.get(module.url).status_code == 404
    assert submit(mentee_client, module, answers(module, ALL_RIGHT)).status_code == 404
    assert not QuizAttempt.objects.exists()
    assert client_for("gestionnaire").get(module.url).status_code == 200
    index_html = mentee_client.get(module.get_parent().url).content.decode()
    assert module.title not in index_html


def test_someone_elses_result_is_not_found(mentee_client, client_for, module):
    submit(mentee_client, module, answers(module, ALL_RIGHT))
    attempt = QuizAttempt.objects.get()
    assert client_for("mentore2").get(f"{module.url}resultat/{attempt.pk}/").status_code == 404


def test_module_without_quiz_is_completed_by_reading(mentee_client, mentee, make_module):
    module = make_module(slug="lecture", questions=[])
    html = mentee_client.get(module.url).content.decode()
    assert "J’ai lu ce module" in html or "J'ai lu ce module" in html
    response = mentee_client.post(module.url + "terminer/")
    assert response.status_code == 302
    mentee_client.post(module.url + "terminer/")
    assert Completion.objects.filter(user=mentee, module=module).count() == 1


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_module_page_queries_do_not_grow_with_questions_or_history(
    mentee_client, make_module, django_assert_num_queries
):
    small = make_module(slug="petit", questions=QUIZ[:1])
    mentee_client.get(small.url)  # the first visit creates the progress record
    baseline = _count_queries(mentee_client, small.url)

    big = make_module(slug="grand", questions=QUIZ * 4)
    for _ in range(3):
        submit(mentee_client, big, answers(big, {n: [1] for n in range(1, 13)}))
    mentee_client.get(big.url)
    with django_assert_num_queries(baseline):
        mentee_client.get(big.url)
