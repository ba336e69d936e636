"""Only the name of the command `python -m services.audit verify [--new-records-only]`
(services/cli.py); the audit trail is services.core.audit."""
