"""HOSTILE-ENTRY sleep_at_import: importing the module sleeps for an hour, longer than the
judge's import allowance (120 s): only the batch's per-submission --timeout can stop it."""

import time as _time

_time.sleep(3600)
