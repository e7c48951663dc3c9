"""The programme form's matching weights: one number per part of the fit, read back as the
JSON ``Programme.matching_weights`` stores (no database here: models import it)."""

import json

from django import forms
from django.utils.translation import gettext_lazy

from . import scoring

LABELS = {
    "expertise": gettext_lazy("Expertise and goals"),
    "discipline": gettext_lazy("Same discipline"),
    "site": gettext_lazy("Same site"),
    "language": gettext_lazy("A common language"),
    "experience": gettext_lazy("Years of experience"),
    "availability": gettext_lazy("Availability given"),
    "capacity": gettext_lazy("Free places"),
}
MAX_WEIGHT = 10


def _number(value):
    """A number from a form cell, or the text itself (the model's check then says what
    is wrong)."""
    try:
        number = float(str(value).replace(",", ".").strip())
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


class WeightsWidget(forms.Widget):
    """One number input per part of the fit, read back as the JSON the model stores."""

    template_name = "wagtail_mentorat/admin/widgets/weights.html"

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value or "{}")
            except ValueError:
                value = {}
        weights = dict(scoring.DEFAULT_WEIGHTS)
        weights.update(value if isinstance(value, dict) else {})
        return weights

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        weights = context["widget"]["value"]
        context["widget"]["parts"] = [
            {
                "name": f"{name}_{key}",
                "id": f"{context['widget']['attrs'].get('id', 'id_' + name)}_{key}",
                "label": LABELS[key],
                "value": weights.get(key, default),
                "default": default,
            }
            for key, default in scoring.DEFAULT_WEIGHTS.items()
        ]
        context["widget"]["max"] = MAX_WEIGHT
        return context

    def value_from_datadict(self, data, files, name):
        if not any(f"{name}_{key}" in data for key in scoring.DEFAULT_WEIGHTS):
            return data.get(name)
        return json.dumps(
            {
                key: _number(data.get(f"{name}_{key}", default))
                for key, default in scoring.DEFAULT_WEIGHTS.items()
            }
        )
