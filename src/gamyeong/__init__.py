"""gamyeong (가명, "pseudonym"): pseudonymized social-security data, provided and combined safely.

The package has two halves:

- ``gamyeong.engine``: a framework-free data engine (synthetic data today; pseudonymization,
  risk, linkage and disclosure checks in later issues). It imports nothing from Django.
- the Django apps (``accounts``, ``catalog``, ``governance``, ``web``) that make the portal.
"""

__version__ = "0.1.0"
