"""StreamField blocks made for guides about mentoring (seeds 000, 001, 002, 003, 004).

Each ``StructBlock`` has an icon, a template of its own, help text, a preview for the
block picker and a ``clean()`` that refuses what would mislead a reader: a comparison
table with nothing to compare, a questionnaire answer that leads nowhere, a process of
one step.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ul", "ol"]
PREVIEW_TEMPLATE = "mentorat_guides/blocks/preview.html"


def _list_error(messages):
    return ListBlockValidationError(non_block_errors=[ValidationError(m) for m in messages])


def _has_text(html):
    return bool(strip_tags(str(html or "")).strip())


# --------------------------------------------------------------------- comparison table


class ComparisonRowBlock(blocks.StructBlock):
    criterion = blocks.CharBlock(
        label=_("Criterion"), help_text=_("E.g. purpose, who leads, relationship, duration.")
    )
    cells = blocks.ListBlock(
        blocks.TextBlock(label=_("Cell"), required=False),
        label=_("Cells"),
        help_text=_("One cell per practice, in the order of the columns."),
    )

    class Meta:
        icon = "list-ul"
        label = _("Criterion")
        template = "mentorat_guides/blocks/comparison_row.html"
        help_text = _("A row of the table: a criterion and what each practice says about it.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "criterion": "Relation",
            "cells": ["Inégale, fondée sur l'expérience", "Centrée sur un objectif"],
        }

    def clean(self, value):
        value = super().clean(value)
        if not any((cell or "").strip() for cell in value["cells"]):
            raise StructBlockValidationError(
                block_errors={"cells": _list_error([_("Fill in at least one cell of this row.")])}
            )
        return value


class ComparisonTableBlock(blocks.StructBlock):
    """Practices as columns, criteria as rows (seed 000: "les différences entre le
    mentorat, le coaching et la supervision")."""

    title = blocks.CharBlock(label=_("Title"), required=False)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)
    practices = blocks.ListBlock(
        blocks.CharBlock(label=_("Practice")),
        label=_("Practices (columns)"),
        help_text=_("E.g. mentoring, coaching, supervision, training, peer support."),
    )
    rows = blocks.ListBlock(ComparisonRowBlock(), label=_("Criteria (rows)"))

    class Meta:
        icon = "table"
        label = _("Comparison table")
        template = "mentorat_guides/blocks/comparison_table.html"
        help_text = _("Compares practices side by side. On a phone, each criterion becomes a card.")
        description = _("Mentoring, coaching, supervision… compared criterion by criterion.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "title": "Mentorat, coaching ou supervision?",
            "practices": ["Mentorat", "Coaching", "Supervision"],
            "rows": [
                {
                    "criterion": "But",
                    "cells": [
                        "Développer des compétences par le transfert d'expertise",
                        "Atteindre un objectif précis de performance",
                        "Encadrer la pratique et la qualité des services",
                    ],
                },
                {
                    "criterion": "Relation",
                    "cells": ["Guide, conseiller et modèle", "Entraîneur", "Hiérarchique"],
                },
            ],
        }

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        practices = [name.strip() for name in value["practices"]]
        if len([name for name in practices if name]) < 2:
            errors["practices"] = _list_error([_("Compare at least two practices.")])
        elif len(set(practices)) != len(practices):
            errors["practices"] = _list_error([_("Each practice appears once.")])
        if not value["rows"]:
            errors["rows"] = _list_error([_("Add at least one criterion to compare.")])
        else:
            row_errors = {}
            for index, row in enumerate(value["rows"]):
                if len(row["cells"]) != len(practices):
                    message = _("This row has %(cells)d cells for %(practices)d practices.") % {
                        "cells": len(row["cells"]),
                        "practices": len(practices),
                    }
                    row_errors[index] = StructBlockValidationError(
                        block_errors={"cells": _list_error([message])}
                    )
            if row_errors:
                errors["rows"] = ListBlockValidationError(block_errors=row_errors)
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        practices = list(value["practices"])
        context["table_rows"] = [
            {
                "criterion": row["criterion"],
                "cells": [
                    (practice, cell)
                    for practice, cell in zip(
                        practices, list(row["cells"]) + [""] * len(practices), strict=False
                    )
                ],
            }
            for row in value["rows"]
        ]
        return context


# ------------------------------------------------------------------------ questionnaire


class AnswerBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Answer"))
    next_question = blocks.CharBlock(
        label=_("Next question"),
        required=False,
        max_length=50,
        validators=[validate_slug],
        help_text=_(
            "The identifier of the question this answer leads to. "
            "Leave empty when this answer gives a result."
        ),
    )
    result_practice = blocks.CharBlock(
        label=_("Recommended practice"),
        required=False,
        help_text=_("The result this answer gives, e.g. “Mentoring”."),
    )
    result_text = blocks.TextBlock(label=_("Why"), required=False)
    result_page = blocks.PageChooserBlock(
        label=_("Page to read next"),
        required=False,
        help_text=_("The guide, programme or training page that answers this need."),
    )

    class Meta:
        icon = "arrow-right"
        label = _("Answer")
        template = "mentorat_guides/blocks/answer.html"
        help_text = _("Leads either to another question or to a recommended practice.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {"label": "Développer une compétence sur quelques mois"}

    def clean(self, value):
        value = super().clean(value)
        goes_on = bool(value["next_question"])
        concludes = bool(value["result_practice"])
        if not goes_on and not concludes:
            raise StructBlockValidationError(
                non_block_errors=[
                    ValidationError(
                        _("This answer leads nowhere: give a next question or a result.")
                    )
                ]
            )
        if goes_on and concludes:
            raise StructBlockValidationError(
                non_block_errors=[
                    ValidationError(
                        _("An answer leads to a next question or to a result, not both.")
                    )
                ]
            )
        if not concludes and (value["result_text"] or value["result_page"]):
            raise StructBlockValidationError(
                block_errors={
                    "result_practice": ValidationError(
                        _("Name the recommended practice this explanation belongs to.")
                    )
                }
            )
        return value


class QuestionBlock(blocks.StructBlock):
    identifier = blocks.CharBlock(
        label=_("Identifier"),
        max_length=50,
        validators=[validate_slug],
        help_text=_("A short name answers use to lead here, e.g. “need” or “duration”."),
    )
    question = blocks.CharBlock(label=_("Question"))
    help = blocks.TextBlock(label=_("Help"), required=False)
    answers = blocks.ListBlock(AnswerBlock(), label=_("Answers"), min_num=2)

    class Meta:
        icon = "help"
        label = _("Question")
        template = "mentorat_guides/blocks/question.html"
        help_text = _("A question with two answers or more.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "identifier": "besoin",
            "question": "De quoi avez-vous besoin?",
            "answers": [
                {"label": "Développer une compétence", "result_practice": "Mentorat"},
                {"label": "Faire valider ma pratique", "result_practice": "Supervision"},
            ],
        }

    def clean(self, value):
        value = super().clean(value)
        labels = [answer["label"].strip().lower() for answer in value["answers"]]
        if len(set(labels)) != len(labels):
            raise StructBlockValidationError(
                block_errors={"answers": _list_error([_("Two answers have the same text.")])}
            )
        return value


class Walk:
    """Where a reader is in a questionnaire: the answers given, then a question or a result."""

    def __init__(self, steps, question, result):
        self.steps, self.question, self.result = steps, question, result


def walk(questions, path):
    """Follow ``path`` (answer positions) through ``questions`` from the first one.

    Returns a ``Walk``. Positions that do not exist are ignored, so a stale or
    tampered address restarts where it stops making sense.
    """
    by_identifier = {question["identifier"]: question for question in questions}
    question = questions[0] if questions else None
    steps, taken = [], []
    for position in path:
        if question is None or not 0 <= position < len(question["answers"]):
            break
        answer = question["answers"][position]
        taken.append(position)
        steps.append({"question": question, "answer": answer, "path": taken[:-1]})
        if answer["result_practice"]:
            return Walk(steps, None, answer)
        question = by_identifier.get(answer["next_question"])
        if question is None or len(steps) > len(questions):
            break
    return Walk(steps, question, None)


class QuestionnaireBlock(blocks.StructBlock):
    """ "Which one do I need?": questions lead to the right practice and page.

    Works without JavaScript: each answer is a button of a GET form; the address keeps
    the answers given, so the back button and a shared link both work.
    """

    title = blocks.CharBlock(label=_("Title"))
    intro = blocks.TextBlock(label=_("Introduction"), required=False)
    questions = blocks.ListBlock(
        QuestionBlock(),
        label=_("Questions"),
        min_num=1,
        help_text=_("The first question is asked first; answers lead to the others."),
    )

    class Meta:
        icon = "help"
        label = _("Questionnaire “which one do I need?”")
        template = "mentorat_guides/blocks/questionnaire.html"
        help_text = _(
            "Guides a reader, question by question, to the practice and the page they need."
        )
        description = _("A guided questionnaire that leads to the right practice and page.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "title": "De quel accompagnement ai-je besoin?",
            "questions": [
                {
                    "identifier": "besoin",
                    "question": "Que cherchez-vous?",
                    "answers": [
                        {
                            "label": "Développer une compétence sur quelques mois",
                            "result_practice": "Mentorat",
                        },
                        {
                            "label": "Faire valider ma pratique",
                            "result_practice": "Supervision",
                        },
                    ],
                }
            ],
        }

    def clean(self, value):
        value = super().clean(value)
        questions = list(value["questions"])
        identifiers = [question["identifier"] for question in questions]
        question_errors = {}
        seen = set()
        for index, identifier in enumerate(identifiers):
            if identifier in seen:
                question_errors[index] = StructBlockValidationError(
                    block_errors={
                        "identifier": ValidationError(_("Two questions share this identifier."))
                    }
                )
            seen.add(identifier)
        for index, question in enumerate(questions):
            answer_errors = {}
            for position, answer in enumerate(question["answers"]):
                target = answer["next_question"]
                if not target:
                    continue
                if target not in seen:
                    message = _("No question has the identifier “%(identifier)s”.")
                elif target == question["identifier"]:
                    message = _("An answer cannot lead back to its own question.")
                else:
                    continue
                answer_errors[position] = StructBlockValidationError(
                    block_errors={
                        "next_question": ValidationError(message % {"identifier": target})
                    }
                )
            if answer_errors:
                question_errors.setdefault(
                    index,
                    StructBlockValidationError(
                        block_errors={
                            "answers": ListBlockValidationError(block_errors=answer_errors)
                        }
                    ),
                )
        if question_errors:
            raise StructBlockValidationError(
                block_errors={"questions": ListBlockValidationError(block_errors=question_errors)}
            )
        problems = self._graph_problems(questions)
        if problems:
            raise StructBlockValidationError(block_errors={"questions": _list_error(problems)})
        return value

    @staticmethod
    def _graph_problems(questions):
        """Questions no answer leads to, and answers that go round in circles."""
        graph = {
            question["identifier"]: [
                answer["next_question"] for answer in question["answers"] if answer["next_question"]
            ]
            for question in questions
        }
        problems = []
        reached, stack = set(), [questions[0]["identifier"]] if questions else []
        while stack:
            current = stack.pop()
            if current not in reached:
                reached.add(current)
                stack.extend(graph.get(current, []))
        for identifier in graph:
            if identifier not in reached:
                problems.append(
                    _("No answer leads to the question “%(identifier)s”.")
                    % {"identifier": identifier}
                )
        visiting, done = set(), set()

        def has_cycle(node):
            if node in visiting:
                return True
            if node in done:
                return False
            visiting.add(node)
            found = any(has_cycle(target) for target in graph.get(node, []))
            visiting.discard(node)
            done.add(node)
            return found

        if any(has_cycle(identifier) for identifier in graph):
            problems.append(_("Some answers lead round in a circle: the questionnaire never ends."))
        return problems

    def state_key(self, value):
        """The address parameter holding a reader's answers: stable for a questionnaire."""
        first = value["questions"][0]["question"] if value["questions"] else ""
        digest = hashlib.sha1(
            f"{value['title']}|{first}".encode(), usedforsecurity=False
        ).hexdigest()[:8]
        return f"choix-{digest}"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        key = self.state_key(value)
        request = (parent_context or {}).get("request")
        raw = request.GET.get(key, "") if request is not None else ""
        path = [int(part) for part in raw.split(".") if part.isdigit()][:50]
        state = walk(list(value["questions"]), path)
        taken = path[: len(state.steps)]
        choices = []
        if state.question is not None:
            choices = [
                (".".join(str(p) for p in [*taken, position]), answer)
                for position, answer in enumerate(state.question["answers"])
            ]
        context.update(
            key=key,
            steps=[dict(step, path=".".join(str(p) for p in step["path"])) for step in state.steps],
            question=state.question,
            choices=choices,
            result=state.result,
        )
        return context


# ------------------------------------------------------------------------ other blocks


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"))
    answer = blocks.RichTextBlock(label=_("Answer"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = _("Question and answer")
        template = "mentorat_guides/blocks/faq_item.html"
        help_text = _("A question staff ask, and its answer.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "question": "Mon mentor peut-il être mon gestionnaire?",
            "answer": "<p>Non. Le mentor n'est jamais le supérieur hiérarchique du mentoré.</p>",
        }

    def clean(self, value):
        value = super().clean(value)
        if not _has_text(value["answer"].source):
            raise StructBlockValidationError(
                block_errors={"answer": ValidationError(_("Write the answer."))}
            )
        return value


class FaqBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False)
    items = blocks.ListBlock(FaqItemBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        label = _("Frequently asked questions")
        template = "mentorat_guides/blocks/faq.html"
        help_text = _("Questions that fold open one by one.")
        description = _("Questions and answers that fold open.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "title": "Questions fréquentes",
            "items": [
                {
                    "question": "Combien de temps dure le mentorat?",
                    "answer": "<p>Au plus six mois, avec un bilan à la mi-temps et à la fin.</p>",
                }
            ],
        }

    def clean(self, value):
        value = super().clean(value)
        questions = [item["question"].strip().lower() for item in value["items"]]
        if len(set(questions)) != len(questions):
            raise StructBlockValidationError(
                block_errors={"items": _list_error([_("The same question is asked twice.")])}
            )
        return value


class CalloutBlock(blocks.StructBlock):
    KINDS = [
        ("info", _("Information")),
        ("important", _("Important")),
        ("warning", _("Caution")),
    ]
    kind = blocks.ChoiceBlock(choices=KINDS, default="info", label=_("Kind"))
    title = blocks.CharBlock(label=_("Title"), required=False)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "mentorat_guides/blocks/callout.html"
        help_text = _("A short message set apart: a rule to remember, a caution.")
        description = _("A message set apart from the text.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "kind": "important",
            "title": "Jamais une sanction",
            "text": "<p>Le mentorat ne doit jamais être retiré pour sanctionner ou punir.</p>",
        }

    def clean(self, value):
        value = super().clean(value)
        if not _has_text(value["text"].source):
            raise StructBlockValidationError(
                block_errors={"text": ValidationError(_("A callout needs some text."))}
            )
        return value


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Step"))
    text = blocks.TextBlock(label=_("Details"), required=False)
    who = blocks.CharBlock(label=_("Who"), required=False, help_text=_("E.g. the manager."))

    class Meta:
        icon = "arrow-right"
        label = _("Step")
        template = "mentorat_guides/blocks/step.html"
        help_text = _("One step of the process.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {"title": "Compléter l'entente de mentorat", "who": "Mentor et mentoré"}

    def clean(self, value):
        value = super().clean(value)
        if value["title"].strip() == (value["text"] or "").strip():
            raise StructBlockValidationError(
                block_errors={"text": ValidationError(_("The details repeat the step's title."))}
            )
        return value


class ProcessBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False)
    steps = blocks.ListBlock(StepBlock(), label=_("Steps"))

    class Meta:
        icon = "list-ol"
        label = _("Step-by-step process")
        template = "mentorat_guides/blocks/process.html"
        help_text = _("A numbered process, e.g. from the need to the end of the mentoring.")
        description = _("A numbered process, step by step.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "title": "La démarche",
            "steps": [
                {"title": "Le besoin est identifié", "who": "Intervenant ou gestionnaire"},
                {"title": "Le jumelage est fait", "who": "Gestionnaire"},
                {"title": "L'entente est complétée", "who": "Mentor et mentoré"},
            ],
        }

    def clean(self, value):
        value = super().clean(value)
        if len(value["steps"]) < 2:
            raise StructBlockValidationError(
                block_errors={"steps": _list_error([_("A process has at least two steps.")])}
            )
        return value


class ResponsibilitiesBlock(blocks.StructBlock):
    """Two columns, mentor and mentee (seed 004). Chosen programme: its agreement's
    responsibilities are shown, so the guide says what the agreement says."""

    title = blocks.CharBlock(label=_("Title"), required=False)
    programme = SnippetChooserBlock(
        "wagtail_mentorat.Programme",
        label=_("Programme"),
        required=False,
        help_text=_(
            "Show the responsibilities written in this programme's agreement. "
            "Lists typed below replace them."
        ),
    )
    mentor = blocks.ListBlock(
        blocks.CharBlock(label=_("Responsibility")), label=_("Mentor's responsibilities")
    )
    mentee = blocks.ListBlock(
        blocks.CharBlock(label=_("Responsibility")), label=_("Mentee's responsibilities")
    )

    class Meta:
        icon = "group"
        label = _("Responsibilities")
        template = "mentorat_guides/blocks/responsibilities.html"
        help_text = _("What the mentor and the mentee each commit to, side by side.")
        description = _("Mentor and mentee responsibilities in two columns.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "title": "Responsabilités",
            "mentor": ["Écouter attentivement les besoins exprimés par le mentoré"],
            "mentee": ["S'engager pleinement dans la démarche de mentorat"],
        }

    def clean(self, value):
        value = super().clean(value)
        if value["programme"] is None:
            errors = {}
            for name in ("mentor", "mentee"):
                if not [item for item in value[name] if item.strip()]:
                    errors[name] = _list_error(
                        [_("Add at least one responsibility, or choose a programme.")]
                    )
            if errors:
                raise StructBlockValidationError(block_errors=errors)
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        programme = value["programme"]

        def column(name, field):
            items = [item for item in value[name] if item.strip()]
            if not items and programme is not None:
                items = [line.strip() for line in getattr(programme, field).splitlines()]
            return [item for item in items if item]

        context["mentor_items"] = column("mentor", "mentor_responsibilities")
        context["mentee_items"] = column("mentee", "mentee_responsibilities")
        return context


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quotation"))
    attribution = blocks.CharBlock(label=_("Who said it"), required=False)
    source = blocks.CharBlock(label=_("Source"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Quotation")
        template = "mentorat_guides/blocks/quote.html"
        help_text = _("Type the words without quotation marks: the page adds them.")
        description = _("A quotation with its author and source.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "quote": "Le mentor agit à titre de guide, de conseiller et de modèle.",
            "source": "Fiche synthèse — Mentorat",
        }

    QUOTE_MARKS = "\"'«»“”„‘’ \u00a0\u202f"

    def clean(self, value):
        value = super().clean(value)
        quote = value["quote"].strip().strip(self.QUOTE_MARKS).strip()
        if not quote:
            raise StructBlockValidationError(
                block_errors={"quote": ValidationError(_("The quotation is empty."))}
            )
        value["quote"] = quote
        return value


class LinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label=_("Page"))
    text = blocks.TextBlock(label=_("Why read it"), required=False)

    class Meta:
        icon = "link"
        label = _("Link")
        template = "mentorat_guides/blocks/link.html"
        help_text = _("A programme, a training module or another guide.")
        preview_template = PREVIEW_TEMPLATE

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        page = value["page"]
        target = page.localized if page is not None else None
        context["target"] = target if target is not None and target.live else None
        context["kind"] = target.specific_class._meta.verbose_name if context["target"] else ""
        return context

    def clean(self, value):
        value = super().clean(value)
        if value["page"] is not None and not value["page"].live:
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(_("This page is not published."))}
            )
        return value


class LinksBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False)
    links = blocks.ListBlock(LinkBlock(), label=_("Links"), min_num=1)

    class Meta:
        icon = "link"
        label = _("Programmes and training")
        template = "mentorat_guides/blocks/links.html"
        help_text = _("Cards leading to programmes, training modules or other guides.")
        description = _("Cards leading to programmes and training.")
        preview_template = PREVIEW_TEMPLATE
        preview_value = {"title": "Pour aller plus loin", "links": []}

    def clean(self, value):
        value = super().clean(value)
        ids = [link["page"].pk for link in value["links"] if link["page"] is not None]
        if len(set(ids)) != len(ids):
            raise StructBlockValidationError(
                block_errors={"links": _list_error([_("The same page is linked twice.")])}
            )
        return value


class GuideBody(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Heading"),
        icon="title",
        template="mentorat_guides/blocks/heading.html",
        help_text=_("A section heading; it appears in the page's table of contents."),
    )
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), icon="pilcrow", features=RICH_TEXT_FEATURES + ["h3"]
    )
    comparison = ComparisonTableBlock()
    questionnaire = QuestionnaireBlock()
    faq = FaqBlock()
    callout = CalloutBlock()
    process = ProcessBlock()
    responsibilities = ResponsibilitiesBlock()
    quote = QuoteBlock()
    links = LinksBlock()
