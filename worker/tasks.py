"""Every module that defines jobs is imported here, so that the registry is complete in every process."""

from worker import housekeeping  # noqa: F401
