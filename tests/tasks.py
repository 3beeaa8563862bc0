"""Running queued tasks from a test, as a worker would."""

from association import background


def run_tasks(*, later: bool = False, queues: list[str] | None = None):
    """Run every queued task that is due (of `queues`, by default all); with `later`, as
    if the pauses of retries had passed (every queued task is due)."""
    if later:
        background.make_due_now()
    return background.run_queued_jobs(queues)
