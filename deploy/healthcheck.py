"""The image's HEALTHCHECK: the server this container runs answers its health check, the desk
on 8501 (/_stcore/health) or the channel API on SKYDESK_API_PORT (/healthz). The image does not
know which it was started as (docker-entrypoint.sh's argument), so the desk is asked first and
the API when nothing listens on the desk's port. The image has no curl; urllib does the same.

Run from the image: `python /app/deploy/healthcheck.py` (exit 0 healthy, 1 not)."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DESK = "http://localhost:8501/_stcore/health"
TIMEOUT_S = 4.0


def answers(url: str) -> bool | None:
    """True: healthy; False: a server answered, unhealthy; None: nothing listens there."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError:
        return False
    except urllib.error.URLError as err:
        if isinstance(err.reason, ConnectionRefusedError):
            return None
        return False
    except OSError:
        return False


def main() -> int:
    desk = answers(DESK)
    if desk is not None:
        return 0 if desk else 1
    api = answers(f"http://localhost:{os.environ.get('SKYDESK_API_PORT', '8000')}/healthz")
    return 0 if api else 1


if __name__ == "__main__":
    sys.exit(main())
