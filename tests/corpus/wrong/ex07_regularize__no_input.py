"""model_fn as Keras 2 notes write it, with no Input.

fails: model_fn, model_fn_extra_layer, dropout_model, dropout_behaviour
diagnosis: no keras.Input at the start
"""


def model_fn(a_layer=None):
    layers = [keras.layers.Flatten(), keras.layers.Dense(100, activation="relu")]
    if a_layer is not None:
        layers.append(a_layer)
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers)
