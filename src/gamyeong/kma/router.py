"""Database routing: the key-management agency's data lives in its own database (alias ``kma``).

- The ``kma`` app's models are read, written and migrated on ``kma`` only, never on the portal's
  database.
- The KMA keeps its own hash-chained audit trail: the ``governance`` app's ``AuditEvent`` and
  ``AuditChainHead`` tables are created on ``kma`` too. Which trail an event goes to is chosen by
  the caller (``gamyeong.governance.audit.record(..., using="kma")``); without ``using`` the
  audit trail is the portal's, as before.
- Nothing else is created on ``kma``: no users, sessions, catalog or case register, so the KMA's
  database holds no portal data and the portal's none of the KMA's. (The governance app's data
  migration that loads the case register is therefore skipped there: it is a ``RunPython``
  without model hints, which the router is asked about with ``model_name=None``.)
"""

from __future__ import annotations

from typing import Any

from django.db import models

KMA_DB = "kma"
KMA_APP = "kma"
#: Models of other apps that the KMA's database also holds (its own audit trail).
SHARED_ON_KMA = {("governance", "auditevent"), ("governance", "auditchainhead")}


class KmaRouter:
    """Send the ``kma`` app to the ``kma`` database, and only the audit trail besides."""

    def db_for_read(self, model: type[models.Model], **hints: Any) -> str | None:
        return KMA_DB if model._meta.app_label == KMA_APP else None

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str | None:
        return KMA_DB if model._meta.app_label == KMA_APP else None

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool | None:
        first = obj1._meta.app_label == KMA_APP
        second = obj2._meta.app_label == KMA_APP
        if first or second:
            return first and second  # never a relation between the KMA's and the portal's rows
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if db == KMA_DB:
            return app_label == KMA_APP or (app_label, model_name or "") in SHARED_ON_KMA
        if app_label == KMA_APP:
            return False
        return None
