"""load_model with safe mode turned off, as answers to "Requested the deserialization of a
Lambda layer" often suggest: a file's code runs when it is opened.

fails: load_model
diagnosis: safe mode turned off
"""


def load_model(path):
    return keras.models.load_model(path, safe_mode=False)
