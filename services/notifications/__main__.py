"""`python -m services.notifications deliver [--loop SECONDS]` (services/notifications/cli.py)."""

import sys

from services.notifications.cli import notifications_command

sys.exit(notifications_command())
