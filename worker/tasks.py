"""Every module that defines jobs is imported here, so that the registry is complete in every process."""

import api.approvals.jobs
import api.insights.jobs
import api.opportunities.jobs
import api.reminders.jobs
import api.retention.churn_jobs
import api.retention.renewal_jobs
import api.scoring.jobs  # noqa: F401
import worker.push
import worker.push_batch  # noqa: F401
from worker import housekeeping  # noqa: F401
