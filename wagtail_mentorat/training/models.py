"""Training for mentoring programmes: pages editors build, and what staff do with them.

Pages: a training index, learning paths (an ordered set of modules) and modules (a
StreamField body with quiz questions). Records: progress, quiz attempts, completions
(with their expiry: continuing training), live sessions on request with registrations
and a waiting list. The rules live in ``training.services``.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from wagtail_mentorat import ids  # noqa: F401 (registers <mentorat_id:…>)
from wagtail_mentorat.auth import LoginRequiredPageMixin
from wagtail_mentorat.templating import MentoratPageMixin
from wagtail_mentorat.text import AccentInsensitiveSearchMixin, folded_search_field

from .blocks import QUESTION_BLOCK_TYPES, ModuleBody

AUDIENCES = [
    ("mentors", _("Mentors")),
    ("mentees", _("Mentees")),
    ("staff", _("Programme staff")),
    ("managers", _("Managers")),
]


def add_months(day, months):
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has 28 days


# --------------------------------------------------------------------------- pages


class TrainingIndexPage(
    LoginRequiredPageMixin,
    MentoratPageMixin,
    AccentInsensitiveSearchMixin,
    RoutablePageMixin,
    Page,
):
    """The training catalogue: learning paths, modules, live sessions and requests."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro"), folded_search_field]
    folded_search_attributes = ("title", "intro")
    subpage_types = ["mentorat_training.LearningPathPage", "mentorat_training.TrainingModulePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("training index")
        verbose_name_plural = _("training indexes")

    def get_context(self, request, *args, **kwargs):
        from .views import index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(index_context(self, request))
        return context

    @path("")
    def index(self, request):
        return self.render(request)

    @path("demande/")
    def request_training(self, request):
        from .views import request_training

        return request_training(self, request)

    @path("seances/<mentorat_id:session_id>/inscription/")
    def register(self, request, session_id):
        from .views import register

        return register(self, request, session_id)

    @path("seances/<mentorat_id:session_id>/annulation/")
    def cancel(self, request, session_id):
        from .views import cancel

        return cancel(self, request, session_id)


class LearningPathPage(
    LoginRequiredPageMixin, MentoratPageMixin, AccentInsensitiveSearchMixin, Page
):
    """An ordered set of modules, e.g. "Before your first pairing"."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        InlinePanel("path_modules", label=_("Modules"), min_num=1),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), folded_search_field]
    folded_search_attributes = ("title", "intro")
    parent_page_types = ["mentorat_training.TrainingIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")

    def get_modules(self):
        """The path's live modules, in order."""
        return [
            item.module
            for item in self.path_modules.select_related("module").order_by("sort_order")
            if item.module.live
        ]

    def get_context(self, request, *args, **kwargs):
        from .views import path_context

        context = super().get_context(request, *args, **kwargs)
        context.update(path_context(self, request))
        return context


class LearningPathModule(Orderable):
    path = ParentalKey(LearningPathPage, on_delete=models.CASCADE, related_name="path_modules")
    module = models.ForeignKey(
        "mentorat_training.TrainingModulePage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("module"),
    )

    panels = [FieldPanel("module")]

    class Meta(Orderable.Meta):
        verbose_name = _("module of a path")
        verbose_name_plural = _("modules of a path")
        constraints = [
            models.UniqueConstraint(fields=["path", "module"], name="training_path_module_once")
        ]


class TrainingModulePage(
    LoginRequiredPageMixin,
    MentoratPageMixin,
    AccentInsensitiveSearchMixin,
    RoutablePageMixin,
    Page,
):
    """A module staff take in the intranet: content, then a quiz graded on the server."""

    summary = models.TextField(_("summary"), blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated duration (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    for_mentors = models.BooleanField(_("mentors"), default=False)
    for_mentees = models.BooleanField(_("mentees"), default=False)
    for_staff = models.BooleanField(_("programme staff"), default=False)
    for_managers = models.BooleanField(_("managers"), default=False)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The share of quiz questions to answer right to complete the module."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "After this many months the module must be taken again (continuing training). "
            "Leave empty when a completion never expires."
        ),
    )
    body = StreamField(ModuleBody(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("estimated_minutes"),
                FieldPanel("for_mentors"),
                FieldPanel("for_mentees"),
                FieldPanel("for_staff"),
                FieldPanel("for_managers"),
                FieldPanel("pass_mark"),
                FieldPanel("validity_months"),
            ],
            heading=_("Audience and completion"),
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        folded_search_field,
    ]
    folded_search_attributes = ("title", "summary", "body")
    parent_page_types = ["mentorat_training.TrainingIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")

    @property
    def audiences(self):
        flags = {
            "mentors": self.for_mentors,
            "mentees": self.for_mentees,
            "staff": self.for_staff,
            "managers": self.for_managers,
        }
        return [label for code, label in AUDIENCES if flags[code]]

    @property
    def content_blocks(self):
        return [block for block in self.body if block.block_type not in QUESTION_BLOCK_TYPES]

    @property
    def questions(self):
        from .grading import questions_from_body

        return questions_from_body(self.body)

    def expiry_for(self, completed_on):
        if not self.validity_months:
            return None
        return add_months(completed_on, self.validity_months)

    @path("")
    def take(self, request):
        from .views import module_view

        return module_view(self, request)

    @path("quiz/")
    def submit(self, request):
        from .views import submit_quiz

        return submit_quiz(self, request)

    @path("terminer/")
    def acknowledge(self, request):
        from .views import acknowledge

        return acknowledge(self, request)

    @path("resultat/<mentorat_id:attempt_id>/")
    def result(self, request, attempt_id):
        from .views import attempt_result

        return attempt_result(self, request, attempt_id)

    @path("certificat/<mentorat_id:completion_id>/")
    def certificate(self, request, completion_id):
        from .views import certificate

        return certificate(self, request, completion_id)


# ------------------------------------------------------------------------- records


class ModuleProgress(models.Model):
    """Where a person is in a module: started, and the quiz answers saved so far."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_progress",
        verbose_name=_("person"),
    )
    module = models.ForeignKey(
        TrainingModulePage,
        on_delete=models.CASCADE,
        related_name="progress_records",
        verbose_name=_("module"),
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    draft_answers = models.JSONField(_("saved answers"), default=dict, blank=True)

    class Meta:
        verbose_name = _("module progress")
        verbose_name_plural = _("module progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="training_progress_once")
        ]

    def __str__(self):
        return _("Progress #%(pk)s") % {"pk": self.pk}


class QuizAttempt(models.Model):
    """One graded submission of a module's quiz.

    ``token`` comes from the form a person submitted: the same form posted twice
    (double click, back button) is one attempt (unique per person and token).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_attempts",
        verbose_name=_("person"),
    )
    module = models.ForeignKey(
        TrainingModulePage,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("module"),
    )
    token = models.UUIDField(_("form token"), default=uuid.uuid4)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    answers = models.JSONField(_("answers"), default=dict)
    points = models.PositiveSmallIntegerField(_("points"))
    question_count = models.PositiveSmallIntegerField(_("questions"))
    score = models.PositiveSmallIntegerField(_("score (%)"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))
    passed = models.BooleanField(_("passed"))

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="training_attempt_token_once")
        ]

    def __str__(self):
        return _("Attempt #%(pk)s") % {"pk": self.pk}


