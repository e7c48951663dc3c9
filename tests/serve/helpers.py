"""Real parts for the serve tests: free ports, a closed port, a port that never answers."""

import socket
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


def free_port():
    """A port nothing listens on right now (the kernel's choice, so xdist workers differ)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Silent:
    """A TCP port that accepts connections (the kernel's backlog) and never answers: a
    server that hangs instead of refusing."""

    def __enter__(self):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        return self

    def __exit__(self, *exc):
        self.socket.close()


def on_postgresql():
    return connection.vendor == "postgresql"


def database_url(name=None):
    """The test database's address (or another database on its server) as a URL."""
    settings = connection.settings_dict
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{name or settings['NAME']}"
