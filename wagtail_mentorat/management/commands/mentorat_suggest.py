"""Print the best mentors for one person's waiting request, with the reasons and the
mentors the rules exclude::

    python manage.py mentorat_suggest marie.tremblay@example.org
    python manage.py mentorat_suggest marie.tremblay@example.org --programme 2 --limit 10

Nothing is assigned: the workbench or the manager's space does that.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wagtail_mentorat.ids import parse_id
from wagtail_mentorat.matching import adapter
from wagtail_mentorat.matching.scoring import constraint_label
from wagtail_mentorat.models import MentoringRequest


class Command(BaseCommand):
    help = "Print one mentee's mentor suggestions with their reasons (nothing is assigned)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The mentee's email.")
        parser.add_argument(
            "--programme", help="The programme's number, when the person waits in several."
        )
        parser.add_argument("--limit", type=int, default=5, help="How many mentors (default 5).")

    def handle(self, *args, email, programme=None, limit=5, **options):
        User = get_user_model()
        people = User.objects.filter(**{f"{User.get_email_field_name()}__iexact": email.strip()})
        if people.count() != 1:
            raise CommandError(
                _("Nobody, or more than one account, has the email %(email)s.") % {"email": email}
            )
        person = people.get()
        open_requests = MentoringRequest.objects.filter(
            mentee=person, status=MentoringRequest.Status.OPEN
        ).select_related("programme")
        if programme is not None:
            open_requests = open_requests.filter(programme_id=parse_id(programme) or 0)
        # Only requests matching may serve (consent given, no pairing already proposed).
        requests = [
            r
            for r in open_requests
            if adapter.waiting_requests(r.programme).filter(pk=r.pk).exists()
        ]
        if not requests:
            raise CommandError(
                _("%(email)s has no request waiting for a mentor.") % {"email": email}
            )
        if len(requests) > 1:
            choices = ", ".join(f"{r.programme_id} ({r.programme})" for r in requests)
            raise CommandError(
                _(
                    "%(email)s waits in several programmes; choose one with --programme: "
                    "%(choices)s."
                )
                % {"email": email, "choices": choices}
            )
        request = requests[0]
        best, excluded = adapter.suggestions(request, limit=max(1, limit))
        self.stdout.write(
            _("%(mentee)s, %(programme)s — need: %(need)s")
            % {
                "mentee": request.mentee.get_full_name() or email,
                "programme": request.programme,
                "need": request.need,
            }
        )
        if not best:
            self.stdout.write(_("No mentor is eligible."))
        for rank, fit in enumerate(best, start=1):
            self.stdout.write(f"{rank}. {fit.mentor.name} — {fit.score:.0f}/100")
            for reason in fit.reasons:
                self.stdout.write(f"   · {reason}")
        if excluded:
            self.stdout.write(_("Excluded:"))
            for mentor, code in excluded:
                self.stdout.write(f"   - {mentor.name}: {constraint_label(code)}")
