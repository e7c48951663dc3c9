"""A browser's date input reads only ISO dates (YYYY-MM-DD): a form shown again with a
date — its initial value, or what was posted when another field was wrong — must render
it so, in French as in English, or the person's date is silently lost (found by the
coordinator's-day browser test on the check-in form)."""

import datetime
import inspect

import pytest
from django import forms
from django.utils import translation

from wagtail_mentorat import forms as front_forms
from wagtail_mentorat.admin import checkins
from wagtail_mentorat.indicators import forms as indicator_forms

DAY = datetime.date(2026, 7, 15)


def date_fields():
    for module in (front_forms, indicator_forms, checkins):
        for name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                for field_name, field in form.base_fields.items():
                    if isinstance(field, forms.DateField):
                        yield f"{name}.{field_name}", field


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_date_input_renders_an_iso_date(language):
    found = list(date_fields())
    assert len(found) >= 4, found  # the check-in, the extension, the indicators' periods
    with translation.override(language):
        for name, field in found:
            html = field.widget.render("d", DAY)
            if 'type="date"' in html:
                assert 'value="2026-07-15"' in html, (name, html)
