"""Posting a form that may first ask to confirm how it moves the partners' tranches."""

from projects.views.tranches import CONFIRM_FIELD


def asked_to_confirm(response) -> bool:
    """Return whether the response holds the change back until its move is confirmed."""
    context = getattr(response, "context", None)
    return bool(response.status_code == 200 and context and context.get("tranche_change"))


def post_confirmed(client, url, data=None, **extra):
    """Post the form; if it asks to confirm a move of the tranches, confirm it as shown."""
    data = dict(data or {})
    response = client.post(url, data, **extra)
    if asked_to_confirm(response):
        data[CONFIRM_FIELD] = response.context["tranche_fingerprint"]
        response = client.post(url, data, **extra)
    return response
