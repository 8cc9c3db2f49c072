"""The portal's JSON API (django-ninja; OpenAPI at ``/api/docs``).

The same operations as the pages, through the same services and the same permission checks:
a personal token (``Authorization: Bearer gy_…``, made on the "API tokens" page) acts as its
user. Errors are JSON ``{"code", "ko", "en", "problems"}``: 401 without a valid token, 403 for an
action that is not the user's, 404 for what the user may not see (its existence is not
disclosed), 409 when someone else decided first, 422 for a request that cannot be done now.
"""
