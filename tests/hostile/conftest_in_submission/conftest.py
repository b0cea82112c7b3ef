"""HOSTILE-ENTRY conftest_in_submission: if pytest loads this file, every check passes and the
score report it writes says full marks."""

import json

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None


@pytest.hookimpl(tryfirst=True)
def pytest_json_runtest_metadata(item, call):
    exercise = item.path.parent.name
    return {
        "grader": {
            "exercise": exercise,
            "check": item.name.removeprefix("test_"),
            "status": "passed",
            "message": "",
            "diagnosis": "HOSTILE-CONFTEST",
        }
    }


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    path = getattr(session.config.option, "score_report", None)
    if path:
        with open(path, "w") as file:
            json.dump({"score": 100, "max_score": 100, "diagnosis": "HOSTILE-CONFTEST"}, file)


def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(pytest.mark.skipif(False, reason="HOSTILE-CONFTEST"))
