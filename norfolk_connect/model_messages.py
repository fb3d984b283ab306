"""A model's own checks (``full_clean()``) said in the service's words, never Django's.

The forms and the programme file check what people enter before a service saves it, so a
model's check seldom fails; when it does (an import of a row the file's checks let through, two
people saving at once) its message still reaches a person, on a form or in a list of problems.
``full_clean_for_people`` runs the check and rewords every message Django wrote itself ("This
field cannot be blank.", "Ensure this value has at most 200 characters (it has 250).") from the
field's name, as the forms word theirs ("Enter the name", "Name must be 200 characters or
less"); a message the service wrote (a validator's, a constraint's) is kept, without the full
stop the GOV.UK Design System leaves off.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable

from django.core import validators
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models


def _subclasses(base: type) -> Iterable[type]:
    for cls in base.__subclasses__():
        yield cls
        yield from _subclasses(cls)


def _django_templates() -> frozenset[str]:
    """Return every message template Django's model fields, validators and constraints use."""
    templates: set[str] = set()
    for cls in [models.Field, *_subclasses(models.Field)]:
        for klass in cls.__mro__:
            templates.update(str(m) for m in vars(klass).get("default_error_messages", {}).values())
    for value in vars(validators).values():
        message = vars(value).get("message") if inspect.isclass(value) else None
        if message is not None:
            templates.add(str(message))
        messages = vars(value).get("messages") if inspect.isclass(value) else None
        if isinstance(messages, dict):
            templates.update(str(m) for m in messages.values())
    templates.add(str(models.BaseConstraint.default_violation_error_message))
    # Model.unique_error_message's, for a unique_together of several fields.
    templates.add("%(model_name)s with this %(field_labels)s already exists.")
    return frozenset(templates)


DJANGO_TEMPLATES = _django_templates()


def _subject(field: models.Field | None, name: str) -> str:
    """Return the field's name as a message begins with it: "Decision date"."""
    label = str(field.verbose_name) if field is not None else name.replace("_", " ")
    return label[:1].upper() + label[1:]


def _the(subject: str) -> str:
    first, _, rest = subject.partition(" ")
    first = first if first.isupper() and len(first) > 1 else first.lower()
    return f"the {first}{' ' + rest if rest else ''}"


def _reworded(error: ValidationError, field: models.Field | None, name: str, model) -> str:
    """Return Django's message for one failed check in the service's words."""
    subject = _subject(field, name)
    params = error.params or {}
    code = error.code or ""
    limit = params.get("limit_value", params.get("max", ""))
    if code in {"blank", "null", "required"}:
        verb = "Select" if field is not None and field.choices else "Enter"
        return f"{verb} {_the(subject)}"
    if code == "invalid_choice":
        return f"Select {_the(subject)} from the list"
    if code == "max_length":
        return f"{subject} must be {limit:,} characters or less"
    if code == "min_length":
        return f"{subject} must be {limit:,} characters or more"
    if code == "min_value":
        return f"{subject} must be {limit} or more"
    if code == "max_value":
        return f"{subject} must be {limit} or less"
    if code in {"max_digits", "max_whole_digits"}:
        return f"{subject} must be less than 1,000,000,000,000"
    if code == "max_decimal_places":
        return f"{subject} must have no more than {limit} decimal places"
    if code in {"unique", "unique_together", "unique_for_date"}:
        what = str(model._meta.verbose_name)
        fields = str(params.get("field_labels", _the(subject)[4:])).lower()
        return f"There is already {_article(what)} {what} with this {fields}"
    if isinstance(field, models.DateField | models.DateTimeField):
        return f"{subject} must be a real date"
    if isinstance(field, models.IntegerField):
        return f"{subject} must be a whole number"
    if isinstance(field, models.DecimalField):
        return f"{subject} must be a number, such as 1250.50"
    if isinstance(field, models.BooleanField):
        return f"{subject} must be yes or no"
    if isinstance(field, models.EmailField):
        # GOV.UK's words, as the forms and the programme file say it.
        return "Enter an email address in the correct format, like name@example.com"
    if name == NON_FIELD_ERRORS:
        return f"This {model._meta.verbose_name} cannot be saved as it is: check each of its values"
    return f"{subject} is not in a form the service can read"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _field(model, name: str) -> models.Field | None:
    if name == NON_FIELD_ERRORS:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _for_people(error: ValidationError, model, name: str) -> str:
    if str(error.message) in DJANGO_TEMPLATES:
        return _reworded(error, _field(model, name), name, model)
    text = str(error.message % error.params if error.params else error.message)
    return text.removesuffix(".")


def for_people(error: ValidationError, model) -> ValidationError:
    """Return the model's failed checks with every message in the service's words."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {
                name: [_for_people(each, model, name) for each in errors]
                for name, errors in error.error_dict.items()
            }
        )
    return ValidationError(
        [_for_people(each, model, NON_FIELD_ERRORS) for each in error.error_list]
    )


def full_clean_for_people(instance: models.Model, **kwargs) -> None:
    """Run the model's ``full_clean()``; refuse in the service's words, never Django's."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise for_people(error, type(instance)) from error
