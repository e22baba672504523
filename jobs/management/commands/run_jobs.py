"""Run a job worker: `make worker` (one), `bin/serve-prod --job-workers M`, and `make run` starts one beside the web.

django-tasks-db's `db_worker` loop (claims with SKIP LOCKED, runs, records the outcome), plus this project's
heartbeat, reclaim of jobs whose worker died, and the periodic-job scheduler (jobs.worker). Same options as
`db_worker`, and `--no-schedule` for a worker that only runs jobs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from jobs.worker import Housekeeper


class Command(db_worker.Command):
    help = "Run a Vouch job worker (django-tasks-db worker + heartbeat, lost-job reclaim and the scheduler)."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--no-schedule", action="store_true", help="Do not enqueue periodic jobs from here.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("reload"):
            # The reloader forks a child whose worker id would differ from the heartbeat's: keep it simple.
            options["reload"] = False
        worker_id = options["worker_id"]
        if not worker_id:
            raise CommandError("--worker-id must not be empty")
        housekeeper = Housekeeper(worker_id, schedule=not options.pop("no_schedule"))
        housekeeper.step()  # heartbeat first, so no other worker takes our first job for a lost one
        if not options["batch"]:  # --batch runs what is ready now and exits: one housekeeping step is enough
            housekeeper.start()
        try:
            super().handle(*args, **options)
        finally:
            housekeeper.stop()
