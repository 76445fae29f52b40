"""systemd's notify protocol (sd_notify(3)): one datagram to $NOTIFY_SOCKET, for a unit
with Type=notify. READY=1 once the bot serves, STOPPING=1 when it begins to stop.
Outside systemd (no $NOTIFY_SOCKET) it does nothing."""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def notify(message: str) -> bool:
    """Send `message` ("READY=1", "STOPPING=1"…); True if a service manager was told."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message.encode(), address)
    except OSError as error:
        log.warning("Message %s non transmis au gestionnaire de services : %s", message, error)
        return False
    return True
