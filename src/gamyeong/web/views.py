from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gamyeong.web.middleware import public


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@public
def procedures(request: HttpRequest) -> HttpResponse:
    return render(request, "web/procedures.html")


def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dashboard.html")
