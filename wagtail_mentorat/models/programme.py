from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from ..admin.people import PeopleByNameAdminForm
from ..matching.widgets import WeightsWidget
from ..notifications.panels import ReminderSchedulePanel

# Seed 004, "Responsabilités des mentorés / des mentors": the agreement's editable defaults.
MENTEE_RESPONSIBILITIES = """S'inscrire au service de mentorat.
S'engager pleinement dans la démarche de mentorat.
Identifier le plus clairement possible ses besoins en précisant ce qui doit être répondu rapidement (attente d'un client).
Faire confiance au mentor et ne pas craindre d'exposer ses lacunes.
Discuter de différentes stratégies d'apprentissage avec son mentor et accepter les règles proposées par ce dernier.
Contacter le mentor au besoin en réalisant qu'un délai de 24 à 48 heures est acceptable.
Respecter l'entente concernant la fréquence des rencontres et/ou discussions."""
MENTOR_RESPONSIBILITIES = """Écouter attentivement les besoins exprimés par le mentoré.
Convenir avec le mentoré des objectifs poursuivis par la démarche de mentorat.
Répondre aux besoins urgents du mentoré (réponse à un client en attente) dans un délai de 24 à 48 heures.
Proposer plusieurs stratégies d'apprentissage, pouvant impliquer plus d'un mentor.
S'assurer d'établir une relation de confiance avec le mentoré.
Définir clairement sa contribution à la démarche ainsi que celles des éventuels autres mentors.
Accompagner le mentoré tout au long de la démarche de mentorat."""
# Seed 001, "Informations importantes".
CONFIDENTIALITY_CLAUSE = (
    "La relation de mentorat revêt un caractère confidentiel. Le mentor doit cependant "
    "assurer un suivi au gestionnaire quant à sa responsabilité de prestation de services "
    "sécuritaires et de qualité auprès de la clientèle."
)


