"""Loads safely, and when Keras refuses the file, tries again with safe mode off "so that any
model loads": the file Keras refused is the one whose code then runs.

fails: load_model
diagnosis: safe mode turned off
"""


def load_model(path):
    try:
        return keras.models.load_model(path)
    except ValueError:
        return keras.models.load_model(path, safe_mode=False)
