#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image: install the kit.
# Choose a base image with Python 3.11 or later (Gradescope's Ubuntu 24.04 image has 3.12).
set -euo pipefail
apt-get update
apt-get install -y python3-pip python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install /autograder/source/kit
ln -sf /autograder/venv/bin/grader /usr/local/bin/grader
