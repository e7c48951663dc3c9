"""People in the admin's choice fields, by name.

Django labels a user with ``str(user)``: the username, which says nothing to the
coordinator choosing a facilitator or a programme's coordinators. Here a person reads as
their full name (:func:`wagtail_mentorat.formatting.person_name`); two people of one name
are told apart by their email, or their username when they have none.

- a plain form: :class:`PersonChoiceField`, :class:`PeopleChoiceField`;
- a Wagtail model form (panels): :class:`PeopleByNameAdminForm` as ``base_form_class``;
- a ``ModelViewSet`` built from ``form_fields``: :class:`PeopleByNameViewSetMixin`.
"""

from collections import Counter

from django import forms
from django.contrib.auth import get_user_model
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.models import formfield_for_dbfield as wagtail_formfield_for_dbfield


def _name(user):
    # Imported here: the formatting layer imports the models, and models use this module.
    from ..formatting import person_name

    return person_name(user)


def people_labels(people):
    """{person: label} for ``people``: their names, a shared one followed by an email."""
    names = {person: _name(person) for person in people}
    shared = {name for name, count in Counter(names.values()).items() if count > 1}
    labels = {}
    for person, name in names.items():
        if name in shared:
            other = getattr(person, "email", "") or person.get_username()
            name = f"{name} ({other})"
        labels[person] = name
    return labels


class PersonChoiceIterator(ModelChoiceIterator):
    """The choices of a field of people, labelled by :func:`people_labels`; an unordered
    queryset is listed by name."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        labels = people_labels(list(self.queryset))
        people = list(labels)
        if not self.queryset.ordered:
            people.sort(key=lambda person: labels[person].casefold())
        for person in people:
            value = ModelChoiceIteratorValue(self.field.prepare_value(person), person)
            yield (value, labels[person])


class PersonChoiceField(forms.ModelChoiceField):
    iterator = PersonChoiceIterator


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    iterator = PersonChoiceIterator


def _person_kwargs(db_field, kwargs):
    """``kwargs`` for ``db_field.formfield()``: a relation to the user model by name."""
    if db_field.is_relation and db_field.related_model is get_user_model():
        field_class = PeopleChoiceField if db_field.many_to_many else PersonChoiceField
        return {"form_class": field_class, **kwargs}
    return kwargs


def formfield_for_dbfield(db_field, **kwargs):
    """Wagtail's form field for ``db_field``, people by name."""
    return wagtail_formfield_for_dbfield(db_field, **_person_kwargs(db_field, kwargs))


class PeopleByNameAdminForm(WagtailAdminModelForm):
    """A Wagtail admin model form whose fields of people read as names."""

    class Meta:
        formfield_callback = formfield_for_dbfield


class PeopleByNameViewSetMixin:
    """For a ``ModelViewSet`` whose form is built from ``form_fields``."""

    def formfield_for_dbfield(self, db_field, **kwargs):
        return super().formfield_for_dbfield(db_field, **_person_kwargs(db_field, kwargs))
