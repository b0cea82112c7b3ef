import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The corpus names diagnoses in English: the kit's tests never follow the machine's locale.
os.environ["GRADER_LANG"] = "en"
