"""Each guide block refuses the input that would mislead a reader."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from wagtail_mentorat.guides import blocks
from wagtail_mentorat.guides.blocks import walk


def clean(block, raw):
    return block.clean(block.to_python(raw))


def answer(label, goto="", practice="", text=""):
    return {"label": label, "next_question": goto, "result_practice": practice, "result_text": text}


def question(identifier, *answers, text=None):
    return {
        "identifier": identifier,
        "question": text or f"{identifier}?",
        "answers": list(answers),
    }


TABLE = {
    "title": "Comparer",
    "practices": ["Mentorat", "Coaching", "Supervision"],
    "rows": [{"criterion": "Relation", "cells": ["Inégale", "Centrée", "Hiérarchique"]}],
}
QUESTIONNAIRE = {
    "title": "Lequel choisir?",
    "questions": [
        question(
            "besoin",
            answer("Une compétence à développer", goto="duree"),
            answer("Faire valider ma pratique", practice="Supervision"),
        ),
        question(
            "duree",
            answer("Quelques mois", practice="Mentorat"),
            answer("Quelques séances", practice="Coaching"),
        ),
    ],
}


def test_a_complete_comparison_table_is_accepted():
    value = clean(blocks.ComparisonTableBlock(), TABLE)
    assert list(value["practices"]) == ["Mentorat", "Coaching", "Supervision"]


def test_an_empty_comparison_table_is_refused_with_both_reasons():
    with pytest.raises(ValidationError) as error:
        clean(blocks.ComparisonTableBlock(), {"title": "Vide", "practices": [], "rows": []})
    assert set(error.value.block_errors) == {"practices", "rows"}


def test_a_table_comparing_a_single_practice_is_refused():
    with pytest.raises(ValidationError) as error:
        clean(
            blocks.ComparisonTableBlock(),
            {**TABLE, "practices": ["Mentorat"], "rows": [{"criterion": "But", "cells": ["x"]}]},
        )
    assert "practices" in error.value.block_errors


def test_a_row_with_a_missing_cell_is_refused_on_that_row():
    table = {**TABLE, "rows": [*TABLE["rows"], {"criterion": "Durée", "cells": ["6 mois"]}]}
    with pytest.raises(ValidationError) as error:
        clean(blocks.ComparisonTableBlock(), table)
    assert list(error.value.block_errors["rows"].block_errors) == [1]


def test_a_row_with_only_empty_cells_is_refused():
    table = {**TABLE, "rows": [{"criterion": "Durée", "cells": ["", " ", ""]}]}
    with pytest.raises(ValidationError):
        clean(blocks.ComparisonTableBlock(), table)


def test_a_questionnaire_whose_answers_all_lead_somewhere_is_accepted():
    clean(blocks.QuestionnaireBlock(), QUESTIONNAIRE)


def test_an_answer_leading_nowhere_is_refused():
    broken = {
        "title": "Lequel?",
        "questions": [question("besoin", answer("Oui", practice="Mentorat"), answer("Non"))],
    }
    with pytest.raises(ValidationError) as error:
        clean(blocks.QuestionnaireBlock(), broken)
    answers = error.value.block_errors["questions"].block_errors[0].block_errors["answers"]
    assert list(answers.block_errors) == [1]


def test_an_answer_pointing_to_a_missing_question_is_refused_on_its_field():
    broken = {
        "title": "Lequel?",
        "questions": [
            question("besoin", answer("Oui", practice="Mentorat"), answer("Non", goto="absente"))
        ],
    }
    with pytest.raises(ValidationError) as error:
        clean(blocks.QuestionnaireBlock(), broken)
    answers = error.value.block_errors["questions"].block_errors[0].block_errors["answers"]
    assert "absente" in str(answers.block_errors[1].block_errors["next_question"].message)


def test_answers_going_round_in_a_circle_are_refused():
    looping = {
        "title": "Boucle",
        "questions": [
            question("a", answer("Vers b", goto="b"), answer("Fin", practice="Mentorat")),
            question("b", answer("Vers a", goto="a"), answer("Fin", practice="Coaching")),
        ],
    }
    with pytest.raises(ValidationError) as error:
        clean(blocks.QuestionnaireBlock(), looping)
    message = error.value.block_errors["questions"].non_block_errors.as_data()[0]
    with translation.override("en"):
        assert "circle" in str(message.messages[0])


def test_a_question_no_answer_leads_to_is_refused():
    orphan = {
        "title": "Orpheline",
        "questions": [
            question("a", answer("Oui", practice="Mentorat"), answer("Non", practice="Coaching")),
            question("b", answer("Oui", practice="Mentorat"), answer("Non", practice="Coaching")),
        ],
    }
    with pytest.raises(ValidationError):
        clean(blocks.QuestionnaireBlock(), orphan)


def test_an_answer_giving_both_a_next_question_and_a_result_is_refused():
    with pytest.raises(ValidationError):
        clean(blocks.AnswerBlock(), answer("Les deux", goto="b", practice="Mentorat"))


def test_walk_follows_the_answers_to_a_result_and_ignores_a_tampered_path():
    questions = blocks.QuestionnaireBlock().to_python(QUESTIONNAIRE)["questions"]
    state = walk(questions, [0, 1])
    assert state.result["result_practice"] == "Coaching"
    assert [step["answer"]["label"] for step in state.steps] == [
        "Une compétence à développer",
        "Quelques séances",
    ]
    tampered = walk(questions, [7, 3])
    assert tampered.result is None and tampered.question["identifier"] == "besoin"


def test_faq_refuses_the_same_question_twice():
    item = {"question": "Combien de temps?", "answer": "<p>Six mois.</p>"}
    with pytest.raises(ValidationError):
        clean(blocks.FaqBlock(), {"title": "", "items": [item, {**item}]})


def test_callout_refuses_rich_text_without_words():
    with pytest.raises(ValidationError) as error:
        clean(blocks.CalloutBlock(), {"kind": "info", "title": "Titre", "text": "<p><br/></p>"})
    assert "text" in error.value.block_errors


def test_a_process_has_at_least_two_steps():
    with pytest.raises(ValidationError):
        clean(blocks.ProcessBlock(), {"title": "", "steps": [{"title": "Seule étape"}]})


@pytest.mark.django_db
def test_responsibilities_need_a_programme_or_both_columns(programme):
    block = blocks.ResponsibilitiesBlock()
    with pytest.raises(ValidationError) as error:
        clean(block, {"mentor": ["Écouter"], "mentee": []})
    assert set(error.value.block_errors) == {"mentee"}
    value = clean(block, {"programme": programme.pk, "mentor": [], "mentee": []})
    context = block.get_context(value)
    assert (
        context["mentor_items"][0] == "Écouter attentivement les besoins exprimés par le mentoré."
    )
    assert len(context["mentee_items"]) == len(programme.mentee_responsibilities.splitlines())


def test_quote_marks_typed_by_the_editor_are_removed_and_an_empty_quote_refused():
    value = clean(blocks.QuoteBlock(), {"quote": "« Guide et modèle »", "attribution": ""})
    assert value["quote"] == "Guide et modèle"
    with pytest.raises(ValidationError):
        clean(blocks.QuoteBlock(), {"quote": "« »"})


@pytest.mark.django_db
def test_links_refuse_the_same_page_twice_and_an_unpublished_page(guides_index, make_guide):
    guide = make_guide("Guide lié")
    block = blocks.LinksBlock()
    with pytest.raises(ValidationError):
        clean(block, {"links": [{"page": guide.pk}, {"page": guide.pk}]})
    guide.unpublish()
    with pytest.raises(ValidationError):
        clean(block, {"links": [{"page": guide.pk}]})


def test_every_block_has_an_icon_a_template_help_and_a_preview():
    for block in blocks.GuideBody().child_blocks.values():
        if not isinstance(block, blocks.blocks.StructBlock):
            continue
        assert block.meta.icon != "placeholder", block.name
        assert block.meta.template.startswith("mentorat_guides/blocks/"), block.name
        assert block.meta.help_text, block.name
        assert block.is_previewable, block.name
