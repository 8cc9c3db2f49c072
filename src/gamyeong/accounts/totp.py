"""TOTP second factor (django-otp): enrolment, the otpauth URI and its QR code, verification."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user: Any) -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device


def pending_device(user: Any) -> TOTPDevice:
    """The user's unconfirmed device, created on first use (its secret is shown once to enrol)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    return device


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii")


def qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows right now (used by the demo command only)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    message: str = ""


def check_code(device: TOTPDevice, code: str) -> CodeCheck:
    allowed, info = device.verify_is_allowed()
    if not allowed:
        wait = ""
        if info and info.get("locked_until"):
            wait = info["locked_until"].strftime("%H:%M:%S")
        return CodeCheck(
            False,
            _("Too many wrong codes. Try again after %(time)s.") % {"time": wait or "…"},
        )
    if device.verify_token(code):
        return CodeCheck(True)
    return CodeCheck(False, _("The code is wrong or has expired."))
