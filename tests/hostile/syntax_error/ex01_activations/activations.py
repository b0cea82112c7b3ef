"""HOSTILE-ENTRY syntax_error: the module does not parse."""


def broken(:
    return 0
