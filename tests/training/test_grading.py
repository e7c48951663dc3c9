"""Grading rule: all-or-nothing per question, score rounded down, exact pass mark."""

import pytest
from wagtail.blocks.struct_block import StructBlockValidationError

from wagtail_mentorat.training.blocks import MultipleChoiceQuestionBlock, SingleChoiceQuestionBlock
from wagtail_mentorat.training.grading import Choice, Question, grade

SINGLE = Question(
    id="q1",
    text="?",
    multiple=False,
    choices=(Choice("a", "A", True, "yes-a"), Choice("b", "B", False, "no-b")),
)
MULTI = Question(
    id="q2",
    text="?",
    multiple=True,
    choices=(
        Choice("c", "C", True, "yes-c"),
        Choice("d", "D", True, "yes-d"),
        Choice("e", "E", False, "no-e"),
    ),
)
THIRD = Question(
    id="q3",
    text="?",
    multiple=False,
    choices=(Choice("f", "F", True), Choice("g", "G", False)),
)


def test_single_choice_scores_only_the_correct_choice():
    assert grade([SINGLE], {"q1": ["a"]}, 50).points == 1
    assert grade([SINGLE], {"q1": ["b"]}, 50).points == 0


def test_multiple_choice_needs_exactly_the_correct_set():
    assert grade([MULTI], {"q2": ["c", "d"]}, 50).points == 1


def test_multiple_choice_partial_answer_scores_nothing():
    result = grade([MULTI], {"q2": ["c"]}, 50)
    assert result.points == 0
    assert result.questions[0].correct is False


def test_multiple_choice_with_a_wrong_choice_added_scores_nothing():
    assert grade([MULTI], {"q2": ["c", "d", "e"]}, 50).points == 0


def test_ticking_every_box_scores_nothing():
    assert grade([MULTI], {"q2": ["c", "d", "e"]}, 0).questions[0].correct is False


def test_unanswered_and_unknown_choices_score_nothing():
    result = grade([SINGLE, MULTI], {"q1": ["zzz"], "other": ["a"]}, 50)
    assert result.points == 0
    assert result.question_count == 2


def test_score_is_rounded_down():
    result = grade([SINGLE, MULTI, THIRD], {"q1": ["a"], "q2": ["c", "d"], "q3": ["g"]}, 60)
    assert result.score == 66


@pytest.mark.parametrize(
    ("pass_mark", "passed"), [(60, True), (66, True), (67, False), (100, False)]
)
def test_pass_mark_uses_exact_arithmetic(pass_mark, passed):
    # 2 of 3 = 66.67 %: passes 66, fails 67 (no rounding up past the mark).
    result = grade([SINGLE, MULTI, THIRD], {"q1": ["a"], "q2": ["c", "d"]}, pass_mark)
    assert result.passed is passed


def test_feedback_is_given_for_the_picked_choices_only():
    result = grade([MULTI], {"q2": ["c", "d"]}, 50)
    assert result.questions[0].feedback == ("yes-c", "yes-d")
    assert result.questions[0].missing is False


def test_a_wrong_answer_gets_no_approving_feedback():
    """A "yes" on the right choice picked would contradict the wrong result."""
    wrong = grade([MULTI], {"q2": ["c", "e"]}, 50).questions[0]
    assert wrong.feedback == ("no-e",)
    assert wrong.missing is True
    partial = grade([MULTI], {"q2": ["c"]}, 50).questions[0]
    assert partial.feedback == ()
    assert partial.missing is True
    extra = grade([MULTI], {"q2": ["c", "d", "e"]}, 50).questions[0]
    assert extra.feedback == ("no-e",)
    assert extra.missing is False


def test_the_same_feedback_is_shown_once():
    same = Question(
        id="q4",
        text="?",
        multiple=True,
        choices=(Choice("h", "H", True, "Yes."), Choice("i", "I", True, "Yes.")),
    )
    assert grade([same], {"q4": ["h", "i"]}, 50).questions[0].feedback == ("Yes.",)


def test_single_choice_block_needs_exactly_one_correct_choice():
    block = SingleChoiceQuestionBlock()
    two = block.to_python(
        {
            "question": "?",
            "choices": [{"text": "A", "correct": True}, {"text": "B", "correct": True}],
        }
    )
    with pytest.raises(StructBlockValidationError):
        block.clean(two)


def test_multiple_choice_block_needs_a_correct_choice():
    block = MultipleChoiceQuestionBlock()
    none = block.to_python(
        {
            "question": "?",
            "choices": [{"text": "A", "correct": False}, {"text": "B", "correct": False}],
        }
    )
    with pytest.raises(StructBlockValidationError):
        block.clean(none)
    fine = block.to_python(
        {
            "question": "?",
            "choices": [{"text": "A", "correct": True}, {"text": "B", "correct": True}],
        }
    )
    assert block.clean(fine)["question"] == "?"
