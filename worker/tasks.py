"""Every module that defines jobs is imported here, so that the registry is complete in every process."""

import api.approvals.jobs
import api.opportunities.jobs  # noqa: F401
import worker.push  # noqa: F401
from worker import housekeeping  # noqa: F401
