"""build_model with each activation as its own layer: Dense(units) then Activation(a) computes
what Dense(units, activation=a) does, and is accepted as that layer."""


def build_model(input_dim, hidden, task, n_classes=2):
    layers = [keras.Input(shape=(input_dim,))]
    for units, activation in hidden:
        layers += [keras.layers.Dense(units), keras.layers.Activation(activation)]
    layers += [keras.layers.Dense(output_units(task, n_classes)),
               keras.layers.Activation(output_activation(task))]
    return keras.Sequential(layers)
