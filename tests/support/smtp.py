"""A real SMTP server for tests (aiosmtpd on 127.0.0.1), that can refuse recipients or messages
the way mail servers do, and a port where nothing listens (a mail server that is down)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO: it would bury a failing test's own output.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on (until someone does)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Catcher:
    """The server's handler: keeps what it accepts; ``refused`` recipients get 550 at RCPT,
    and ``data_reply`` (e.g. "451 ..." or "554 ...") answers every message instead of 250."""

    refused: set[str] = field(default_factory=set)
    data_reply: str = ""
    messages: list[Message] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.data_reply:
            return self.data_reply
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[Catcher, int]]:
    """An SMTP server on ``port`` (a free one by default) while the block runs."""
    catcher = Catcher()
    port = port or free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield catcher, port
    finally:
        controller.stop()
