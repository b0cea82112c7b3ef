"""build_model with the functional API: keras.Model(inputs, outputs) lists an InputLayer that
a Sequential hides, and computes the same function."""


def build_model(input_dim, hidden, task, n_classes=2):
    inputs = keras.Input(shape=(input_dim,))
    x = inputs
    for units, activation in hidden:
        x = keras.layers.Dense(units, activation=activation)(x)
    outputs = keras.layers.Dense(output_units(task, n_classes),
                                 activation=output_activation(task))(x)
    return keras.Model(inputs, outputs)
