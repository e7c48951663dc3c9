"""The mentor pool per programme (issue 17): an offer to mentor has a status decided by
the programme's coordinators, and the mentor may say "not taking mentees until DATE".

No existing site loses its mentors: every profile willing to mentor gets an approved offer
in every programme open to new requests, as the matching took them before, whatever the
host's settings. An offer already withdrawn (``is_active`` false) becomes retired.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def retire_withdrawn_offers(apps, schema_editor):
    """Offers withdrawn before the pool existed are retired; the others are approved (the
    matching took them)."""
    MentorOffer = apps.get_model("wagtail_mentorat", "MentorOffer")
    MentorOffer.objects.filter(is_active=False).update(status="retired")
    MentorOffer.objects.filter(is_active=True).update(status="approved")


def approve_existing_pool(apps, schema_editor):
    """Every profile willing to mentor: an approved offer in every active programme (an
    existing offer is left as it is)."""
    ParticipantProfile = apps.get_model("wagtail_mentorat", "ParticipantProfile")
    Programme = apps.get_model("wagtail_mentorat", "Programme")
    MentorOffer = apps.get_model("wagtail_mentorat", "MentorOffer")
    mentor_ids = list(
        ParticipantProfile.objects.filter(is_mentor=True).values_list("user_id", flat=True)
    )
    programme_ids = list(Programme.objects.filter(is_active=True).values_list("pk", flat=True))
    existing = set(MentorOffer.objects.values_list("programme_id", "mentor_id"))
    offers = [
        MentorOffer(programme_id=programme_id, mentor_id=mentor_id, status="approved")
        for programme_id in programme_ids
        for mentor_id in mentor_ids
        if (programme_id, mentor_id) not in existing
    ]
    if not offers:
        return
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # Checked at once, so no trigger event is left pending for the deferred index.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    MentorOffer.objects.bulk_create(offers, batch_size=500)
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("wagtail_mentorat", "0012_disagreement_handling"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="mentoroffer",
            name="status",
            field=models.CharField(
                choices=[
                    ("applied", "Applied, waiting for a decision"),
                    ("approved", "Approved"),
                    ("training", "Asked to train first"),
                    ("paused", "Paused"),
                    ("retired", "Retired"),
                ],
                default="applied",
                max_length=12,
                verbose_name="status in the mentor pool",
            ),
        ),
        migrations.AddField(
            model_name="mentoroffer",
            name="unavailable_until",
            field=models.DateField(
                blank=True,
                help_text="Empty: taking mentees. The mentor is available again the day after.",
                null=True,
                verbose_name="not taking new mentees until",
            ),
        ),
        migrations.AddField(
            model_name="mentoroffer",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="decided on"),
        ),
        migrations.AddField(
            model_name="mentoroffer",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="decided by",
            ),
        ),
        migrations.RunPython(retire_withdrawn_offers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="mentoroffer", name="is_active"),
        migrations.RunPython(approve_existing_pool, migrations.RunPython.noop),
    ]
