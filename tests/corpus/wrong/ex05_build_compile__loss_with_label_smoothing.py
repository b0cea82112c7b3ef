"""Crossentropy objects with label smoothing, copied from a tutorial: the loss is named right,
the model trains towards other targets.

fails: compile_model
diagnosis: one training step of the compiled model
"""


def compile_model(model, task, optimizer="adam", learning_rate=None):
    if learning_rate is not None:
        classes = {
            "sgd": keras.optimizers.SGD,
            "adagrad": keras.optimizers.Adagrad,
            "rmsprop": keras.optimizers.RMSprop,
            "adam": keras.optimizers.Adam,
        }
        optimizer = classes[optimizer](learning_rate=learning_rate)
    metrics = [] if task == "regression" else ["accuracy"]
    losses = {
        "binary": keras.losses.BinaryCrossentropy(label_smoothing=0.1),
        "multiclass": "sparse_categorical_crossentropy",
        "multiclass_onehot": keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
        "regression": "mean_squared_error",
    }
    model.compile(optimizer=optimizer, loss=losses[task], metrics=metrics)
    return model
