"""Views for programmes and projects."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import programmes_for_user


def programme_list(request: HttpRequest) -> HttpResponse:
    """List the programmes of the partnerships the user belongs to."""
    return render(
        request,
        "projects/programme_list.html",
        {"programmes": programmes_for_user(request.user)},
    )
