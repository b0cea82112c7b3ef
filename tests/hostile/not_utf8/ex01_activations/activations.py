"""HOSTILE-ENTRY not_utf8: a string literal in Latin-1 (the file is not UTF-8)."""

GREETING = "Grüße aus Köln"
