"""Dropout with the wrong rate.

fails: dropout_model, dropout_behaviour
diagnosis: the dropout rate is 0.5, not 0.3
"""


def dropout_model():
    return model_fn(keras.layers.Dropout(0.5))
