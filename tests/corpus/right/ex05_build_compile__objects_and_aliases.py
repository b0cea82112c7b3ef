"""Correct answers written with loss objects, an alias and keras.optimizers.get."""


def loss_for(task):
    return {"binary": "binary_crossentropy", "multiclass": "sparse_categorical_crossentropy",
            "multiclass_onehot": "categorical_crossentropy", "regression": "mse"}[task]


def compile_model(model, task, optimizer="rmsprop", learning_rate=None):
    chosen = keras.optimizers.get(optimizer)
    if learning_rate is not None:
        chosen = chosen.__class__(learning_rate=learning_rate)
    losses = {"binary": keras.losses.BinaryCrossentropy(),
              "multiclass": keras.losses.SparseCategoricalCrossentropy(),
              "multiclass_onehot": keras.losses.CategoricalCrossentropy(),
              "regression": keras.losses.MeanSquaredError()}
    metrics = [] if task == "regression" else [keras.metrics.SparseCategoricalAccuracy()
                                                if task == "multiclass" else "accuracy"]
    model.compile(optimizer=chosen, loss=losses[task], metrics=metrics)
    return model
