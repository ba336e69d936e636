"""`python -m api`: serve the API with uvicorn on settings.api_host:settings.api_port
(SKYDESK_API_HOST, SKYDESK_API_PORT; default 127.0.0.1:8000)."""

from __future__ import annotations

import uvicorn

from api.app import create_app
from config import get_settings
from observability import configure_logging


def main() -> None:
    settings = get_settings()
    configure_logging(settings)
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port)


if __name__ == "__main__":
    main()
