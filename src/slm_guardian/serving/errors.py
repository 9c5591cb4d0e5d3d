"""The error every endpoint raises for a client: it becomes a JSON body with an HTTP status."""

from __future__ import annotations


class ApiError(Exception):
    """An error that becomes a JSON body with an HTTP status."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.headers = status, message, kind, headers or {}
