"""Email: rendering a notification from ``templates/email/<event>/`` and handing a
message to its transport (an ``.eml`` file under ``var/outbox`` on a laptop, SMTP
with ``aiosmtplib`` in production).

Every event of ``notify.NOTIFICATIONS`` has an email without a folder of its own:
``templates/email/_default/`` shows the event's translated title and body, with a
button back to the page to act on. An event where more helps (a contract to sign,
an installment released, a panel drawn, an award won) has its own folder, whose
templates extend the same layout. Templates are looked up per file, so an event may
override only its subject or only its HTML.

HTML email has inline styles and no external assets (mail clients strip ``<style>``
and block remote images).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any

import jinja2

from procurement.core import clock, i18n

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
DEFAULT = "_default"
PARTS = ("subject.txt", "body.txt", "body.html")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@functools.cache
def _environments() -> tuple[jinja2.Environment, jinja2.Environment]:
    """(text, html): plain text is not escaped; HTML is."""
    made = []
    for autoescape in (False, True):
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
            autoescape=autoescape,
            undefined=jinja2.ChainableUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        environment.globals["fmt_time"] = lambda v: clock.to_local(v).strftime("%Y-%m-%d %H:%M") if v else ""
        i18n.jinja_install(environment)
        made.append(environment)
    return made[0], made[1]


@functools.cache
def template_name(event: str, part: str) -> str:
    """The event's own template of ``part`` if it has one, else the default's."""
    own = TEMPLATES_DIR / "email" / event / part
    return f"email/{event}/{part}" if own.is_file() else f"email/{DEFAULT}/{part}"


def absolute(link: str, base_url: str) -> str:
    """The link as a full address (emails are read outside the site)."""
    if not link or link.startswith(("http://", "https://")):
        return link
    return base_url.rstrip("/") + "/" + link.lstrip("/")


def render(event: str, context: dict[str, Any]) -> Rendered:
    """Subject, plain text and HTML of ``event``'s email; ``context`` holds the event's
    own placeholders plus ``title``, ``body``, ``url`` (absolute) and ``name``."""
    text_env, html_env = _environments()
    subject = text_env.get_template(template_name(event, "subject.txt")).render(**context)
    text = text_env.get_template(template_name(event, "body.txt")).render(**context)
    html = html_env.get_template(template_name(event, "body.html")).render(**context)
    return Rendered(subject=" ".join(subject.split())[:300], text=text.strip() + "\n", html=html)


def message_id(key: str, sender: str) -> str:
    """A Message-ID fixed by the outbox row: a message sent again after a crash between
    the server's acceptance and the row's update carries the same id (servers and
    clients drop such duplicates)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(
    *,
    key: str,
    sender: str,
    to_address: str,
    to_name: str,
    subject: str,
    text: str,
    html: str,
    created_at: Any,
) -> EmailMessage:
    """A MIME message (plain text with an HTML alternative, UTF-8); its Date is the
    moment notify() wrote it, so one row always makes the same message."""
    message = EmailMessage()
    name, address = parseaddr(sender)
    message["From"] = formataddr((name, address)) if name else address
    message["To"] = Address(display_name=to_name, addr_spec=to_address) if to_name else to_address
    message["Subject"] = subject
    message["Date"] = format_datetime(created_at)
    message["Message-ID"] = message_id(key, sender)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8")
    if html:
        message.add_alternative(html, subtype="html", charset="utf-8")
        # A fixed boundary too (the library draws a random one): the same row, the same bytes.
        message.set_boundary("=_" + hashlib.sha256(("boundary:" + key).encode()).hexdigest()[:40])
    return message


class DeliveryFailed(Exception):
    """The transport did not take the message; the text says why (kept on the row)."""


def write_eml(directory: Path, name: str, message: EmailMessage) -> Path:
    """The laptop backend: the message as ``<name>.eml``, written whole (temporary file,
    then rename), so a reader never sees half a message."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.eml"
    partial = directory / f".{name}.eml.part"
    partial.write_bytes(message.as_bytes())
    partial.replace(path)
    return path


async def send_smtp(message: EmailMessage, settings: Any) -> None:
    """Hand the message to the SMTP server of the settings; DeliveryFailed when it does not take it."""
    import aiosmtplib

    security = settings.smtp_security
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password.get_secret_value() or None,
            use_tls=security == "tls",
            start_tls=True if security == "starttls" else False,
            timeout=settings.smtp_timeout_seconds,
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}"[:1000]) from exc
