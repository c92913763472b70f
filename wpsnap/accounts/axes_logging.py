"""What django-axes writes to the log about a client: the path only. Axes would otherwise log the
name typed (which may be a password typed into the wrong box, or an e-mail address) and the address."""

from __future__ import annotations

from typing import Any


def client_str(username: Any, ip_address: Any, user_agent: Any, path_info: Any, request: Any) -> str:
    path = path_info[0] if isinstance(path_info, tuple | list) else path_info
    return f"{{path_info: {path!s}}}"
