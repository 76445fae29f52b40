"""The suite's own guard: a lookup of any host but loopback fails inside tests."""

import socket

import pytest


def test_lookups_beyond_loopback_are_refused() -> None:
    with pytest.raises(OSError, match="hors loopback"):
        socket.getaddrinfo("gateway.discord.gg", 443)
    with pytest.raises(OSError, match="hors loopback"):
        socket.getaddrinfo("slack.com", 443)
    assert socket.getaddrinfo("127.0.0.1", 80)
