"""Settings of the KMA's own service (``gamyeong kma serve``): the portal's settings, with

- the KMA's URLconf (its API and API docs, nothing of the portal);
- the KMA's database as the only database: ``default`` is the same database as ``kma``, so no
  query of the service can reach the portal's database, even by mistake;
- a middleware stack without sessions, logins or CSRF (callers authenticate with a token on
  every request), and templates (the API docs) without the portal's context.
"""

from __future__ import annotations

import copy

from gamyeong.conf.settings import *  # noqa: F403
from gamyeong.conf.settings import DATABASES

ROOT_URLCONF = "gamyeong.kma.urls"

DATABASES = {"default": copy.deepcopy(DATABASES["kma"]), "kma": copy.deepcopy(DATABASES["kma"])}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
