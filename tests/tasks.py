"""Running queued tasks from a test, as a worker would."""

from association import background


def run_tasks(*, later: bool = False):
    """Run every queued task that is due; with `later`, as if the pauses of retries had
    passed (every queued task is due)."""
    if later:
        background.make_due_now()
    return background.run_queued_jobs()
