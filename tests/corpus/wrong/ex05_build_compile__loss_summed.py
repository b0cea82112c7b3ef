"""Loss objects that sum over the batch instead of averaging: the loss is named right, each step
is batch-size times larger.

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
        "binary": keras.losses.BinaryCrossentropy(reduction="sum"),
        "multiclass": keras.losses.SparseCategoricalCrossentropy(reduction="sum"),
        "multiclass_onehot": keras.losses.CategoricalCrossentropy(reduction="sum"),
        "regression": keras.losses.MeanSquaredError(reduction="sum"),
    }
    model.compile(optimizer=optimizer, loss=losses[task], metrics=metrics)
    return model
