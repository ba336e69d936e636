import sys

from services.cli import audit_command

sys.exit(audit_command())
