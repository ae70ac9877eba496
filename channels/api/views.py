"""The providers' callback: no session, no CSRF (the provider signs instead); each
provider's ``intake.handle`` verifies and answers."""

from __future__ import annotations

import importlib

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels.choices import Provider


@csrf_exempt
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, provider: str) -> HttpResponse:
    if provider not in Provider.values:
        raise Http404
    module = importlib.import_module(f"channels.{provider}.intake")
    response: HttpResponse = module.handle(request)
    return response
