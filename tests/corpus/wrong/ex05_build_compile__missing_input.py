"""a Sequential without keras.Input, as Keras 2 notes sometimes write it.

fails: build_model
diagnosis: no keras.Input at the start
"""


def build_model(input_dim, hidden, task, n_classes=2):
    layers = [keras.layers.Dense(units, activation=activation) for units, activation in hidden]
    layers.append(keras.layers.Dense(output_units(task, n_classes),
                                     activation=output_activation(task)))
    return keras.Sequential(layers)
