"""keras.Input given the number of samples' shape instead of one sample's.

fails: build_model
diagnosis: the wrong input shape
"""


def build_model(input_dim, hidden, task, n_classes=2):
    layers = [keras.Input(shape=(input_dim, 1))]
    layers += [keras.layers.Dense(units, activation=activation) for units, activation in hidden]
    layers.append(keras.layers.Dense(output_units(task, n_classes),
                                     activation=output_activation(task)))
    return keras.Sequential(layers)
