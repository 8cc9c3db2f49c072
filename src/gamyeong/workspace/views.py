"""The closed analysis environment, as the public sees it: the rooms and their rules."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gamyeong.web.middleware import public
from gamyeong.workspace.models import AnalysisRoom


@public
def rooms(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/rooms.html", {"rooms": list(AnalysisRoom.objects.all())})
