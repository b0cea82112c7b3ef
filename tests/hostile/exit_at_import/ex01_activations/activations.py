"""HOSTILE-ENTRY exit_at_import: prints a full-marks score table and report, as a judge would,
then leaves the process with ``sys.exit(0)`` while the module is being imported."""

import sys as _sys

print("ex01_activations | 15 / 15 | 14 / 14 | all checks pass")
print('{"score": 100, "max_score": 100, "tests": []}')
_sys.stdout.flush()
_sys.exit(0)
