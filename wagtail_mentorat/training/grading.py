"""Quiz grading, on the server and without the ORM.

The rule, all-or-nothing per question:

* every question is worth one point;
* a single-choice question scores when the one chosen choice is the correct one;
* a multiple-choice question scores only when the chosen set is exactly the set of
  correct choices: a partial answer (some correct choices missing) or an answer with a
  wrong choice added scores nothing for that question;
* the score is the percentage of points, rounded down (2 of 3 is 66 %);
* the quiz is passed when ``points * 100 >= pass_mark * questions`` (exact arithmetic,
  so a rounding never passes someone below the mark).

Partial credit was rejected: ticking every box of a multiple-choice question would
otherwise earn most of its point.

Feedback matches the result: on a right answer, the feedback of the chosen choices; on a
wrong one, only the feedback of the wrong choices picked (a "yes" on a right choice would
contradict the wrong result), and ``missing`` when right choices were left out. The same
text is never shown twice.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    correct: bool
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    multiple: bool
    choices: tuple[Choice, ...]

    @property
    def correct_ids(self):
        return frozenset(choice.id for choice in self.choices if choice.correct)

    @property
    def choice_ids(self):
        return frozenset(choice.id for choice in self.choices)


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    selected: frozenset
    correct: bool
    feedback: tuple[str, ...]
    missing: bool = False  # wrong because right choices were left out


@dataclass(frozen=True)
class QuizResult:
    points: int
    question_count: int
    pass_mark: int
    questions: tuple[QuestionResult, ...] = field(default=())

    @property
    def score(self):
        if not self.question_count:
            return 100
        return self.points * 100 // self.question_count

    @property
    def passed(self):
        return self.points * 100 >= self.pass_mark * self.question_count


def questions_from_body(body):
    """The quiz questions of a module's StreamField, in page order."""
    questions = []
    for block in body:
        if block.block_type not in ("single_choice", "multiple_choice"):
            continue
        choices = tuple(
            Choice(
                id=str(item.id),
                text=item.value["text"],
                correct=bool(item.value["correct"]),
                feedback=item.value.get("feedback") or "",
            )
            for item in block.value["choices"].bound_blocks
        )
        questions.append(
            Question(
                id=str(block.id),
                text=block.value["question"],
                multiple=block.block_type == "multiple_choice",
                choices=choices,
            )
        )
    return questions


def grade(questions, answers, pass_mark):
    """Grade ``answers`` ({question id: iterable of choice ids}) against ``questions``.

    Answers to unknown questions and unknown choice ids are ignored here: the form
    refuses them before grading (``training.forms.QuizForm``).
    """
    results = []
    for question in questions:
        selected = frozenset(answers.get(question.id, ())) & question.choice_ids
        correct = bool(selected) and selected == question.correct_ids
        explained = [
            choice
            for choice in question.choices
            if choice.id in selected and (correct or not choice.correct)
        ]
        results.append(
            QuestionResult(
                question=question,
                selected=selected,
                correct=correct,
                feedback=tuple(dict.fromkeys(c.feedback for c in explained if c.feedback)),
                missing=not correct and bool(question.correct_ids - selected),
            )
        )
    return QuizResult(
        points=sum(1 for result in results if result.correct),
        question_count=len(questions),
        pass_mark=pass_mark,
        questions=tuple(results),
    )
