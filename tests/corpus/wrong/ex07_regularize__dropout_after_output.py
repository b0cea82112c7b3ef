"""Dropout placed after the output layer.

fails: dropout_model
diagnosis: Dropout after the output layer
"""


def dropout_model():
    model = model_fn()
    model.add(keras.layers.Dropout(0.3))
    return model
