"""Template helpers for GOV.UK Frontend markup and for showing money as the board papers do."""

from __future__ import annotations

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..money.formatting import money

register = template.Library()


@register.filter("money")
def money_html(value, tbc: str = "") -> str:
    """Show an amount as money() does, a negative one kept on one line with its minus sign.

    A line may break after a hyphen-minus, so "-£20,000" could end one line with its sign; a
    pound sign and the digits never part. {{ amount|money }}, or {{ amount|money:"TBC" }} to
    show a missing amount as TBC.
    """
    text = money(value, tbc)
    return format_html('<span class="app-nowrap">{}</span>', text) if text[:1] == "-" else text


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_select(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.Select)


@register.filter
def describe(field: forms.BoundField) -> SafeString:
    """Render the widget, pointing aria-describedby at its hint and error messages."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    return field.as_widget(attrs=attrs)


def error_anchor(field: forms.BoundField) -> str:
    """Return the id of the input an error summary's link goes to: the first in error."""
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):
        return f"{field.auto_id}_0"  # the first radio, as GOV.UK Frontend's radios are linked
    return widget.id_for_label(field.auto_id) or field.auto_id


@register.inclusion_tag("components/error_summary.html")
def error_summary(*forms_and_formsets) -> dict:
    """List every error of the given forms and formsets, each linking to its field.

    Each message is the one shown beside its field, word for word: the messages name their
    field (and a row's messages their row) themselves.
    """
    errors: list[tuple[str, str]] = []
    for item in forms_and_formsets:
        if item is None:
            continue
        if isinstance(item, forms.BaseFormSet):
            errors.extend(("", message) for message in item.non_form_errors())
            members = list(item.forms)
        else:
            members = [item]
        for form in members:
            for name, messages in form.errors.items():
                # A hidden field's error links nowhere: there is nothing there to correct.
                linked = name in form.fields and not form[name].is_hidden
                anchor = error_anchor(form[name]) if linked else ""
                errors.extend((anchor, message) for message in messages)
    return {"errors": errors}