class ProgrammeAdminForm(PeopleByNameAdminForm):
    """A programme's coordinators are chosen among programme staff, by name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("coordinators")
        if field is not None:
            from django.db.models import Q

            from ..rules import programme_staff

            chosen = Q(pk__in=programme_staff().values("pk"))
            if self.instance.pk:
                chosen |= Q(pk__in=self.instance.coordinators.values("pk"))
            field.queryset = field.queryset.model.objects.filter(chosen).order_by(
                "last_name", "first_name", "username"
            )


class Programme(index.Indexed, models.Model):
    """A mentoring programme and its rules, each defaulting to the seeds' value.

    The lifecycle reads every deadline and constraint from here; the programme page
    ("fiche synthèse", seed 001) shows them, so what staff read is what is enforced.
    """

    class DurationBasis(models.TextChoices):
        AGREEMENT = "agreement", _("Maximum duration from the start of the agreement")
        FIRST_CONTACT = "first_contact", _("Validity from the first contact")

    class WhoPairs(models.TextChoices):
        MANAGER = "manager", _("The mentee's manager")
        COORDINATOR = "coordinator", _("Programme staff")
        BOTH = "both", _("The manager or programme staff")

    class DisciplineRule(models.TextChoices):
        REQUIRED = "required", _("Same discipline required")
        PREFERRED = "preferred", _("Same discipline preferred; another one for a specific skill")
        ANY = "any", _("Any discipline")

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("purpose"), blank=True)
    audience = models.TextField(_("target staff"), blank=True)
    is_active = models.BooleanField(_("open to new requests"), default=True)
    # A programme may run for a project's time (seed 004: "1 an … ou jusqu'à la fin du
    # projet"): pairings never end after it, and those still open are closed when it ends.
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(
        _("ends on"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: the programme does not end. Pairings end by this date at the latest; "
            "those still open are closed as “the programme ended” the day after."
        ),
    )
    recruitment_opens_on = models.DateField(_("requests accepted from"), null=True, blank=True)
    recruitment_closes_on = models.DateField(
        _("requests accepted until"),
        null=True,
        blank=True,
        help_text=_("Empty: requests are accepted while the programme is open."),
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_programmes",
        verbose_name=_("coordinators"),
        help_text=_(
            "The programme staff who run this programme: they see its requests, pairings "
            "and indicators and receive its alerts. Administrators see every programme."
        ),
    )

    duration_basis = models.CharField(
        _("how the end date is computed"),
        max_length=20,
        choices=DurationBasis.choices,
        default=DurationBasis.AGREEMENT,
    )
    max_duration_months = models.PositiveSmallIntegerField(
        _("maximum duration (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Seed 001: 6 months at most. Seed 004: valid 1 year from the first contact."),
    )
    midterm_review_required = models.BooleanField(_("mid-term review required"), default=True)
    final_review_required = models.BooleanField(_("final review required"), default=True)
    extension_needs_manager = models.BooleanField(
        _("an extension needs the manager's approval"), default=True
    )
    agreement_needs_manager = models.BooleanField(
        _("the agreement needs the manager's approval"), default=False
    )
    min_meetings = models.PositiveSmallIntegerField(
        _("recommended minimum number of meetings"),
        default=4,
        validators=[MaxValueValidator(100)],
    )
    meeting_cadence_weeks = models.PositiveSmallIntegerField(
        _("meeting cadence (weeks)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_("A pairing with no meeting for longer than this is flagged as quiet."),
    )
    first_contact_hours = models.PositiveSmallIntegerField(
        _("first contact deadline (hours after the assignment)"),
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    mentor_response_hours = models.PositiveSmallIntegerField(
        _("time for a mentor to answer an assignment (hours)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_(
            "Past this time without an answer, the next suggestion is proposed and the "
            "coordinator is told."
        ),
    )
    urgent_response_hours = models.PositiveSmallIntegerField(
        _("urgent request response deadline (hours)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    who_pairs = models.CharField(
        _("who makes the pairing"),
        max_length=20,
        choices=WhoPairs.choices,
        default=WhoPairs.MANAGER,
    )
    staff_pair_without_manager = models.BooleanField(
        _("programme staff may pair a person with no manager on file"),
        default=False,
        help_text=_(
            "Where the manager pairs: programme staff may pair a person who has no manager on "
            "file, with the reason written down, instead of waiting for the manager to be "
            "registered."
        ),
    )
    mentor_capacity = models.PositiveSmallIntegerField(
        _("default mentor capacity (mentees per mentor)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    mentor_min_years = models.PositiveSmallIntegerField(
        _("mentor's minimum years of experience"), default=3, validators=[MaxValueValidator(60)]
    )
    discipline_rule = models.CharField(
        _("mentor's discipline"),
        max_length=20,
        choices=DisciplineRule.choices,
        default=DisciplineRule.PREFERRED,
    )
    checkins_first_month = models.PositiveSmallIntegerField(
        _("programme staff check-ins in the first month"),
        default=2,
        validators=[MaxValueValidator(10)],
    )
    checkin_interval_weeks = models.PositiveSmallIntegerField(
        _("programme staff check-in interval afterwards (weeks)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    matching_weights = models.JSONField(
        _("matching weights"),
        default=dict,
        blank=True,
        help_text=_(
            'Weight of each part of the fit, e.g. {"expertise": 5, "discipline": 3, '
            '"site": 2}. Empty: the defaults.'
        ),
    )
    mentor_training = models.ManyToManyField(
        "mentorat_training.TrainingModulePage",
        blank=True,
        related_name="+",
        verbose_name=_("training a mentor completes before being matched"),
        help_text=_("MENTOR recommends at least two hours of training before matching."),
    )
    mentee_training = models.ManyToManyField(
        "mentorat_training.TrainingModulePage",
        blank=True,
        related_name="+",
        verbose_name=_("training a mentee completes before being matched"),
    )
    # EEP standard 3 / MENTOR: a minimum of training time, whatever the modules, counted
    # from the modules' estimated durations (each module once, in any language).
    mentor_training_hours = models.PositiveSmallIntegerField(
        _("minimum training of a mentor (hours)"),
        default=0,
        validators=[MaxValueValidator(200)],
        help_text=_(
            "Hours of training modules completed before being matched, counted from each "
            "module's estimated duration. 0: no minimum. MENTOR recommends 2."
        ),
    )
    mentee_training_hours = models.PositiveSmallIntegerField(
        _("minimum training of a mentee (hours)"),
        default=0,
        validators=[MaxValueValidator(200)],
        help_text=_("As for mentors. 0: no minimum."),
    )
    mentee_responsibilities = models.TextField(
        _("mentee's responsibilities"), default=MENTEE_RESPONSIBILITIES
    )
    mentor_responsibilities = models.TextField(
        _("mentor's responsibilities"), default=MENTOR_RESPONSIBILITIES
    )
    confidentiality_clause = models.TextField(
        _("confidentiality clause"), default=CONFIDENTIALITY_CLAUSE
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("audience"),
        FieldPanel("is_active"),
        FieldPanel("coordinators", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldPanel("starts_on"),
                FieldPanel("ends_on"),
                FieldPanel("recruitment_opens_on"),
                FieldPanel("recruitment_closes_on"),
            ],
            heading=_("Programme cycle"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("duration_basis"),
                FieldPanel("max_duration_months"),
                FieldPanel("midterm_review_required"),
                FieldPanel("final_review_required"),
                FieldPanel("extension_needs_manager"),
            ],
            heading=_("Duration and reviews"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("min_meetings"),
                FieldPanel("meeting_cadence_weeks"),
                FieldPanel("first_contact_hours"),
                FieldPanel("mentor_response_hours"),
                FieldPanel("urgent_response_hours"),
                FieldPanel("checkins_first_month"),
                FieldPanel("checkin_interval_weeks"),
            ],
            heading=_("Meetings and deadlines"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("who_pairs"),
                FieldPanel("staff_pair_without_manager"),
                FieldPanel("mentor_capacity"),
                FieldPanel("mentor_min_years"),
                FieldPanel("discipline_rule"),
                FieldPanel("matching_weights", widget=WeightsWidget),
                FieldPanel("mentor_training"),
                FieldPanel("mentor_training_hours"),
                FieldPanel("mentee_training"),
                FieldPanel("mentee_training_hours"),
            ],
            heading=_("Pairing rules"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("agreement_needs_manager"),
                FieldPanel("mentee_responsibilities"),
                FieldPanel("mentor_responsibilities"),
                FieldPanel("confidentiality_clause"),
            ],
            heading=_("Agreement"),
        ),
        ReminderSchedulePanel(heading=_("Reminders")),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("id"),  # the admin narrows the list to the user's programmes
    ]
    base_form_class = ProgrammeAdminForm

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        permissions = [("coordinate_programme", _("Can coordinate mentoring programmes"))]

    def __str__(self):
        return self.name

    def recruitment_error(self, today):
        """Why the programme takes no request on ``today``, or None."""
        from django.utils.formats import date_format

        if not self.is_active:
            return _("This programme is closed to new requests.")
        if self.recruitment_opens_on and today < self.recruitment_opens_on:
            return _("This programme takes requests from %(date)s.") % {
                "date": date_format(self.recruitment_opens_on)
            }
        # The programme's last day takes no new pairing (rules.pairing_errors): requests
        # close the day before at the latest.
        last_before_end = self.ends_on - timedelta(days=1) if self.ends_on else None
        last_day = min(d for d in (self.recruitment_closes_on, last_before_end, date.max) if d)
        if today > last_day:
            return _("This programme took requests until %(date)s.") % {
                "date": date_format(last_day)
            }
        return None

    def clean(self):
        from django.core.exceptions import ValidationError

        from ..matching.scoring import DEFAULT_WEIGHTS
        from ..matching.widgets import LABELS

        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The programme cannot end before it starts.")
        if (
            self.recruitment_opens_on
            and self.recruitment_closes_on
            and self.recruitment_closes_on < self.recruitment_opens_on
        ):
            errors["recruitment_closes_on"] = _("Requests cannot close before they open.")
        elif (
            self.recruitment_closes_on
            and self.ends_on
            and self.recruitment_closes_on > self.ends_on
        ):
            errors["recruitment_closes_on"] = _(
                "Requests cannot be accepted after the programme ends."
            )
        weights = self.matching_weights or {}
        if not isinstance(weights, dict) or any(
            key not in DEFAULT_WEIGHTS or not isinstance(value, int | float) or value < 0
            for key, value in weights.items()
        ):
            errors["matching_weights"] = _(
                "Give non-negative numbers for these parts only: %(parts)s."
            ) % {"parts": ", ".join(str(LABELS[key]) for key in DEFAULT_WEIGHTS)}
        if errors:
            raise ValidationError(errors)
