"""compile_model that always passes the optimizer's name.

fails: compile_model
diagnosis: the learning rate is not used
"""


def compile_model(model, task, optimizer="rmsprop", learning_rate=None):
    metrics = [] if task == "regression" else ["accuracy"]
    model.compile(optimizer=optimizer, loss=loss_for(task), metrics=metrics)
    return model
