"""StreamField blocks of a training module: content, and quiz questions.

A question's choices carry whether they are correct and a feedback text. Those two
values are read on the server only (``training.grading``); the templates that reach
the browser before a quiz is graded render the question and the choices' text alone.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

CALLOUT_KINDS = [
    ("info", _("Information")),
    ("tip", _("Good practice")),
    ("warning", _("Caution")),
]


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("Video address"), help_text=_("A YouTube, Vimeo… address."))
    caption = blocks.CharBlock(label=_("Caption"), required=False)
    transcript = blocks.TextBlock(
        label=_("Transcript"),
        required=False,
        help_text=_("A text version for people who cannot watch the video."),
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "mentorat_training/blocks/video.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(label=_("Description"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "mentorat_training/blocks/document.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(choices=CALLOUT_KINDS, default="info", label=_("Kind"))
    title = blocks.CharBlock(label=_("Title"), required=False)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ul"])

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "mentorat_training/blocks/callout.html"


class CaseStudyBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    situation = blocks.RichTextBlock(
        label=_("Situation"), features=["bold", "italic", "link", "ul", "ol"]
    )
    questions = blocks.ListBlock(
        blocks.CharBlock(label=_("Question")),
        label=_("Questions for reflection"),
        required=False,
    )
    discussion = blocks.RichTextBlock(
        label=_("Discussion"),
        required=False,
        features=["bold", "italic", "link", "ul", "ol"],
        help_text=_("Shown folded under the case, for after the reflection."),
    )

    class Meta:
        icon = "group"
        label = _("Case study")
        template = "mentorat_training/blocks/case_study.html"


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Choice"))
    correct = blocks.BooleanBlock(label=_("Correct answer"), required=False)
    feedback = blocks.TextBlock(
        label=_("Feedback"),
        required=False,
        help_text=_("Shown after grading to the people who picked this choice."),
    )

    class Meta:
        icon = "radio-empty"
        label = _("Choice")


class QuestionBlock(blocks.StructBlock):
    """A quiz question; subclasses say whether one or several choices are correct."""

    question = blocks.TextBlock(label=_("Question"))
    choices = blocks.ListBlock(ChoiceBlock(), label=_("Choices"), min_num=2)

    multiple = False

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        if self.multiple and correct < 1:
            raise StructBlockValidationError(
                non_block_errors=[ValidationError(_("Mark at least one choice as correct."))]
            )
        if not self.multiple and correct != 1:
            raise StructBlockValidationError(
                non_block_errors=[ValidationError(_("Mark exactly one choice as correct."))]
            )
        return value

    class Meta:
        template = "mentorat_training/blocks/question_preview.html"


class SingleChoiceQuestionBlock(QuestionBlock):
    multiple = False

    class Meta:
        icon = "radio-full"
        label = _("Quiz question (single choice)")


class MultipleChoiceQuestionBlock(QuestionBlock):
    multiple = True

    class Meta:
        icon = "tasks"
        label = _("Quiz question (multiple choice)")


QUESTION_BLOCK_TYPES = ("single_choice", "multiple_choice")


class ModuleBody(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        icon="pilcrow",
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "document-link"],
    )
    video = VideoBlock()
    document = DocumentBlock()
    image = ImageBlock(label=_("Image"))
    callout = CalloutBlock()
    case_study = CaseStudyBlock()
    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
