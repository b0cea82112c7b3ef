"""What the student's code printed is shown without TensorFlow's and absl's log lines."""

import pytest

from grader.judge.process import without_library_logs

LIBRARY_LINES = [
    # absl C++ logging, TensorFlow 2.16 and later (seconds since the epoch as the time)
    "I0000 00:00:1733049600.123456   12345 cudart_stub.cc:31] Could not find cuda drivers on "
    "your machine, GPU will not be used.",
    "E0000 00:00:1733049600.223456   12345 cuda_dnn.cc:8310] Unable to register cuDNN factory",
    "W0000 00:00:1733049601.000001   12346 gpu_device.cc:2344] Cannot dlopen some GPU libraries.",
    "I0000 00:00:1733049601.5  7 port.cc:153] oneDNN custom operations are on.",
    # absl with a clock time (glog's classic format, and absl's Python logging)
    "I1201 10:21:27.123456 140234 cpu_feature_guard.cc:210] This TensorFlow binary is optimized",
    "W1201 10:21:27.654321 140234 saving_utils.py:101] Compiled the loaded model, but ...",
    "F1201 10:21:27.000001   99 logging.cc:42] Check failed: ok",
    # TensorFlow's own C++ format before 2.16
    "2024-03-01 12:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations",
    "2024-03-01 12:00:00.223456: W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT",
    # absl before its logging is set up, and the CPU instructions notice
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild "
    "TensorFlow with the appropriate compiler flags.",
    # Python loggers' default format
    "WARNING:tensorflow:5 out of the last 5 calls to <function f> triggered tf.function retracing.",
    "WARNING:absl:You are saving your model as an HDF5 file via `model.save()`.",
    "INFO:tensorflow:Assets written to: ram://abc/assets",
]
STUDENT_LINES = [
    "epoch 1: loss 0.52",
    "I0000 is my favourite number",
    "W1201 10:21 no file here",
    "To enable the following instructions",
    "2024-03-01 my notes: I tensorflow",
    "WARNING: my learning rate is large",
]


@pytest.mark.parametrize("line", LIBRARY_LINES)
def test_library_log_lines_are_dropped(line: str) -> None:
    assert without_library_logs(f"before\n{line}\nafter\n") == "before\nafter\n"


@pytest.mark.parametrize("line", STUDENT_LINES)
def test_the_students_own_lines_are_kept(line: str) -> None:
    assert without_library_logs(f"{line}\n") == f"{line}\n"


def test_a_syntax_error_is_shown_once_and_is_the_next_step(tmp_path) -> None:
    """A beginner's syntax error: once, with the line and a caret, under the exercise's first
    check; the other checks point to it; the table says to fix it (no check's hint); pytest's
    short summary names each check by its message, not by the grader's exception class."""
    import os
    import shutil
    import subprocess
    import sys

    from kit import SOLUTIONS

    from grader import GRADER_ROOT
    from grader.words import say

    shutil.copytree(SOLUTIONS / "ex02_losses", tmp_path / "exercises" / "ex02_losses")
    module = tmp_path / "exercises" / "ex02_losses" / "losses.py"
    module.write_text(module.read_text() + "\n\ndef broken(:\n    pass\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "exercises", "-q"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(GRADER_ROOT), "GRADER_LANG": "en", "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    printed, _, summary = done.stdout.partition("short test summary info")
    assert printed.count("SyntaxError: invalid syntax") == 1, printed
    assert "    def broken(:\n" in printed and "\n               ^\n" in printed, printed
    repeat = say("status.import_repeat", file="losses.py")
    assert printed.count(repeat) == 5, printed
    assert "(case:" not in printed
    assert say("table.fix_syntax", file="losses.py", type="SyntaxError") in printed
    assert "grader hint ex02_losses" not in printed
    assert "Verdict" not in summary and "- losses.py could not be imported" in summary, summary


def test_a_float32_setting_is_shown_as_the_student_wrote_it() -> None:
    import numpy as np

    from grader.judge.verdict import float32_as_written

    assert float32_as_written(float(np.float32(0.01))) == "0.01"
    assert float32_as_written(float(np.float32(1e-3))) == "0.001"
    assert float32_as_written(None) == "None"