class CompletionSource(models.TextChoices):
    QUIZ = "quiz", _("Module taken in the intranet")
    SESSION = "session", _("Attendance at a live session")
    EXTERNAL = "external", _("External e-learning package")
    MANUAL = "manual", _("Recorded by programme staff")


class Completion(models.Model):
    """A person completed a module on a date; valid until ``expires_on`` (if any).

    Renewing a module adds a completion: history is kept, the latest counts. Recorded
    by ``training.services.record_completion`` only, whatever the source.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_completions",
        verbose_name=_("person"),
    )
    module = models.ForeignKey(
        TrainingModulePage,
        on_delete=models.CASCADE,
        related_name="completions",
        verbose_name=_("module"),
    )
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=CompletionSource.choices, default="quiz"
    )
    attempt = models.OneToOneField(
        QuizAttempt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="completion",
        verbose_name=_("quiz attempt"),
    )
    registration = models.OneToOneField(
        "mentorat_training.SessionRegistration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="completion",
        verbose_name=_("session registration"),
    )
    reference = models.CharField(
        _("external reference"),
        max_length=200,
        blank=True,
        help_text=_("The identifier of the record in the external package, if any."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["-completed_on", "-id"]
        indexes = [models.Index(fields=["module", "expires_on"], name="training_compl_expiry")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "source", "reference"],
                condition=~models.Q(reference=""),
                name="training_completion_reference_once",
            )
        ]

    def __str__(self):
        return _("Completion #%(pk)s") % {"pk": self.pk}

    @property
    def person_name(self):
        """For reports and the certificate (never ``__str__``: log entries keep that)."""
        return self.user.get_full_name() or self.user.get_username()

    def is_valid_on(self, day):
        return self.completed_on <= day and (self.expires_on is None or self.expires_on > day)


# ------------------------------------------------------------- sessions on request


class TrainingRequest(models.Model):
    """A participant asks for a training activity on a topic (seed 004)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PLANNED = "planned", _("Session planned")
        DECLINED = "declined", _("Not planned")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_requests",
        verbose_name=_("requested by"),
    )
    topic = models.CharField(_("topic"), max_length=200)
    details = models.TextField(_("details"), blank=True, max_length=2000)
    module = models.ForeignKey(
        TrainingModulePage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("related module"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    session = models.ForeignKey(
        "mentorat_training.TrainingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("planned session"),
    )

    class Meta:
        verbose_name = _("training request")
        verbose_name_plural = _("training requests")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return _("Training request #%(pk)s") % {"pk": self.pk}


class TrainingSession(models.Model):
    """A live training activity: in a room or by video, with limited places."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    module = models.ForeignKey(
        TrainingModulePage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("module it counts for"),
    )
    counts_as_completion = models.BooleanField(
        _("attendance completes the module"),
        default=True,
        help_text=_("Recording someone's attendance records a completion of the module."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1)], default=12
    )

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["starts_at", "id"]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if not self.place and not self.video_url:
            errors["place"] = _("Give a place or a video link.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The session must end after it starts.")
        if errors:
            raise ValidationError(errors)


class SessionRegistration(models.Model):
    """A person's place at a session, or their rank on its waiting list."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("session"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_registrations",
        verbose_name=_("person"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    registered_at = models.DateTimeField(_("registered at"))
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("session registration")
        verbose_name_plural = _("session registrations")
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="training_registration_once")
        ]

    def __str__(self):
        return _("Registration #%(pk)s") % {"pk": self.pk}
