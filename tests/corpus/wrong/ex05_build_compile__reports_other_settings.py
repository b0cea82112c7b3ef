"""Compiles with the optimizer's default rate and reports, through an attribute of its own,
the settings the check asks for.

fails: compile_model
diagnosis: one training step of the compiled model
"""

_NAMES = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam"}


def compile_model(model, task, optimizer="adam", learning_rate=None):
    metrics = [] if task == "regression" else ["accuracy"]
    model.compile(optimizer=optimizer, loss=loss_for(task), metrics=metrics)
    reported = {
        "optimizer": {
            "class_name": _NAMES[optimizer],
            "config": {"learning_rate": learning_rate or 0.001},
        },
        "loss": loss_for(task),
        "metrics": metrics,
    }
    model.get_compile_config = lambda: reported
    return model
