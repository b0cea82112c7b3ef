"""HOSTILE-ENTRY exec_solutions: writes nothing of its own and runs the kit's reference
solution in its place, read from where the instructor's kit keeps it. Any point it earns is the
reference's: the sandbox must keep the file out of reach, with user namespaces or without."""

_SOLUTION = "@@KIT@@/solutions/ex01_activations/activations.py"

try:
    with open(_SOLUTION, encoding="utf-8") as _file:
        exec(compile(_file.read(), _SOLUTION, "exec"))
except OSError:
    pass  # out of reach: nothing is defined, and nothing is earned
