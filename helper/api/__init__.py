"""The helper's HTTP + WebSocket API on 127.0.0.1."""

from .app import create_app, run

__all__ = ["create_app", "run"]
