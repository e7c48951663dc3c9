import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("wagtail_mentorat", "0011_programme_training_hours"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClosureConfirmation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "confirmed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="confirmed on"
                    ),
                ),
                (
                    "pairing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="closure_confirmations",
                        to="wagtail_mentorat.pairing",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "closure confirmation",
                "verbose_name_plural": "closure confirmations",
                "ordering": ["confirmed_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("pairing", "user"), name="mentorat_confirm_once"
                    )
                ],
            },
        ),
    ]
