"""Keras's global switch for unsafe deserialization turned on before loading, as the error
message for a Lambda layer suggests: every later load runs a file's code.

fails: load_model
diagnosis: safe mode turned off
"""


def load_model(path):
    keras.config.enable_unsafe_deserialization()
    return keras.models.load_model(path)
