"""Parse jobs for the parser-pool tests; they live in a module so that pool processes can import them."""

from __future__ import annotations

import os
import signal

from lytt.crawl.parser_pool import Parsed, ParseJob, parse_job


def crash_on_poison(job: ParseJob) -> Parsed:
    """Parse as usual, but die the way a crash in C code would for a URL naming "poison"."""
    if "poison" in job.url:
        os.kill(os.getpid(), signal.SIGKILL)
    return parse_job(job)


def pid_of_parser(job: ParseJob) -> Parsed:
    """Answer with the pid of the process that ran the job (as the failure's message)."""
    from lytt.crawl.parser_pool import ParseFailure

    return ParseFailure(str(os.getpid()))
