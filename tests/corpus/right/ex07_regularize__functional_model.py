"""model_fn with the functional API: keras.Model(inputs, outputs) lists an InputLayer that a
Sequential hides, and computes the same function."""


def model_fn(a_layer=None):
    inputs = keras.Input(shape=(8, 8))
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(100, activation="relu")(x)
    if a_layer is not None:
        x = a_layer(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs)
