"""WSGI entry point (served by waitress through ``gamyeong serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gamyeong.conf.settings")
application = get_wsgi_application()
