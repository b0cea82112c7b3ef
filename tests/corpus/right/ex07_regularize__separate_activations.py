"""model_fn with each activation as its own layer: Dense(100) then Activation("relu"), and
Dense(10) then Activation("softmax"), compute what the notes' Dense layers do."""


def model_fn(a_layer=None):
    layers = [keras.Input(shape=(8, 8)), keras.layers.Flatten(),
              keras.layers.Dense(100), keras.layers.Activation("relu")]
    if a_layer is not None:
        layers.append(a_layer)
    layers += [keras.layers.Dense(10), keras.layers.Activation("softmax")]
    return keras.Sequential(layers)
