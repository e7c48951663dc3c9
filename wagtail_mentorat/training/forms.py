"""Front-end forms: the quiz (choices' text only, never their correctness) and requests."""

from django import forms
from django.utils.translation import gettext_lazy as _

FIELD_PREFIX = "q_"


class QuizForm(forms.Form):
    """One field per question of a module; the choices offered are ids and text.

    Refuses, with a message in the form, answers to questions that are not this module's
    (a form from another module, a stale page), unknown choice ids and a missing or
    malformed form token. ``require_all=False`` is for saving answers as a draft.
    """

    token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form is incomplete. Reload the page and try again."),
            "invalid": _("The form is incomplete. Reload the page and try again."),
        },
    )

    def __init__(self, questions, *args, require_all=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            choices = [(choice.id, choice.text) for choice in question.choices]
            common = {
                "label": question.text,
                "choices": choices,
                "required": require_all,
                "error_messages": {
                    "required": _("Answer this question."),
                    "invalid_choice": _("This choice is not one of the question's choices."),
                    "invalid_list": _("This choice is not one of the question's choices."),
                },
            }
            if question.multiple:
                field = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, **common)
                field.help_text = _("Several answers may be right.")
            else:
                field = forms.ChoiceField(widget=forms.RadioSelect, **common)
            field.number = number
            self.fields[FIELD_PREFIX + question.id] = field

    def clean(self):
        cleaned = super().clean()
        foreign = [
            key
            for key in (self.data.keys() if self.data else ())
            if key.startswith(FIELD_PREFIX) and key not in self.fields
        ]
        if foreign:
            raise forms.ValidationError(
                _(
                    "Some answers are for questions that are not in this module's quiz. "
                    "Reload the page and answer again."
                ),
                code="foreign_questions",
            )
        return cleaned

    def answers(self):
        """{question id: [choice ids]} from the cleaned data (empty answers left out)."""
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(FIELD_PREFIX + question.id)
            if not value:
                continue
            answers[question.id] = list(value) if question.multiple else [value]
        return answers

    @classmethod
    def initial_from(cls, draft_answers, questions):
        initial = {}
        for question in questions:
            value = (draft_answers or {}).get(question.id)
            if not value:
                continue
            initial[FIELD_PREFIX + question.id] = value if question.multiple else value[0]
        return initial


class TrainingRequestForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    details = forms.CharField(
        label=_("What would help you"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    module = forms.TypedChoiceField(
        label=_("Related module"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, modules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [("", _("None in particular"))] + [
            (module.pk, module.title) for module in modules
        ]
